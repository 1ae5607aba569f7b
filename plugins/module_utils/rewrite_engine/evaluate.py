"""Rule-set evaluation: global rules, then distributed rules parent first, as URL Rewrite 2.1 does.

``RuleSet(global_rules=[...], levels=[("/", rules), ("/myApp", rules)], maps={...})`` normalises every
rule to module shape (``rewrite/model.normalise_rule``: IIS defaults filled in) and compiles every pattern
once; ``evaluate(ruleset, request)`` returns what IIS would do with the request. Each behaviour and its
source: docs/rewrite-engine.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import GLOBAL, INBOUND, normalise_rule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expand import Context, RewriteMap, Template
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.patterns import Pattern, compile_pattern
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import (
    Request, split_url, variable_header)
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

REDIRECT_STATUS = {"Permanent": 301, "Found": 302, "SeeOther": 303, "Temporary": 307}
ENDS_REQUEST = ("Redirect", "CustomResponse", "AbortRequest")  # no later rule runs ("Rule action")
NOT_ALLOWED = ('The server variable "{name}" is not allowed to be set. Add the server variable name to the allowed '
               'server variable list.')


@dataclass(frozen=True)
class Condition:
    spec: dict[str, Any]
    pattern: Pattern | None  # None for IsFile / IsDirectory
    input: Template


@dataclass(frozen=True)
class Rule:
    """One rule, with everything that does not depend on the request prepared when the rule set is built."""

    spec: dict[str, Any]
    folder: str  # '/' for global rules and the site root; '/myApp' for a web.config in myApp
    is_global: bool
    pattern: Pattern
    conditions: tuple[Condition, ...]
    url: Template  # action.url ('' for actions without one)
    server_variables: tuple[tuple[dict[str, Any], Template], ...]  # (serverVariables item, its value)
    needs_variables: bool  # a condition input, the substitution or a server variable value reads {NAME}

    @property
    def name(self) -> str:
        return self.spec["name"]


def _folder(path: Any, where: str) -> str:
    if not isinstance(path, str) or not path.startswith("/") or "?" in path or "\\" in path:
        raise EngineError(f"{where} must be a URL path starting with '/' (the folder of a web.config), got {path!r}")
    return "/" + path.strip("/") if path.strip("/") else "/"


def _within(path: str, folder: str) -> str | None:
    """The part of ``path`` below ``folder`` without the leading '/' ('/myApp/help', '/myApp' -> 'help'), or
    None when the path is not in the folder. URL paths compare case-insensitively on IIS."""
    if folder == "/":
        return path[1:]
    low, base = path.lower(), folder.lower()
    if low == base:
        return ""
    if low.startswith(base + "/"):
        return path[len(folder) + 1:]
    return None


def _compile_rule(given: Any, flavor: str, folder: str, where: str, named: bool = False) -> Rule:
    """``where`` names the rule in errors; ``named``: it already holds the rule's name (a caller's label)."""
    if not isinstance(given, Mapping):
        raise EngineError(f"{where} must be a rule (a dictionary in the shape rewrite_rule_info returns), "
                          f"got {given!r}")
    try:
        spec = normalise_rule(dict(given), flavor, where)
    except ModuleError as exc:
        text = str(exc)
        if named:  # the label names the rule already: "<rule name="x"> 'x': ..." -> "<rule name="x">: ..."
            text = text.replace(f"{where} {given.get('name')!r}", where, 1)
        raise EngineError(text) from None
    where = where if named else f"{where} {spec['name']!r}"
    expanded = f"rule {spec['name']!r}"  # how expansion errors name the rule
    syntax = spec["pattern_syntax"]
    match = spec["match"]
    pattern = compile_pattern(match["url"], syntax, match["ignore_case"], match["negate"], f"{where}: match.url")
    conditions = []
    for n, cond in enumerate(spec["conditions"]):
        here = f"{where}: conditions[{n}]"
        if cond["match_type"] == "Pattern":
            compiled = compile_pattern(cond["pattern"], syntax, cond["ignore_case"], cond["negate"], f"{here}.pattern")
        elif flavor == GLOBAL:
            raise EngineError(f"{here}.match_type {cond['match_type']} can be used only for distributed rules "
                              "(URL Rewrite Module Configuration Reference, \"Rule conditions\")")
        else:
            compiled = None
        conditions.append(Condition(cond, compiled, Template(cond["input"], f"{expanded}: conditions[{n}].input")))
    variables = tuple((var, Template(var["value"], f"{expanded}: server_variables[{n}].value"))
                      for n, var in enumerate(spec.get("server_variables") or []))
    url = Template(spec["action"].get("url") if spec["action"]["type"] in ("Rewrite", "Redirect") else "",
                   f"{expanded}: action.url")
    templates = [url] + [c.input for c in conditions] + [t for _var, t in variables]
    return Rule(spec, folder, flavor == GLOBAL, pattern, tuple(conditions), url, variables,
                any(t.needs_variables for t in templates))


class RuleSet:
    """The effective inbound rules for one site/application, compiled once.

    ``global_rules``: the server's ``globalRules`` (applicationHost.config). ``levels``: ``(folder, rules)``
    pairs, parent first, from the site root down ('/' then '/myApp'), each the distributed ``rules`` of that
    folder's web.config with ``<clear/>``/``<remove>`` already applied. Rules are in module shape (what
    ``winflask.iis.rewrite_rule_info`` returns; options left out take IIS's defaults). ``maps``: rewrite
    maps by name, each ``{default_value, ignore_case, entries}`` as ``winflask.iis.rewrite_map_info`` returns
    them (or a list of such maps with their ``name``). ``allowed_server_variables``: the names the site may
    set (allowedServerVariables); None does not check them, a list makes a distributed rule that sets any
    other variable end the request with HTTP 500.50, as IIS does (global rules may set any variable).
    ``labels``: how errors name a rule, by (level index, None for a global rule; rule index), the rule's name
    included (rewrite_engine/sources.py names the config file and its XML element); default
    ``levels[0] (/) rules[2] 'name'``."""

    def __init__(self, global_rules: Iterable[Any] = (), levels: Iterable[tuple[str, Iterable[Any]]] = (),
                 maps: Mapping[str, Any] | Iterable[Any] | None = None, outbound_rules: Iterable[Any] = (),
                 allowed_server_variables: Iterable[str] | None = None,
                 labels: Mapping[tuple[int | None, int], str] | None = None) -> None:
        if list(outbound_rules or []):
            raise Unsupported("outbound_rules: outbound rules (response rewriting) are not evaluated by the engine")
        labels = labels or {}

        def compile_one(rule: Any, flavor: str, folder: str, key: tuple[int | None, int], where: str) -> Rule:
            label = labels.get(key)
            return _compile_rule(rule, flavor, folder, label or where, named=label is not None)

        self.global_rules = tuple(compile_one(r, GLOBAL, "/", (None, n), f"global_rules[{n}]")
                                  for n, r in enumerate(global_rules or []))
        self.levels: tuple[tuple[str, tuple[Rule, ...]], ...] = ()
        previous: str | None = None
        for i, level in enumerate(levels or []):
            if not isinstance(level, (tuple, list)) or len(level) != 2:
                raise EngineError(f"levels[{i}] must be a (folder, rules) pair, got {level!r}")
            folder = _folder(level[0], f"levels[{i}] folder")
            if previous is not None and _within(folder, previous) in (None, ""):
                raise EngineError(f"levels[{i}] folder {folder!r} must lie below the folder before it, {previous!r} "
                                  "(levels go from the site root down, parent first)")
            rules = tuple(compile_one(r, INBOUND, folder, (i, n), f"levels[{i}] ({folder}) rules[{n}]")
                          for n, r in enumerate(level[1] or []))
            self.levels += ((folder, rules),)
            previous = folder
        self.maps = _maps(maps)
        # what evaluate() walks: the enabled rules only (a rule with enabled=false is not evaluated)
        self.active_global = tuple(r for r in self.global_rules if r.spec["enabled"])
        self.active_levels = tuple((folder, tuple(r for r in rules if r.spec["enabled"]))
                                   for folder, rules in self.levels)
        self.allowed: frozenset[str] | None = None
        if allowed_server_variables is not None:
            if isinstance(allowed_server_variables, str) or not all(
                    isinstance(n, str) for n in allowed_server_variables):
                raise EngineError("allowed_server_variables must be a list of server variable names, "
                                  f"got {allowed_server_variables!r}")
            self.allowed = frozenset(n.upper() for n in allowed_server_variables)


def _maps(given: Mapping[str, Any] | Iterable[Any] | None) -> dict[str, RewriteMap]:
    if not given:
        return {}
    items = ([{**m, "name": m.get("name", name)} for name, m in given.items()] if isinstance(given, Mapping)
             else list(given))
    out: dict[str, RewriteMap] = {}
    for n, item in enumerate(items):
        rewrite_map = RewriteMap.from_model(item, f"maps[{n}]")
        out[rewrite_map.name.lower()] = rewrite_map  # map names are case-insensitive collection keys
    return out


class _State:
    """The request as the rules change it."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self._variables: dict[str, str] | None = None
        self._known: dict[str, set[str]] = {}
        self.path, self.query = split_url(request.url)
        self.set_variables: dict[str, str] = {}
        self.matched: list[str] = []
        self.captures: dict[str, dict[str, list[str]]] = {}
        self.final: dict[str, Any] = {"type": "None", "url": "", "rooted_url": request.url, "status": None,
                                      "proxy": False}
        self.proxy = False

    @property
    def variables(self) -> dict[str, str]:
        """The request's server variables and those rules set so far; built when a matched rule first needs them."""
        if self._variables is None:
            self._variables = self.request.variables()
        return self._variables

    def exists(self, text: str, match_type: str) -> bool:
        """Whether ``text`` (a physical path, or a URL path) is a file (IsFile) or directory (IsDirectory): the
        request's ``exists`` hook when given, else its files/dirs lists (computed once per request)."""
        request = self.request
        path = request.physical_path(text)
        if request.exists is not None:
            return request.exists(path) == ("file" if match_type == "IsFile" else "dir")
        if match_type not in self._known:
            given = request.files if match_type == "IsFile" else request.dirs
            self._known[match_type] = {_caseless(request.physical_path(p)) for p in given}
        return _caseless(path) in self._known[match_type]

    def request_filename(self) -> str:
        """{REQUEST_FILENAME} of the current URL (after the rewrites so far; UNCONFIRMED, below)."""
        return self.request.on_disk(unquote(self.path))

    def current_variables(self) -> dict[str, str]:
        # UNCONFIRMED: {URL}, {PATH_INFO} and {REQUEST_FILENAME} follow the rewritten path.
        if self.proxy:
            return self.variables
        decoded = unquote(self.path)
        return {**self.variables, "URL": decoded, "PATH_INFO": decoded, "SCRIPT_NAME": decoded,
                "REQUEST_FILENAME": self.request.on_disk(decoded)}


