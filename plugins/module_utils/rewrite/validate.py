"""Checks of a rule in module shape that need no host: patterns, back-references, actions,
server variable names and the open-proxy guard. Every message names the rule, the option and
the value. Context checks (allowed server variables, duplicate names, preconditions) are in plan.py.

A rule that IIS loads is accepted (docs/rewrite.md "What is accepted"): a value IIS's schema
refuses raises ModuleError; a value IIS keeps but does not use (``url`` on a CustomResponse, a
rule without a pattern) only gives a warning, returned as a list by ``check_rule``/``check_rule_list``
for the action plugin's ``result["warnings"]``.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import (
    GLOBAL, INBOUND, OUTBOUND, action_attrs)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import PatternError, check_pattern
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import proxy_guard

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BACK_REFERENCE = re.compile(r"\{([RC]):(\d+)\}", re.IGNORECASE)
MAX_BACK_REFERENCE = 9  # {R:0}..{R:9}, {C:0}..{C:9}
CUSTOM_RESPONSE_EXCLUDED = range(300, 308)  # schema validation "300,307,exclude"
UINT_MAX = 2**32 - 1  # statusCode and subStatusCode are "uint" in the schema
HTTP_STATUS = range(100, 1000)
# The action attributes each action type uses (URL Rewrite Configuration Reference, "Rule action";
# 2.0 reference, "Rewrite action" and "Logging of rewritten URLs"). IIS keeps the others and ignores them.
ACTION_USES = {
    "None": (), "AbortRequest": (),
    "Rewrite": ("url", "append_query_string", "log_rewritten_url"),
    "Redirect": ("url", "append_query_string", "redirect_type"),
    "CustomResponse": ("status_code", "sub_status_code", "status_reason", "status_description"),
}
OUTBOUND_ACTION_USES = {"None": (), "Rewrite": ("value", "replace")}


def check_variable_name(name: Any, option: str) -> None:
    if not isinstance(name, str) or not VARIABLE_NAME.match(name):
        raise ModuleError(f"{option} must be a server variable name (letters, digits and '_', such as "
                          f"HTTP_X_ORIGINAL_HOST), got {name!r}")


def _pattern_groups(pattern: str, syntax: str, option: str) -> int:
    try:
        return check_pattern(pattern, syntax)
    except PatternError as exc:
        raise ModuleError(f"{option} {pattern!r} is not a valid {syntax} pattern: {exc}") from None


def captures(rule: dict[str, Any], flavor: str, where: str) -> tuple[int, int]:
    """Validate the rule's patterns; return (highest {R:n}, highest {C:n}) they can produce (-1 = none)."""
    syntax = rule["pattern_syntax"]
    match = rule["match"]
    text = match["pattern"] if flavor == OUTBOUND else match["url"]
    option = "match.pattern" if flavor == OUTBOUND else "match.url"
    # No pattern (no <match> element, or no url attribute: the schema has no default) is a rule IIS loads.
    groups = _pattern_groups(text, syntax, f"{where}: {option}") if text else 0
    highest_r = 0 if match["negate"] else groups  # a negated match captures nothing but {R:0}
    condition_groups = []
    for n, cond in enumerate(rule["conditions"]):
        if cond["match_type"] != "Pattern":
            if flavor == GLOBAL:
                raise ModuleError(f"{where}: conditions[{n}].match_type {cond['match_type']} works only in "
                                  "distributed rules (a site or application), not in global rules")
            continue
        found = _pattern_groups(cond["pattern"], syntax, f"{where}: conditions[{n}].pattern")
        if not cond["negate"]:
            condition_groups.append(found)
    if not condition_groups:
        highest_c = -1
    elif rule["track_all_captures"]:
        highest_c = sum(g + 1 for g in condition_groups) - 1
    else:
        highest_c = max(condition_groups)
    return highest_r, highest_c


