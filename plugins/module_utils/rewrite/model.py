"""The URL Rewrite rule model: module options <-> IIS config elements, with IIS's defaults.

A rule in *module shape* is a dict with every option filled in (IIS defaults for the ones not
given). Two rules are the same when their module shapes are equal, so a rule given with only some
options compares equal to what IIS reports back for it. Schema facts (names, defaults) come from
shared/research/iis-facts.md section 1 and are listed in docs/rewrite.md.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.config import Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import SYNTAXES

INBOUND = "rules"          # distributed inbound rules (web.config, or applicationHost.config)
GLOBAL = "globalRules"     # server-wide inbound rules, applicationHost.config only
OUTBOUND = "outboundRules"  # response rewriting rules
SECTIONS = {flavor: f"system.webServer/rewrite/{flavor}" for flavor in (INBOUND, GLOBAL, OUTBOUND)}
ALLOWED_SECTION = "system.webServer/rewrite/allowedServerVariables"

ACTION_TYPES = ("None", "Rewrite", "Redirect", "CustomResponse", "AbortRequest")
OUTBOUND_ACTION_TYPES = ("None", "Rewrite")
REDIRECT_TYPES = {301: "Permanent", 302: "Found", 303: "SeeOther", 307: "Temporary"}
MATCH_TYPES = ("Pattern", "IsFile", "IsDirectory")
GROUPINGS = ("MatchAll", "MatchAny")
TAGS = ("A", "Area", "Base", "Form", "Frame", "Head", "IFrame", "Img", "Input", "Link", "Script",
        "CustomTags")

# option -> (IIS attribute, default). A default of None means: no schema default, written only when set.
RULE_ATTRS = {"name": ("name", None), "enabled": ("enabled", True),
              "pattern_syntax": ("patternSyntax", "ECMAScript"), "stop_processing": ("stopProcessing", False)}
OUTBOUND_RULE_ATTRS = {**RULE_ATTRS, "precondition": ("preCondition", "")}
MATCH_ATTRS = {"url": ("url", ""), "ignore_case": ("ignoreCase", True), "negate": ("negate", False)}
OUTBOUND_MATCH_ATTRS = {"server_variable": ("serverVariable", ""), "filter_by_tags": ("filterByTags", []),
                        "custom_tags": ("customTags", ""), "pattern": ("pattern", ""),
                        "occurrences": ("occurrences", 0), "ignore_case": ("ignoreCase", True),
                        "negate": ("negate", False)}
CONDITION_ATTRS = {"input": ("input", ""), "match_type": ("matchType", "Pattern"), "pattern": ("pattern", ""),
                   "ignore_case": ("ignoreCase", True), "negate": ("negate", False)}
VARIABLE_ATTRS = {"name": ("name", ""), "value": ("value", ""), "replace": ("replace", True)}
ACTION_ATTRS = {"type": ("type", "None"), "url": ("url", ""), "append_query_string": ("appendQueryString", True),
                "log_rewritten_url": ("logRewrittenUrl", False), "redirect_type": ("redirectType", "Permanent"),
                "status_code": ("statusCode", 0), "sub_status_code": ("subStatusCode", 0),
                "status_reason": ("statusReason", ""), "status_description": ("statusDescription", "")}
OUTBOUND_ACTION_ATTRS = {"type": ("type", "None"), "value": ("value", ""), "replace": ("replace", True)}


def action_attrs(flavor: str) -> dict[str, tuple[str, Any]]:
    if flavor == OUTBOUND:
        return OUTBOUND_ACTION_ATTRS
    if flavor == GLOBAL:  # logRewrittenUrl exists only in the distributed rules schema
        return {k: v for k, v in ACTION_ATTRS.items() if k != "log_rewritten_url"}
    return ACTION_ATTRS


def rule_attrs(flavor: str) -> dict[str, tuple[str, Any]]:
    return OUTBOUND_RULE_ATTRS if flavor == OUTBOUND else RULE_ATTRS


def match_attrs(flavor: str) -> dict[str, tuple[str, Any]]:
    return OUTBOUND_MATCH_ATTRS if flavor == OUTBOUND else MATCH_ATTRS


def plain(value: Any) -> Any:
    """Plain Python types (ansible-core 2.19+ hands tagged str/int subclasses that yaml.safe_dump refuses)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