def _caseless(path: str) -> str:
    """Physical paths compare case-insensitively (NTFS), without a trailing backslash."""
    return path.rstrip("\\").lower()


def _conditions(rule: Rule, ctx: Context, state: _State) -> tuple[bool, list[str]]:
    """Whether the conditions hold, and the {C:n} list the action sees ("Rule conditions";
    URL Rewrite 2.0 reference, "Tracking Capture Groups Across Conditions")."""
    if not rule.conditions:
        return True, []
    any_mode = rule.spec["logical_grouping"] == "MatchAny"
    track = rule.spec["track_all_captures"]
    tracked: list[str] = []
    for cond in rule.conditions:
        if cond.pattern is None:
            # RW1 "Rule conditions", IsFile/IsDirectory: "If a condition input string is not specified, the URL
            # Rewrite Module uses the physical path of the requested file as a default value"
            text = cond.input.render(ctx) if cond.spec["input"] else state.request_filename()
            found = state.exists(text, cond.spec["match_type"])
            groups: list[str] | None = [] if found != bool(cond.spec["negate"]) else None
        else:
            groups = cond.pattern.match(cond.input.render(ctx))
        if groups is not None and groups:
            if track:
                tracked = tracked + groups[1:] if tracked else list(groups)
                ctx.condition = tracked
            else:
                ctx.condition = groups
        if any_mode and groups is not None:
            return True, ctx.condition
        if not any_mode and groups is None:
            return False, ctx.condition
    return not any_mode, ctx.condition