def check_braces(text: str, option: str) -> None:
    """Every '{' of a {...} reference has its '}' (nested references included), and no '}' is left over."""
    opened: list[int] = []
    for position, char in enumerate(text or ""):
        if char == "{":
            opened.append(position)
        elif char == "}" and not opened:
            raise ModuleError(f"{option} has unbalanced braces: the '}}' at position {position} closes no '{{', "
                              f"got {text!r}")
        elif char == "}":
            opened.pop()
    if opened:
        raise ModuleError(f"{option} has unbalanced braces: the '{{' at position {opened[0]} is never closed "
                          f"(a {{...}} reference ends with '}}'), got {text!r}")


def check_references(text: str, option: str, highest: dict[str, int]) -> None:
    """A text that takes {...} references: braces paired, {R:n}/{C:n} within what the patterns capture."""
    check_braces(text, option)
    for kind, number in BACK_REFERENCE.findall(text or ""):
        n, kind = int(number), kind.upper()
        limit = min(highest[kind], MAX_BACK_REFERENCE)
        if n > limit:
            source = "the rule's match pattern" if kind == "R" else "the rule's conditions"
            can = f"{{{kind}:0}}..{{{kind}:{limit}}}" if limit >= 0 else "none"
            raise ModuleError(f"{option} uses {{{kind}:{n}}} but {source} can only produce {can}: got {text!r}")


def unused_action_attributes(rule: dict[str, Any], flavor: str, where: str) -> list[str]:
    """Warnings for action options set (not at their default) that the action type does not use."""
    action = rule["action"]
    kind = action["type"]
    uses = (OUTBOUND_ACTION_USES if flavor == OUTBOUND else ACTION_USES)[kind]
    return [f"{where}: action.{option} ({action[option]!r}) is not used by a {kind} action; IIS keeps "
            f"it (attribute {attr}) and ignores it, and so does this module"
            for option, (attr, default) in action_attrs(flavor).items()
            if option != "type" and option not in uses and action[option] != default]


def check_status_codes(action: dict[str, Any], where: str) -> None:
    """What the schema itself refuses, whatever the action type: uint, statusCode not 300-307, subStatusCode 0-999."""
    code = action["status_code"]
    if not 0 <= code <= UINT_MAX or code in CUSTOM_RESPONSE_EXCLUDED:
        raise ModuleError(f"{where}: action.status_code must be an integer from 0 to {UINT_MAX} outside 300 to 307 "
                          f"(IIS's schema refuses those; use a Redirect action for a 3xx status), got {code}")
    if not 0 <= action["sub_status_code"] <= 999:
        raise ModuleError(f"{where}: action.sub_status_code must be from 0 to 999, got {action['sub_status_code']}")


def check_action(rule: dict[str, Any], flavor: str, where: str, highest: dict[str, int],
                 allow_open_proxy: bool) -> list[str]:
    """Refuse what IIS refuses in the action; return warnings for what it keeps but does not use."""
    action = rule["action"]
    kind = action["type"]
    warnings = unused_action_attributes(rule, flavor, where)
    if flavor == OUTBOUND:
        if kind == "Rewrite":
            check_references(action["value"], f"{where}: action.value", highest)
        return warnings
    if action["url"] != action["url"].strip():  # whatever the type: the schema validates the attribute
        raise ModuleError(f"{where}: action.url must not start or end with whitespace (IIS's schema validates it "
                          f"requireTrimmedString and refuses such a value), got {action['url']!r}")
    if kind in ("Rewrite", "Redirect"):
        if not action["url"]:
            warnings.append(f"{where}: action.url is empty: a {kind} action has no URL to "
                            f"{'rewrite' if kind == 'Rewrite' else 'redirect'} to (IIS accepts the rule)")
        check_references(action["url"], f"{where}: action.url", highest)
    check_status_codes(action, where)
    if kind == "CustomResponse":
        if action["status_code"] not in HTTP_STATUS:
            warnings.append(f"{where}: action.status_code ({action['status_code']}) is not an HTTP status from 100 "
                            "to 999; IIS accepts it, what it answers then is not documented")
        for option in ("status_reason", "status_description"):
            check_references(action[option], f"{where}: action.{option}", highest)
    if kind == "Rewrite" and not allow_open_proxy and not proxy_guard.needs_maps(rule):
        proxy_guard.check_target(rule, where)  # a target with rewrite maps is judged after the read
    return warnings


