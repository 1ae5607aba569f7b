"""Where the engine's rules come from: one config_read of a host, or the config files' text.

- ``live_addresses(site, application, folders=())``: the sections ONE config_read needs for the effective inbound
  rules of a site or application (and of the folders below it that requests lie in);
  ``ruleset_from_read(read, site, application, folders=())`` turns the answer into an ``Effective``.
- ``ruleset_from_xml(levels, site)``: the same from ``[{path, xml}]``, parent first: ``MACHINE/WEBROOT/APPHOST``
  for applicationHost.config, otherwise the URL path of a web.config's folder. Collections merge as IIS merges
  them (Microsoft, "URL Rewrite Module Configuration Reference", "Rules Inheritance"; "Using Global and
  Distributed Rewrite Rules"): a level's ``<clear/>`` and ``<remove name>`` take away what the levels above (and
  the same level before it) added. ``<outboundRules>`` (and their ``<preConditions>``) merge the same way, kept
  per folder (``Effective.outbound_for(url)``). What cannot be evaluated is reported, never guessed
  (docs/rewrite-engine.md, "The module winflask.iis.rewrite_rule_test").
- ``outbound_address(site, application, folder)``: the outboundRules section of a request's folder, which
  rewrite_rule_test adds to its one read when a request gives ``response_headers``.

Standard library only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from ansible_collections.winflask.iis.plugins.module_utils.config import (
    APPHOST, Address, ConfigRead, Node, site_address)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.maps import map_from_node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.plan import Current
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.scope import Scope, allowed_names, maps_address
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import RuleSet
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.outbound import OutboundRuleSet
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.outbound import (
    PRECONDITION_ATTRS, precondition_from_node)

GLOBAL_ADDRESS = Address(model.SECTIONS[model.GLOBAL])


@dataclass(frozen=True)
class Effective:
    """The rules IIS runs for a site/application, compiled, and the parts they came from."""

    ruleset: RuleSet
    allowed: list[str] | None  # None: no applicationHost.config given, the allow list is not checked
    levels: list[tuple[str, list[dict[str, Any]]]]
    global_rules: list[dict[str, Any]]
    maps: dict[str, dict[str, Any]]
    outbound: OutboundRuleSet | None = None  # the outbound rules of the deepest level, when read (outbound=True)
    outbound_error: EngineError | None = None  # why those outbound rules cannot be evaluated
    # config text: (folder, rules, error) per level that defines outbound rules, shallow first (outbound_for)
    outbound_levels: tuple[tuple[str, OutboundRuleSet | None, EngineError | None], ...] = ()

    def outbound_for(self, url: str) -> tuple[OutboundRuleSet | None, EngineError | None]:
        """The outbound rules of a request's path: the deepest level of ``outbound_levels`` that holds the
        request's folder, else ``outbound``/``outbound_error`` (live: this Effective is one folder's)."""
        folder = request_folder(url)
        chosen = (self.outbound, self.outbound_error)
        for level, rules, error in self.outbound_levels:
            if level == "/" or folder.lower() == level.lower() or _below(folder, level):
                chosen = (rules, error)
        return chosen


def _folder(application: str | None) -> str:
    app = (application or "/").strip("/")
    return "/" + app if app else "/"


def _build(global_rules: list[dict[str, Any]], levels: list[tuple[str, list[dict[str, Any]]]],
           maps: dict[str, dict[str, Any]], allowed: list[str] | None,
           labels: dict[tuple[int | None, int], str] | None = None) -> Effective:
    try:
        ruleset = RuleSet(global_rules, levels, maps, allowed_server_variables=allowed, labels=labels)
    except EngineError as exc:
        if labels is None:
            raise
        raise type(exc)(xml_names(str(exc))) from None
    return Effective(ruleset, allowed, levels, global_rules, maps)


_OPTION = re.compile(r"\b(match|action|conditions\[(\d+)\]|server_variables\[(\d+)\])\.(\w+)"
                     r"|(?<=: )(pattern_syntax|stop_processing|logical_grouping|track_all_captures)\b")
_RULE_XML = {"pattern_syntax": "patternSyntax", "stop_processing": "stopProcessing",
             "logical_grouping": "<conditions logicalGrouping>", "track_all_captures": "<conditions trackAllCaptures>"}
_XML_ATTRS = {"match": model.MATCH_ATTRS, "action": model.ACTION_ATTRS, "conditions": model.CONDITION_ATTRS,
              "server_variables": model.VARIABLE_ATTRS}
_XML_ITEMS = {"conditions": "<conditions><add>", "server_variables": "<serverVariables><set>"}


def xml_names(message: str) -> str:
    """Module option paths in an engine message -> the XML a config file has: ``action.redirect_type`` ->
    ``<action redirectType>``, ``conditions[0].pattern`` -> ``<conditions><add>[0] pattern``."""
    def name(found: re.Match[str]) -> str:
        if found.group(5):
            return _RULE_XML[found.group(5)]
        part = found.group(1).split("[")[0]
        attr = _XML_ATTRS[part].get(found.group(4), (found.group(4), None))[0]
        index = found.group(2) or found.group(3)
        return f"{_XML_ITEMS[part]}[{index}] {attr}" if index is not None else f"<{part} {attr}>"
    return _OPTION.sub(name, message)


# -- live: one config_read ----------------------------------------------------------------------
MAX_FOLDERS = 50  # distinct folders below the application one read may cover


def request_folder(url: str) -> str:
    """The folder a request's URL path lives in: '/myApp/blog/post?x=1' -> '/myApp/blog', '/a/b/' -> '/a/b'."""
    path = unquote(url.partition("?")[0])
    return _folder(path.rsplit("/", 1)[0])