def _with_query(url: str, query: str, append: bool) -> str:
    """appendQueryString (default true): the query string of the current URL appended to the substitution."""
    if not append or not query:
        return url
    return url + ("&" if "?" in url else "?") + query


def _is_absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _rooted(url: str, folder: str) -> str:
    """A relative substitution resolved against the folder of the rule's web.config ('/' for global rules)."""
    if url.startswith("/"):
        return url
    return (folder.rstrip("/") + "/" + url) if folder != "/" else "/" + url


def _set_variables(rule: Rule, ctx: Context, state: _State, allowed: frozenset[str] | None) -> bool:
    """A matched rule's serverVariables ("Setting Request Headers and Server Variables"; replace default true).
    False when a distributed rule sets a variable that is not allowed: IIS answers HTTP 500.50
    (URL Rewrite 2.0 reference, "Allowed server variables list"; shared/research/iis-facts.md 1.6)."""
    for var, template in rule.server_variables:
        name = var["name"].upper()
        if allowed is not None and not rule.is_global and name not in allowed:
            state.final = {"type": "Error", "url": "", "rooted_url": "", "status": 500, "sub_status": 50,
                           "reason": "URL Rewrite Module Error.",
                           "description": NOT_ALLOWED.format(name=var["name"]), "proxy": False}
            return False
        if not var["replace"] and (name in state.variables and state.variables[name] != ""):
            continue
        value = template.render(ctx)
        state.variables[name] = value
        state.set_variables[var["name"]] = value
    return True