def check_outbound_match(rule: dict[str, Any], where: str) -> list[str]:
    """The schema puts no constraint between these attributes: combinations IIS keeps only warn."""
    match = rule["match"]
    warnings = []
    tags, custom = match["filter_by_tags"], match["custom_tags"]
    if match["server_variable"] and tags:
        warnings.append(f"{where}: match.filter_by_tags ({tags!r}) is set together with match.server_variable "
                        f"({match['server_variable']!r}): a rule rewrites either a server variable (response "
                        "header) or tags of the response body; IIS keeps both attributes")
    if match["server_variable"]:
        check_variable_name(match["server_variable"], f"{where}: match.server_variable")
    if custom and "CustomTags" not in tags:
        warnings.append(f"{where}: match.custom_tags ({custom!r}) is used only when match.filter_by_tags contains "
                        f"CustomTags (got {tags!r}); IIS keeps it and ignores it, and so does this module")
    elif "CustomTags" in tags and not custom:
        warnings.append(f"{where}: match.filter_by_tags contains CustomTags but match.custom_tags names no "
                        "customTags group (got ''): the rule has no custom tags to look in")
    if match["occurrences"] < 0:
        raise ModuleError(f"{where}: match.occurrences must be 0 (all) or more, got {match['occurrences']}")
    return warnings


def check_rule(rule: dict[str, Any], flavor: str, allow_open_proxy: bool = False) -> list[str]:
    """Every host-independent check of one rule (module shape); returns the warnings."""
    where = f"rule {rule['name']!r}"
    warnings: list[str] = []
    r_max, c_max = captures(rule, flavor, where)
    highest = {"R": r_max, "C": c_max}
    for n, cond in enumerate(rule["conditions"]):
        if not cond["input"] and cond["match_type"] == "Pattern":
            # IsFile/IsDirectory without input test the requested file (Configuration Reference, "Rule conditions")
            warnings.append(f"{where}: conditions[{n}].input is empty: its pattern {cond['pattern']!r} is matched "
                            "against an empty string (IIS accepts the condition)")
        check_references(cond["input"], f"{where}: conditions[{n}].input", highest)
    if flavor == OUTBOUND:
        warnings += check_outbound_match(rule, where)
    else:
        seen: set[str] = set()
        for n, var in enumerate(rule["server_variables"]):
            check_variable_name(var["name"], f"{where}: server_variables[{n}].name")
            if var["name"].lower() in seen:
                raise ModuleError(f"{where}: server variable {var['name']!r} is set twice")
            seen.add(var["name"].lower())
            check_references(var["value"], f"{where}: server_variables[{n}].value", highest)
    return warnings + check_action(rule, flavor, where, highest, allow_open_proxy)


def check_rule_list(rules: list[dict[str, Any]], flavor: str, allow_open_proxy: bool = False) -> list[str]:
    """check_rule for each rule, plus unique names; returns the warnings of every rule in order."""
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for rule in rules:
        key = rule["name"].lower()
        if key in seen:
            raise ModuleError(f"rule name {rule['name']!r} is given twice (IIS rule names are unique, "
                              f"case-insensitively; first as {seen[key]!r})")
        seen[key] = rule["name"]
        warnings += check_rule(rule, flavor, allow_open_proxy)
    return warnings


__all__ = ["INBOUND", "GLOBAL", "OUTBOUND", "check_rule", "check_rule_list", "check_variable_name"]