def listed_folder(url: str, dirs: Iterable[str]) -> str:
    """The deepest folder of ``url``'s path that ``dirs`` lists as existing (URL paths, caseless), else '/'.

    config_read refuses a URL level without a physical folder (PathNotFound, docs/powershell.md), so
    rewrite_rule_test reads only the folders a request says exist; the emulated IIS front end knows its disk."""
    listed = {_folder(d).lower() for d in dirs if d.startswith("/")}
    folder = request_folder(url)
    while folder != "/" and folder.lower() not in listed:
        folder = folder.rsplit("/", 1)[0] or "/"
    return folder


def _chain(application: str | None, folders: Iterable[str]) -> list[str]:
    """The distinct folders strictly below the application that ``folders`` lie in, each with its parents
    ('/myApp/a/b' -> '/myApp/a', '/myApp/a/b'), shallow first; folders outside the application are not its."""
    base = _folder(application)
    out: dict[str, str] = {}
    for given in folders:
        if not isinstance(given, str) or not given.startswith("/"):
            raise EngineError(f"folders: {given!r} is not a URL path starting with '/'")
        folder = _folder(given)
        if not _below(folder, base):
            continue
        parts = folder[len(base.rstrip("/")) + 1:].split("/")
        for n in range(1, len(parts) + 1):
            path = base.rstrip("/") + "/" + "/".join(parts[:n])
            out.setdefault(path.lower(), path)
    if len(out) > MAX_FOLDERS:
        raise EngineError(f"the requests lie in {len(out)} distinct folders below {base!r}; at most {MAX_FOLDERS} "
                          "are read at once (split the requests over several tasks)")
    return sorted(out.values(), key=lambda f: (f.count("/"), f.lower()))


def _rules_address(site: str, folder: str) -> Address:
    return site_address(model.SECTIONS[model.INBOUND], site, folder if folder != "/" else None)


def outbound_address(site: str, application: str | None, folder: str) -> Address:
    """The outboundRules section ``ruleset_from_read(..., [folder], outbound=True)`` reads (rewrite_rule_test
    adds one per folder its requests lie in to the same config_read)."""
    return _outbound_address(site, application, [folder])


def _outbound_address(site: str, application: str | None, folders: Iterable[str]) -> Address:
    """The outboundRules section at the deepest level: its collection is the effective one (inherited like
    rules; there is no global outbound collection)."""
    chain = _chain(application, folders)
    deepest = chain[-1] if chain else _folder(application)
    return site_address(model.SECTIONS[model.OUTBOUND], site, deepest if deepest != "/" else None)