def _action(rule: Rule, ctx: Context, state: _State) -> bool:
    """Perform the action; True when no later rule runs."""
    action = rule.spec["action"]
    kind = action["type"]
    if kind in ("Rewrite", "Redirect"):
        url = _with_query(rule.url.render(ctx), state.query, action["append_query_string"])
        absolute = _is_absolute(url)
        if kind == "Rewrite":
            rooted = url if absolute else _rooted(url, rule.folder)
            state.final = {"type": "Rewrite", "url": url, "rooted_url": rooted, "status": None, "proxy": absolute}
            state.proxy = absolute
            # the rewritten URL is the input of the rules after this one ("Rules Evaluation")
            state.path, state.query = split_url(rooted)
            return False
        if absolute:
            location = url
        else:
            scheme = "https" if state.request.https else "http"
            location = f"{scheme}://{state.variables.get('HTTP_HOST', state.request.host)}{_rooted(url, rule.folder)}"
        state.final = {"type": "Redirect", "url": url, "rooted_url": location,
                       "status": REDIRECT_STATUS[action["redirect_type"]], "proxy": False}
        return True
    if kind == "CustomResponse":
        state.final = {"type": "CustomResponse", "url": "", "rooted_url": "", "status": action["status_code"],
                       "sub_status": action["sub_status_code"], "reason": action["status_reason"],
                       "description": action["status_description"], "proxy": False}
        return True
    if kind == "AbortRequest":
        state.final = {"type": "AbortRequest", "url": "", "rooted_url": "", "status": None, "proxy": False}
        return True
    return False  # None: no action


def _subject(state: _State, folder: str) -> str | None:
    """What the rules of ``folder`` match their pattern against; None when the path is not in the folder."""
    if state.proxy:
        return state.path
    subject = _within(state.path, folder)
    return None if subject is None else unquote(subject)  # UNCONFIRMED detail: the pattern sees the decoded path


NO_VARIABLES: Mapping[str, str] = MappingProxyType({})  # the context of a rule that reads no server variable


def _run(rules: Iterable[Rule], state: _State, ruleset: RuleSet, folder: str) -> str:
    """Run one list of enabled rules; 'stop' (stopProcessing), 'end' (the response is decided) or 'next'.

    The pattern subject is computed once, and again only after a matched rule (a Rewrite may change the
    path); the server variables are built only for a matched rule that reads them."""
    subject = _subject(state, folder)
    if subject is None:
        return "next"  # a Rewrite moved the request out of this folder
    for rule in rules:
        pattern = rule.pattern
        found = pattern.find(subject)
        if (found is None) is not pattern.negate:  # pattern.hit(found), inlined: this loop runs per rule
            continue
        ctx = Context(state.current_variables() if rule.needs_variables else NO_VARIABLES, ruleset.maps,
                      pattern.captures(found))
        ok, condition = _conditions(rule, ctx, state)
        if not ok:
            continue
        state.matched.append(rule.name)
        state.captures[rule.name] = {"R": list(ctx.rule), "C": list(condition)}
        if not _set_variables(rule, ctx, state, ruleset.allowed):
            return "end"
        if _action(rule, ctx, state):
            return "end"
        if rule.spec["stop_processing"]:
            return "stop"
        subject = _subject(state, folder)
        if subject is None:
            return "next"
    return "next"


def evaluate(ruleset: RuleSet, request: Request | Mapping[str, Any]) -> dict[str, Any]:
    """What IIS does with ``request``: matched rules, captures, the final action, variables and headers set."""
    if isinstance(request, Request):
        request.check()
    else:
        request = Request.from_dict(dict(request))  # checks it
    state = _State(request)
    outcome = _run(ruleset.active_global, state, ruleset, "/")
    # stopProcessing in a global rule ends the global rule set only (UNCONFIRMED, docs/rewrite-engine.md)
    if outcome != "end":
        for folder, rules in ruleset.active_levels:
            if state.proxy or _within(state.path, folder) is None:
                break
            if _run(rules, state, ruleset, folder) != "next":
                break
    headers = {}
    for name, value in state.set_variables.items():
        header = variable_header(name)
        if header:
            headers[header] = value
    return {"matched_rules": state.matched, "captures": state.captures, "final": state.final,
            "server_variables": dict(state.set_variables), "request_headers": headers}
