"""Outbound rules on a response's headers, as URL Rewrite 2.x runs them (docs/rewrite-engine.md, "Outbound rules").

``OutboundRuleSet(rules=[...], preconditions=[...])`` normalises every rule to module shape
(``rewrite/model.normalise_rule`` with the outbound flavor: IIS's defaults filled in, ``trackAllCaptures``
true) and compiles every pattern once; ``evaluate_outbound(ruleset, request, response_headers)`` returns the
response headers after the rules and a trace of what each rule did.

Sources (RW2: Microsoft, "URL Rewrite Module 2.0 Configuration Reference"; MRH: "Modifying HTTP Response
Headers"): the rules are the effective ``outboundRules`` collection of the request's path (one collection,
inherited like ``rules``; there is no global outbound collection: the section has no ``globalRules`` twin),
run in order; a rule's ``preCondition`` names an item of ``<preConditions>`` that must hold before the rule is
evaluated (RW2 "Pre-conditions"); ``match serverVariable="RESPONSE_X"`` matches the pattern against the
response header X, underscores for dashes (RW2 "Accessing Response Headers from Rewrite Rules"); conditions
read the request's server variables and the response's; a Rewrite action sets the header to its expanded
``value`` with ``{R:n}``/``{C:n}`` (RW2 "Setting Response Headers"; MRH, RESPONSE_Location); ``stopProcessing``
ends the rule set. Rules that match the response BODY (no ``serverVariable``: ``filterByTags``/``customTags``)
are Unsupported, never guessed.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import OUTBOUND, normalise_rule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.outbound import normalise_precondition
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import Condition, _conditions
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expand import Context, Template
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.patterns import Pattern, compile_pattern
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

RESPONSE = "RESPONSE_"


def header_of(variable: str) -> str | None:
    """``RESPONSE_Strict_Transport_Security`` -> ``Strict-Transport-Security`` (RW2 "Accessing Response
    Headers from Rewrite Rules": the header name with underscores for dashes, prefixed RESPONSE_); None for a
    variable that names no response header."""
    if not variable.upper().startswith(RESPONSE) or len(variable) == len(RESPONSE):
        return None
    return variable[len(RESPONSE):].replace("_", "-")


def variable_of(header: str) -> str:
    """``Content-Type`` -> ``RESPONSE_CONTENT_TYPE`` (server variable names are case-insensitive)."""
    return (RESPONSE + header.replace("-", "_")).upper()


@dataclass(frozen=True)
class _Conditions:
    """What ``evaluate._conditions`` reads: the condition list and the grouping (a rule or a preCondition)."""

    spec: dict[str, Any]
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class OutboundRule:
    spec: dict[str, Any]
    variable: str  # upper case, RESPONSE_...
    header: str  # the header name the rule writes, as the rule spells it
    pattern: Pattern
    checks: _Conditions
    value: Template

    @property
    def name(self) -> str:
        return self.spec["name"]


def _compile_conditions(conditions: Iterable[dict[str, Any]], syntax: str, where: str) -> tuple[Condition, ...]:
    out = []
    for n, cond in enumerate(conditions):
        here = f"{where}: conditions[{n}]"
        if cond["match_type"] != "Pattern":
            raise Unsupported(f"{here}.match_type {cond['match_type']}: file checks in outbound rules and "
                              "preConditions are not evaluated by the engine")
        compiled = compile_pattern(cond["pattern"], syntax, cond["ignore_case"], cond["negate"], f"{here}.pattern")
        out.append(Condition(cond, compiled, Template(cond["input"], f"{here}.input")))
    return tuple(out)


def _precondition(given: Any, where: str) -> tuple[str, _Conditions]:
    """One ``<preConditions>`` item in the shape rewrite_outbound_info returns (name, logical_grouping,
    pattern_syntax, conditions); RW2 "Pre-conditions": logicalGrouping MatchAll, patternSyntax ECMAScript."""
    if not isinstance(given, Mapping) or not isinstance(given.get("name"), str) or not given["name"]:
        raise EngineError(f"{where} must be a preCondition with a name, got {given!r}")
    where = f"{where} {given['name']!r}"
    try:
        pre = normalise_precondition(dict(given))
    except ModuleError as exc:
        raise EngineError(f"{where}: {exc}") from None
    spec = {"logical_grouping": pre["logical_grouping"], "track_all_captures": False}
    conditions = _compile_conditions(pre["conditions"], pre["pattern_syntax"], where)
    return given["name"].lower(), _Conditions(spec, conditions)


def _compile(given: Any, where: str, known: Mapping[str, _Conditions]) -> OutboundRule:
    if not isinstance(given, Mapping):
        raise EngineError(f"{where} must be an outbound rule (a dictionary in the shape rewrite_rule_info "
                          f"returns), got {given!r}")
    try:
        spec = normalise_rule(dict(given), OUTBOUND, where)
    except ModuleError as exc:
        raise EngineError(str(exc)) from None
    where = f"{where} {spec['name']!r}"
    match, action = spec["match"], spec["action"]
    variable = match["server_variable"]
    if not variable:
        raise Unsupported(f"{where}: match without server_variable rewrites the response body "
                          f"(filter_by_tags {match['filter_by_tags'] or []}, custom_tags "
                          f"{match['custom_tags']!r}); the engine evaluates response header rules only")
    header = header_of(variable)
    if header is None:
        raise Unsupported(f"{where}: match.server_variable {variable!r} is not a response header "
                          "(RESPONSE_<name>); the engine rewrites response headers only")
    if match["occurrences"]:
        raise Unsupported(f"{where}: match.occurrences {match['occurrences']!r} is not evaluated by the engine")
    if not action["replace"] and action["type"] == "Rewrite":
        raise Unsupported(f"{where}: action.replace false is not evaluated by the engine")
    pre = spec["precondition"]
    if pre and pre.lower() not in known:
        raise EngineError(f"{where}: precondition {pre!r} is not a preCondition of the outbound rules "
                          f"(known: {', '.join(sorted(known)) or 'none'})")
    syntax = spec["pattern_syntax"]
    pattern = compile_pattern(match["pattern"], syntax, match["ignore_case"], match["negate"],
                              f"{where}: match.pattern")
    checks = _Conditions(spec, _compile_conditions(spec["conditions"], syntax, where))
    return OutboundRule(spec, variable.upper(), header, pattern, checks,
                        Template(action["value"] if action["type"] == "Rewrite" else "", f"{where}: action.value"))


class OutboundRuleSet:
    """The effective outbound rules of a request's path, in order, compiled once.

    ``rules``: the ``outboundRules`` collection as ``winflask.iis.rewrite_rule_info`` (direction outbound)
    returns it, ``<clear/>``/``<remove>`` already applied; ``preconditions``: the ``<preConditions>`` items as
    ``winflask.iis.rewrite_outbound_info`` returns them."""

    def __init__(self, rules: Iterable[Any] = (), preconditions: Iterable[Any] = ()) -> None:
        self.preconditions = dict(_precondition(p, f"preconditions[{n}]")
                                  for n, p in enumerate(preconditions or []))
        self.rules = tuple(_compile(r, f"outbound_rules[{n}]", self.preconditions)
                           for n, r in enumerate(rules or []))
        self.active = tuple(r for r in self.rules if r.spec["enabled"])


def _headers(given: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = list(given.items()) if isinstance(given, Mapping) else list(given)
    if not all(isinstance(i, (tuple, list)) and len(i) == 2 and all(isinstance(x, str) for x in i) for i in items):
        raise EngineError(f"response_headers must be (name, value) pairs of strings, got {given!r}")
    return [(str(k), str(v)) for k, v in items]


def _set(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """The header set to ``value`` at its place (every same-named header replaced by one), or appended.
    UNCONFIRMED (docs/rewrite-engine.md): an empty value leaves an absent header absent and keeps a present
    header with an empty value."""
    low = name.lower()
    present = [n for n, (k, _v) in enumerate(headers) if k.lower() == low]
    if not present:
        return headers if value == "" else headers + [(name, value)]
    first = present[0]
    return [(k, value) if n == first else (k, v) for n, (k, v) in enumerate(headers)
            if n == first or k.lower() != low]


def evaluate_outbound(ruleset: OutboundRuleSet, request: Request | Mapping[str, Any],
                      response_headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The response headers after the outbound rules, and what each enabled rule did.

    Returns ``{"headers": [(name, value), ...], "matched_rules": [...], "captures": {rule: {"R", "C"}},
    "trace": [{"rule", "result"}]}``; ``result`` is one of ``precondition false``, ``no match``,
    ``conditions false``, ``rewritten``, ``matched`` (action None)."""
    if isinstance(request, Request):
        request.check()
    else:
        request = Request.from_dict(dict(request))
    headers = _headers(response_headers)
    base = request.variables()
    matched: list[str] = []
    captures: dict[str, dict[str, list[str]]] = {}
    trace: list[dict[str, str]] = []

    def variables() -> dict[str, str]:
        # the response's headers as RESPONSE_* server variables, next to the request's (RW2)
        out = dict(base)
        for name, value in headers:
            out.setdefault(variable_of(name), value)
        return out

    for rule in ruleset.active:
        current = variables()
        pre = rule.spec["precondition"]
        if pre and not _conditions(ruleset.preconditions[pre.lower()], Context(current, {}), None)[0]:
            trace.append({"rule": rule.name, "result": "precondition false"})
            continue
        groups = rule.pattern.match(current.get(rule.variable, ""))
        if groups is None:
            trace.append({"rule": rule.name, "result": "no match"})
            continue
        ctx = Context(current, {}, groups)
        ok, condition = _conditions(rule.checks, ctx, None)
        if not ok:
            trace.append({"rule": rule.name, "result": "conditions false"})
            continue
        matched.append(rule.name)
        captures[rule.name] = {"R": list(groups), "C": list(condition)}
        if rule.spec["action"]["type"] == "Rewrite":
            headers = _set(headers, rule.header, rule.value.render(ctx))
            trace.append({"rule": rule.name, "result": "rewritten"})
        else:
            trace.append({"rule": rule.name, "result": "matched"})
        if rule.spec["stop_processing"]:
            break
    return {"headers": headers, "matched_rules": matched, "captures": captures, "trace": trace}