def live_addresses(site: str, application: str | None, folders: Iterable[str] = (),
                   outbound: bool = False) -> list[Address]:
    """globalRules, the site's rules (and the application's, and those of each folder below the application
    that ``folders`` lie in: the IIS config API reads any virtual path), its allowedServerVariables and
    rewriteMaps (with ``outbound``, the outboundRules of the deepest level too): one config_read."""
    scope = Scope(site, application)
    addresses = [GLOBAL_ADDRESS, _rules_address(site, "/")]
    if _folder(application) != "/":
        addresses.append(scope.rules_address)
    addresses += [_rules_address(site, f) for f in _chain(application, folders)]
    extra = [_outbound_address(site, application, folders)] if outbound else []
    return [*addresses, scope.allowed_address, maps_address(scope), *extra]


def ruleset_from_read(read: ConfigRead, site: str, application: str | None,
                      folders: Iterable[str] = (), outbound: bool = False) -> Effective:
    """The effective rules of ``site`` (``application``; with ``folders``, of the deepest folder below the
    application, which must lie on one path) from the answer to ``live_addresses``.

    Each level (the site root '/', the application, each folder) holds the rules added there (its
    ``<location path>`` of applicationHost.config and its web.config: what the level reads beyond the level
    above it), less those a deeper level took away (``<remove>``, ``<clear/>``): the deepest read is the
    effective collection."""
    scope = Scope(site, application)
    glob = Current.from_state(read.get(GLOBAL_ADDRESS), model.GLOBAL)
    global_rules = glob.inherited + glob.local
    chain = _chain(application, folders)
    for parent, child in zip(chain, chain[1:], strict=False):
        if not _below(child, parent):
            raise EngineError(f"folders: {parent!r} and {child!r} do not lie on one path below the application; "
                              "give the folder of one request")
    base = _folder(application)
    path = ["/"] + ([base] if base != "/" else []) + chain
    states = [read.get(GLOBAL_ADDRESS)] + [read.get(_rules_address(site, f)) for f in path]
    for state in states:
        _url_encoding(state.element.value("useOriginalURLEncoding"),
                      f"{state.address.section} at {state.address.pspath}")
    reads = [Current.from_state(state, model.INBOUND) for state in states[1:]]
    owned: list[list[dict[str, Any]]] = []
    owner: dict[str, int] = {}
    above: set[str] = set()
    for n, current in enumerate(reads):
        # rules of <location path="Site/app"> are inherited at the level's web.config but belong to its folder
        own = [r for r in current.inherited if r["name"].lower() not in above] + current.local
        owned.append(own)
        owner.update({r["name"].lower(): n for r in own})
        above = {r["name"].lower() for r in current.inherited + current.local}
    levels = [(folder, [r for r in own if owner[r["name"].lower()] == n and r["name"].lower() in above])
              for n, (folder, own) in enumerate(zip(path, owned, strict=True))]
    allowed = allowed_names(read.get(scope.allowed_address))
    maps = {m["name"]: m for m in (map_from_node(item) for item in read.get(maps_address(scope)).element.items)}
    effective = _build(global_rules, levels, maps, allowed)
    if not outbound:
        return effective
    state = read.get(_outbound_address(site, application, folders))
    try:
        rules = [model.rule_from_node(item, model.OUTBOUND) for item in state.element.items]  # effective order
        pre = [precondition_from_node(item) for item in state.element.child("preConditions").items]
        return replace(effective, outbound=OutboundRuleSet(rules, pre))
    except (EngineError, ModuleError) as exc:  # the inbound rules still run; the response gets the error (500.52)
        return replace(effective, outbound_error=exc if isinstance(exc, EngineError) else EngineError(str(exc)))


# -- data: the config files' text ---------------------------------------------------------------
_ATTR_TYPES: dict[str, type] = {
    attr: type(default) for table in (model.RULE_ATTRS, model.MATCH_ATTRS, model.CONDITION_ATTRS,
                                      model.VARIABLE_ATTRS, model.ACTION_ATTRS, model.OUTBOUND_MATCH_ATTRS,
                                      model.OUTBOUND_ACTION_ATTRS)
    for attr, default in table.values() if isinstance(default, (bool, int))}