# -- enum helpers -----------------------------------------------------------------------------
def enum_name(value: Any, names: tuple[str, ...], option: str) -> str:
    """The schema name of ``value`` given in any case, with or without underscores (custom_response)."""
    key = str(value).replace("_", "").lower()
    for name in names:
        if name.lower() == key:
            return name
    raise ModuleError(f"{option} must be one of {', '.join(names)}, got {value!r}")


def redirect_name(value: Any, option: str) -> str:
    """Redirect type by status code (301, '302') or schema name; URL Rewrite knows no 308."""
    text = str(value).strip()
    if text.isdigit():
        code = int(text)
        if code in REDIRECT_TYPES:
            return REDIRECT_TYPES[code]
        extra = " (URL Rewrite has no 308 redirect type)" if code == 308 else ""
        raise ModuleError(f"{option} must be 301, 302, 303 or 307 (or Permanent, Found, SeeOther, Temporary), "
                          f"got {value!r}{extra}")
    names = tuple(REDIRECT_TYPES.values())
    try:
        return enum_name(text, names, option)
    except ModuleError:
        raise ModuleError(f"{option} must be 301, 302, 303 or 307 (or Permanent, Found, SeeOther, Temporary), "
                          f"got {value!r}") from None


def tag_list(value: Any, option: str) -> list[str]:
    """filterByTags as a list of schema names in schema order ('A, Form' or ['a', 'form'] -> ['A', 'Form'])."""
    if value in (None, "", "None"):
        return []
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
    names = {enum_name(v, TAGS, option) for v in items if v and v != "None"}
    return [t for t in TAGS if t in names]