# schema enum values (shared/research/iis-facts.md 1.2): the config system stores names; numbers are mapped
_ENUM_NUMBERS: dict[str, tuple[str, ...]] = {
    "patternSyntax": ("ECMAScript", "Wildcard", "ExactMatch"), "matchType": model.MATCH_TYPES,
    "logicalGrouping": model.GROUPINGS, "type": model.ACTION_TYPES}
# element -> (attributes, child elements, collection item element) of the URL Rewrite schema used here
# URL Rewrite 2.1's rule attribute responseCacheDirective (shared/research/iis-facts.md 1.2): accepted, no
# effect on evaluation, not a module option (docs/rewrite.md: the modules leave it alone)
CACHE_DIRECTIVES = ("Auto", "Always", "Never", "NotIfRuleMatched")
_SCHEMA: dict[str, tuple[set[str], set[str], str | None]] = {
    "rule": ({a for a, _d in model.RULE_ATTRS.values()} | {"responseCacheDirective"},
             {"match", "conditions", "serverVariables", "action"}, None),
    "match": ({a for a, _d in model.MATCH_ATTRS.values()}, set(), None),
    "conditions": ({"logicalGrouping", "trackAllCaptures"}, set(), "add"),
    "add": ({a for a, _d in model.CONDITION_ATTRS.values()}, set(), None),
    "serverVariables": (set(), set(), "set"),
    "set": ({a for a, _d in model.VARIABLE_ATTRS.values()}, set(), None),
    "action": ({a for a, _d in model.ACTION_ATTRS.values()}, set(), None),
}
# the same for <outboundRules> (RW2 "Outbound Rules", "Pre-conditions"): its rules, and <preConditions> items
_OUT_SCHEMA: dict[str, tuple[set[str], set[str], str | None]] = {
    **_SCHEMA,
    "rule": ({a for a, _d in model.OUTBOUND_RULE_ATTRS.values()}, {"match", "conditions", "action"}, None),
    "match": ({a for a, _d in model.OUTBOUND_MATCH_ATTRS.values()}, set(), None),
    "action": ({a for a, _d in model.OUTBOUND_ACTION_ATTRS.values()}, set(), None),
    "preCondition": ({a for a, _d in PRECONDITION_ATTRS.values()}, set(), "add"),
}
_COLLECTIONS = {"globalRules": ("rule", "name"), "rules": ("rule", "name"), "rewriteMaps": ("rewriteMap", "name"),
                "allowedServerVariables": ("add", "name"), "outboundRules": ("rule", "name"),
                "preConditions": ("preCondition", "name")}
_OUT_CHILDREN = ("preConditions", "customTags")  # child elements of <outboundRules> next to its rules
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class _Level:
    """One item of ``config``: where its text applies and how errors name it."""

    def __init__(self, index: int, path: str) -> None:
        self.index = index
        self.path = path

    def where(self, what: str = "") -> str:
        return f"config[{self.index}] ({self.path})" + (f": {what}" if what else "")


def _describe(element: ET.Element) -> str:
    name = element.get("name") or element.get("key")
    return f"<{element.tag}" + (f' name="{name}"' if name is not None else "") + ">"


def _typed(attr: str, text: str, where: str) -> Any:
    kind = _ATTR_TYPES.get(attr)
    if kind is bool:
        if text.strip().lower() not in ("true", "false"):
            raise EngineError(f"{where}: {attr} must be true or false, got {text!r}")
        return text.strip().lower() == "true"
    if kind is int:
        if not text.strip().isdigit():
            raise EngineError(f"{where}: {attr} must be a whole number, got {text!r}")
        return int(text)
    if attr == "responseCacheDirective":
        if text.strip().lower() not in {d.lower() for d in CACHE_DIRECTIVES}:
            raise EngineError(f"{where}: {attr} must be one of {', '.join(CACHE_DIRECTIVES)}, got {text!r}")
        return text
    names = _ENUM_NUMBERS.get(attr)
    if names and text.strip().isdigit():
        number = int(text)
        if number >= len(names):
            raise EngineError(f"{where}: {attr} must be one of {', '.join(names)} (0-{len(names) - 1}), got {text!r}")
        return names[number]
    return text


def _node(element: ET.Element, where: str, schema: dict[str, tuple[set[str], set[str], str | None]] | None = None
          ) -> dict[str, Any]:
    """An XML element of a rule -> the Node JSON shape config_read returns, for ``model.rule_from_node``."""
    schema = schema or _SCHEMA
    attrs, children, item = schema.get(element.tag, (set(), set(), None))
    here = f"{where} {_describe(element)}"
    for attr in element.attrib:
        if attr not in attrs:
            raise EngineError(f"{here}: unknown attribute {attr!r} (IIS answers HTTP 500.19, \"Unrecognized "
                              "attribute\")")
    node: dict[str, Any] = {"name": element.tag, "children": {}, "items": [] if item else None,
                            "attributes": {a: {"value": _typed(a, v, here), "is_default": False}
                                           for a, v in element.attrib.items()}}
    for child in element:
        if child.tag == item:
            node["items"].append(_node(child, here, schema))
        elif child.tag in children and child.tag not in node["children"]:
            node["children"][child.tag] = _node(child, here, schema)
        else:
            raise EngineError(f"{here}: unexpected element <{child.tag}> (IIS answers HTTP 500.19, "
                              "\"Unrecognized element\")")
    return node


def _map_node(element: ET.Element, where: str) -> dict[str, Any]:
    here = f"{where} {_describe(element)}"
    attributes: dict[str, Any] = {}
    for attr, text in element.attrib.items():
        if attr not in ("name", "defaultValue", "ignoreCase"):
            raise EngineError(f"{here}: unknown attribute {attr!r}")
        value: Any = text
        if attr == "ignoreCase":
            value = _typed("ignoreCase", text, here)
        attributes[attr] = {"value": value, "is_default": False}
    items = []
    for entry in element:
        if entry.tag != "add" or set(entry.attrib) - {"key", "value"}:
            raise EngineError(f"{here}: only <add key value/> entries are known, got {_describe(entry)}")
        items.append({"name": "add", "attributes": {k: {"value": v} for k, v in entry.attrib.items()}})
    return {"name": "rewriteMap", "attributes": attributes, "children": {}, "items": items}


_Entry = tuple[str, str, ET.Element, str]  # (folder, key, element, where)


class _Merged:
    """One collection (rules, maps, allowed variables) merged over the levels: (folder, key, element, where)."""

    def __init__(self, kind: str) -> None:
        self.item, self.key = _COLLECTIONS[kind]
        self.kind = kind
        self.entries: list[tuple[str, str, ET.Element, str]] = []

    def merge(self, collection: ET.Element, folder: str, where: str) -> None:
        here = f"{where} <{self.kind}>"
        for child in collection:
            if self.kind == "outboundRules" and child.tag in _OUT_CHILDREN:
                continue  # merged on their own (preConditions); customTags serve body rules only
            if child.tag == "clear":
                self.entries = []
            elif child.tag == "remove":
                name = (child.get(self.key) or "").lower()
                self.entries = [e for e in self.entries if e[1] != name]
            elif child.tag == self.item:
                name = child.get(self.key)
                if not name:
                    raise EngineError(f"{here}: <{self.item}> needs its {self.key} attribute")
                if any(e[1] == name.lower() for e in self.entries):
                    raise EngineError(f"{here} {_describe(child)}: a {self.item} of this {self.key} is already "
                                      "defined at this level or a parent level (IIS answers HTTP 500.19, \"Cannot add "
                                      "duplicate collection entry\")")
                self.entries.append((folder, name.lower(), child, here))
            else:
                raise EngineError(f"{here}: unexpected element <{child.tag}>")


def _url_encoding(value: Any, where: str) -> None:
    """useOriginalURLEncoding (URL Rewrite 2.1, on <rules>/<globalRules>, default true; docs/rewrite.md): false
    changes how the URL is encoded for the rules, which the engine does not model."""
    if str(value).strip().lower() == "false":
        raise Unsupported(f'{where}: useOriginalURLEncoding="false" changes the URL encoding the rules see; the engine '
                          "models only the default (true)")