# -- user options -> module shape ---------------------------------------------------------------
def _fill(given: dict[str, Any] | None, attrs: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    given = given or {}
    return {opt: (given.get(opt) if given.get(opt) is not None else _copy(default))
            for opt, (_attr, default) in attrs.items()}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _unknown(given: dict[str, Any] | None, attrs: dict[str, tuple[str, Any]], where: str, flavor: str) -> None:
    for key, value in (given or {}).items():
        if value is not None and key not in attrs:
            raise ModuleError(f"{where}.{key} is not an option of {describe_flavor(flavor)} (got {value!r})")


def describe_flavor(flavor: str) -> str:
    return {INBOUND: "inbound rules", GLOBAL: "global (server-level inbound) rules",
            OUTBOUND: "outbound rules"}[flavor]


def normalise_rule(given: dict[str, Any], flavor: str, where: str = "rule") -> dict[str, Any]:
    """A rule as given by the user -> module shape with IIS defaults and schema enum names."""
    given = plain(given)
    name = given.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ModuleError(f"{where}.name must be a non-empty string, got {name!r}")
    where = f"{where} {name!r}"
    inbound_only = ("server_variables",)
    outbound_only = ("precondition",)
    for key in (outbound_only if flavor != OUTBOUND else inbound_only):
        if given.get(key):
            raise ModuleError(f"{where}: {key} is not an option of {describe_flavor(flavor)} (got {given[key]!r})")
    rule = _fill(given, rule_attrs(flavor))
    rule["pattern_syntax"] = enum_name(rule["pattern_syntax"], SYNTAXES, f"{where}: pattern_syntax")
    _unknown(given.get("match"), match_attrs(flavor), f"{where}: match", flavor)
    rule["match"] = _fill(given.get("match"), match_attrs(flavor))
    if flavor == OUTBOUND:
        rule["match"]["filter_by_tags"] = tag_list(rule["match"]["filter_by_tags"], f"{where}: match.filter_by_tags")
    rule["conditions"] = []
    for n, cond in enumerate(given.get("conditions") or []):
        _unknown(cond, CONDITION_ATTRS, f"{where}: conditions[{n}]", flavor)
        filled = _fill(cond, CONDITION_ATTRS)
        filled["match_type"] = enum_name(filled["match_type"], MATCH_TYPES, f"{where}: conditions[{n}].match_type")
        rule["conditions"].append(filled)
    grouping = given.get("logical_grouping") or "MatchAll"
    rule["logical_grouping"] = enum_name(grouping, GROUPINGS, f"{where}: logical_grouping")
    track = given.get("track_all_captures")
    rule["track_all_captures"] = (flavor == OUTBOUND) if track is None else bool(track)
    if flavor != OUTBOUND:
        rule["server_variables"] = []
        for n, var in enumerate(given.get("server_variables") or []):
            _unknown(var, VARIABLE_ATTRS, f"{where}: server_variables[{n}]", flavor)
            rule["server_variables"].append(_fill(var, VARIABLE_ATTRS))
    _unknown(given.get("action"), action_attrs(flavor), f"{where}: action", flavor)
    action = _fill(given.get("action"), action_attrs(flavor))
    types = OUTBOUND_ACTION_TYPES if flavor == OUTBOUND else ACTION_TYPES
    action["type"] = enum_name(action["type"], types, f"{where}: action.type")
    if "redirect_type" in action:
        action["redirect_type"] = redirect_name(action["redirect_type"], f"{where}: action.redirect_type")
    rule["action"] = action
    return rule


# -- IIS node -> module shape -------------------------------------------------------------------
def _from_node(node: Node, attrs: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for opt, (attr, default) in attrs.items():
        value = node.value(attr)
        out[opt] = _copy(default) if value is None else value
    return out


def rule_from_node(node: Node, flavor: str) -> dict[str, Any]:
    """A rule element as read from the host -> module shape (feedable back into the modules)."""
    rule = _from_node(node, rule_attrs(flavor))
    rule["match"] = _from_node(node.child("match"), match_attrs(flavor))
    if flavor == OUTBOUND:
        rule["match"]["filter_by_tags"] = tag_list(node.child("match").value("filterByTags"), "filterByTags")
    conditions = node.child("conditions")
    rule["conditions"] = [_from_node(item, CONDITION_ATTRS) for item in conditions.items]
    rule["logical_grouping"] = conditions.value("logicalGrouping") or "MatchAll"
    track = conditions.value("trackAllCaptures")
    rule["track_all_captures"] = (flavor == OUTBOUND) if track is None else bool(track)
    if flavor != OUTBOUND:
        rule["server_variables"] = [_from_node(item, VARIABLE_ATTRS) for item in node.child("serverVariables").items]
    rule["action"] = _from_node(node.child("action"), action_attrs(flavor))
    return rule


# -- module shape -> config_apply element spec ----------------------------------------------------
def _attributes(values: dict[str, Any], attrs: dict[str, tuple[str, Any]], keep: tuple[str, ...] = ()) -> dict:
    """Attributes to write: those that differ from the schema default (plus ``keep``)."""
    out = {}
    for opt, (attr, default) in attrs.items():
        value = values.get(opt)
        if opt == "filter_by_tags":
            if value:
                out[attr] = ", ".join(value)
            continue
        if opt in keep or (value is not None and value != default):
            out[attr] = value
    return out


def _child(name: str, attributes: dict[str, Any], items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "attributes": attributes, "children": {}}
    if items is not None:
        spec["items"] = items
    return spec


def rule_element(rule: dict[str, Any], flavor: str) -> dict[str, Any]:
    """The ``add`` element spec of a rule: only non-default attributes, as IIS Manager writes them.

    An empty inbound ``match.url`` is left out: the schema validates it nonEmptyString, so IIS refuses
    ``url=""`` but loads a rule without the attribute (MWA ConfigurationAttributeSchema.ValidationType).
    """
    children = {"match": _child("match", _attributes(rule["match"], match_attrs(flavor),
                                                     keep=() if flavor != OUTBOUND else ("pattern",)))}
    default_track = flavor == OUTBOUND
    cond_attrs: dict[str, Any] = {}
    if rule["logical_grouping"] != "MatchAll":
        cond_attrs["logicalGrouping"] = rule["logical_grouping"]
    if rule["track_all_captures"] != default_track:
        cond_attrs["trackAllCaptures"] = rule["track_all_captures"]
    if cond_attrs or rule["conditions"]:
        items = [{"name": "add", "attributes": _attributes(c, CONDITION_ATTRS, keep=("input",))}
                 for c in rule["conditions"]]
        children["conditions"] = _child("conditions", cond_attrs, items)
    if flavor != OUTBOUND and rule["server_variables"]:
        items = [{"name": "set", "attributes": _attributes(v, VARIABLE_ATTRS, keep=("name", "value"))}
                 for v in rule["server_variables"]]
        children["serverVariables"] = _child("serverVariables", {}, items)
    children["action"] = _child("action", _attributes(rule["action"], action_attrs(flavor), keep=("type",)))
    return {"name": "rule", "attributes": _attributes(rule, rule_attrs(flavor), keep=("name",)),
            "children": children}


def same_rule(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a == b


def same_name(a: str, b: str) -> bool:
    """Rule and variable names are compared like IIS compares collection keys: case-insensitively."""
    return a.lower() == b.lower()