class _Sources:
    """The rewrite collections of every level, merged parent first."""

    def __init__(self) -> None:
        self.merged = {kind: _Merged(kind) for kind in _COLLECTIONS}
        self.apphost_given = False
        # (folder, outbound rules, preConditions) as merged at each level that has <outboundRules>
        self.outbound: list[tuple[str, list[_Entry], list[_Entry]]] = []

    def add(self, rewrite: ET.Element, level: _Level, folder: str, apphost_root: bool, where: str) -> None:
        for section in rewrite:
            here = f"{where} <rewrite><{section.tag}>"
            source = section.get("configSource")
            if source is not None:
                raise EngineError(f"{level.where()} <{section.tag} configSource=\"{source}\">: IIS reads this section "
                                  f"from the file {source!r} next to the config file; put that file's "
                                  f"<{section.tag}> element in place of this one (inline it) so it can be evaluated")
            if section.tag == "providers":
                if len(section):
                    raise Unsupported(f"{here}: custom rewrite providers run code on the host; the engine does not "
                                      "emulate them")
                continue
            if section.tag == "outboundRules":
                self._outbound(section, folder, where)
                continue
            if section.tag in _OUT_CHILDREN:
                continue  # response rewriting: these belong inside <outboundRules>
            if section.tag not in _COLLECTIONS:
                raise EngineError(f"{here}: unknown element (IIS answers HTTP 500.19, \"Unrecognized element\")")
            if section.tag == "globalRules" and not apphost_root:
                raise EngineError(f"{here}: globalRules can be defined only at the top of applicationHost.config "
                                  "(allowDefinition AppHostOnly; IIS answers HTTP 500.19)")
            if section.tag in ("rules", "globalRules"):
                _url_encoding(section.get("useOriginalURLEncoding", "true"), here)
            if section.tag == "allowedServerVariables":
                if level.path != APPHOST:
                    raise EngineError(f"{here}: allowedServerVariables is locked outside applicationHost.config "
                                      "(overrideModeDefault=\"Deny\"; IIS answers HTTP 500.19); define it in "
                                      "applicationHost.config, in a <location path=\"Site\"> for a site")
            self.merged[section.tag].merge(section, folder, where)

    def _outbound(self, section: ET.Element, folder: str, where: str) -> None:
        """<outboundRules> of a level: its rules and <preConditions> merged like <rules> (RW2: the outbound
        collection is inherited as the inbound one), the result kept per folder for ``outbound_for``."""
        self.merged["outboundRules"].merge(section, folder, where)
        for child in section.findall("preConditions"):
            self.merged["preConditions"].merge(child, folder, f"{where} <outboundRules>")
        snapshot = (folder, list(self.merged["outboundRules"].entries), list(self.merged["preConditions"].entries))
        if self.outbound and self.outbound[-1][0].lower() == folder.lower():
            self.outbound[-1] = snapshot
        else:
            self.outbound.append(snapshot)


def _parse(text: Any, level: _Level) -> ET.Element:
    if not isinstance(text, str):
        raise EngineError(f"{level.where('xml')} must be the text of a config file, got {text!r}")
    text = text.lstrip("\ufeff")
    if _DTD.search(text):
        raise EngineError(f"{level.where('xml')} holds a DOCTYPE or ENTITY declaration; IIS config files have none "
                          "and entities are not expanded")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise EngineError(f"{level.where('xml')} is not well-formed XML ({exc})") from None
    if root.tag != "configuration":
        raise EngineError(f"{level.where('xml')} must be a whole config file with <configuration> at its top, "
                          f"got <{root.tag}>")
    return root


def _rewrites(parent: ET.Element) -> list[ET.Element]:
    return [r for sw in parent.findall("system.webServer") for r in sw.findall("rewrite")]


def _location_folder(path: str, site: str | None) -> str | None:
    """The folder of a <location path> of applicationHost.config in ``site`` ('/' or '/blog'), '' for the server
    level, None for another site (or any site when ``site`` is not given)."""
    path = path.strip().strip("/")
    if path in ("", "."):
        return ""
    if not site:
        return None
    head, _sep, rest = path.partition("/")
    if head.lower() != site.lower():
        return None
    return "/" + rest.strip("/") if rest.strip("/") else "/"


def _refuse_site_locations(root: ET.Element, level: _Level) -> None:
    """Without ``site`` the <location path="Site..."> elements of applicationHost.config cannot be placed; the
    site's allowedServerVariables usually live there, so dropping them would give a false 500.50."""
    paths = [loc.get("path", "") for loc in root.findall("location")
             if _location_folder(loc.get("path", ""), None) is None and _rewrites(loc)]
    if paths:
        named = ", ".join(f'<location path="{p}">' for p in paths)
        raise EngineError(f"{level.where()}: {named} hold rewrite settings of a site; give site (the site these "
                          "levels belong to) so they are evaluated where IIS applies them")


def _here(root: ET.Element, level: _Level, deeper: list[tuple[str, _Level, ET.Element]]) -> list[ET.Element]:
    """The <rewrite> elements of a web.config's <location path="."> (what ASP.NET Core's publish writes): the
    level itself. Any other path in a web.config is refused. With inheritInChildApplications="false" a child
    application below would not inherit them, and the levels do not say which folders are applications."""
    out: list[ET.Element] = []
    for location in root.findall("location"):
        loc = location.get("path", "")
        if loc.strip() not in ("", "."):
            raise EngineError(f'{level.where()} <location path="{loc}">: a <location> element with a path in a '
                              "web.config is not evaluated; give the folder's rules as a level of its own")
        rewrites = _rewrites(location)
        if rewrites and deeper and (location.get("inheritInChildApplications") or "true").lower() == "false":
            below = ", ".join(lev.where() for _p, lev, _r in deeper)
            raise Unsupported(f'{level.where()} <location path="{loc}" inheritInChildApplications="false">: '
                              f"whether {below} is a child application (which does not inherit these rules) or a "
                              "folder cannot be told from the levels; give the levels of one application")
        out += rewrites
    return out


def _path(given: Any, level: _Level) -> str:
    if given == APPHOST:
        return APPHOST
    if not isinstance(given, str) or not given.startswith("/") or "\\" in given or "?" in given:
        raise EngineError(f"{level.where('path')} must be {APPHOST} (applicationHost.config) or the URL path of the "
                          f"folder of a web.config ('/', '/blog'), got {given!r}")
    return "/" + given.strip("/") if given.strip("/") else "/"


def _below(folder: str, parent: str) -> bool:
    return parent == "/" and folder != "/" or folder.lower().startswith(parent.lower() + "/")


def ruleset_from_xml(levels: list[dict[str, Any]], site: str | None = None) -> Effective:
    """The effective rules from the config files' text (``config`` of winflask.iis.rewrite_rule_test)."""
    if not isinstance(levels, list) or not levels:
        raise EngineError(f"config must be a list of {{path, xml}} levels, parent first, got {levels!r}")
    parsed: list[tuple[str, _Level, ET.Element]] = []  # (folder or APPHOST, level, root)
    previous: str | None = None
    for index, given in enumerate(levels):
        if not isinstance(given, dict) or set(given) - {"path", "xml"}:
            raise EngineError(f"config[{index}] must be a dictionary with path and xml, got {given!r}")
        level = _Level(index, str(given.get("path")))
        path = _path(given.get("path"), level)
        if path == APPHOST and index:
            raise EngineError(f"{level.where('path')}: applicationHost.config must be the first level (parent first)")
        if previous not in (None, APPHOST) and path != APPHOST and not _below(path, previous):
            raise EngineError(f"{level.where('path')} must lie below the folder before it, {previous!r} "
                              "(levels go parent first: applicationHost.config, '/', then deeper folders)")
        root = _parse(given.get("xml"), level)
        parsed.append((path, level, root))
        previous = path
    # merge order: applicationHost.config's top level, then per folder its <location> then its web.config
    chunks: list[tuple[str, int, _Level, ET.Element, str]] = []  # (folder, order, level, rewrite, where)
    for n, (path, level, root) in enumerate(parsed):
        if path == APPHOST:
            for rewrite in _rewrites(root):
                chunks.append(("", 0, level, rewrite, level.where()))
            if not site:
                _refuse_site_locations(root, level)
            for location in root.findall("location"):
                loc = location.get("path", "")
                folder = _location_folder(loc, site)
                rewrites = _rewrites(location)
                if folder is None or not rewrites:
                    continue
                if (location.get("inheritInChildApplications") or "true").lower() == "false":
                    raise Unsupported(f'{level.where()} <location path="{loc}" inheritInChildApplications="false">: '
                                      "which applications inherit it depends on the host's application list; "
                                      "not evaluated")
                for rewrite in rewrites:
                    chunks.append((folder, 0, level, rewrite, f'{level.where()} <location path="{loc}">'))
            continue
        for rewrite in _rewrites(root) + _here(root, level, parsed[n + 1:]):
            chunks.append((path, 1, level, rewrite, level.where()))
    # URL paths compare case-insensitively on IIS: '/Blog' and '/blog' are one folder
    folders = sorted({c[0].lower() for c in chunks if c[0]}, key=lambda f: (f.count("/") if f != "/" else 0, f))
    for parent, child in zip(folders, folders[1:], strict=False):
        if not _below(child, parent):
            raise EngineError(f"config: the rules of folders {parent!r} and {child!r} do not lie on one path from the "
                              "site root down; give the config of one application (one chain of folders)")
    rank = {f: n for n, f in enumerate(["", *folders])}
    sources = _Sources()
    sources.apphost_given = parsed[0][0] == APPHOST
    for folder, _order, level, rewrite, where in sorted(chunks, key=lambda c: (rank[c[0].lower()], c[1])):
        sources.add(rewrite, level, folder or "/", folder == "" and level.path == APPHOST, where)
    return _effective(sources)


def _effective(sources: _Sources) -> Effective:
    # errors name the config file and the rule's XML element: config[1] (/blog) <rules> <rule name="x">
    labels: dict[tuple[int | None, int], str] = {}
    global_rules = []
    for n, (_f, _k, element, where) in enumerate(sources.merged["globalRules"].entries):
        global_rules.append(model.rule_from_node(Node(_node(element, where)), model.GLOBAL))
        labels[None, n] = f"{where} {_describe(element)}"
    levels: list[tuple[str, list[dict[str, Any]]]] = []
    for folder, _key, element, where in sources.merged["rules"].entries:
        rule = model.rule_from_node(Node(_node(element, where)), model.INBOUND)
        if levels and levels[-1][0].lower() == folder.lower():
            levels[-1][1].append(rule)
        else:
            levels.append((folder, [rule]))
        labels[len(levels) - 1, len(levels[-1][1]) - 1] = f"{where} {_describe(element)}"
    maps = {}
    for _f, _k, element, where in sources.merged["rewriteMaps"].entries:
        rewrite_map = map_from_node(Node(_map_node(element, where)))
        maps[rewrite_map["name"]] = rewrite_map
    # without applicationHost.config the allow list is unknown: not checked (None); with it, IIS's default is empty
    allowed = ([str(e.get("name")) for _f, _k, e, _w in sources.merged["allowedServerVariables"].entries]
               if sources.apphost_given else None)
    effective = _build(global_rules, levels, maps, allowed, labels)
    outbound = tuple((folder, *_outbound_rules(rules, pre)) for folder, rules, pre in sources.outbound)
    return replace(effective, outbound_levels=outbound)


_OUT_LABEL = re.compile(r"outbound_rules\[(\d+)\] '[^']*'")


def _outbound_rules(rules: list[_Entry], pre: list[_Entry]) -> tuple[OutboundRuleSet | None, EngineError | None]:
    """A level's merged outbound rules compiled, or why they cannot be evaluated (naming the XML rule)."""
    try:
        specs = [model.rule_from_node(Node(_node(e, w, _OUT_SCHEMA)), model.OUTBOUND)
                 for _f, _k, e, w in rules]
        conditions = [precondition_from_node(Node(_node(e, w, _OUT_SCHEMA))) for _f, _k, e, w in pre]
        return OutboundRuleSet(specs, conditions), None
    except (EngineError, ModuleError) as exc:
        labels = [f"{w} {_describe(e)}" for _f, _k, e, w in rules]
        kind = type(exc) if isinstance(exc, EngineError) else EngineError
        return None, kind(_OUT_LABEL.sub(lambda m: labels[int(m.group(1))], str(exc)))
