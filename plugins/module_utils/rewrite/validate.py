"""Checks of a rule in module shape that need no host: patterns, back-references, actions,
server variable names and the open-proxy guard. Every message names the rule, the option and
the value. Context checks (allowed server variables, duplicate names, preconditions) are in plan.py.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import GLOBAL, INBOUND, OUTBOUND
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import PatternError, check_pattern

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BACK_REFERENCE = re.compile(r"\{([RC]):(\d+)\}", re.IGNORECASE)
MAX_BACK_REFERENCE = 9  # {R:0}..{R:9}, {C:0}..{C:9}
STRING_FUNCTIONS = {"tolower", "urlencode", "urldecode", "htmlencode", "escapedatastring"}
# Server variables a client cannot choose; allowed in the host part of a proxy target.
HOST_SAFE_VARIABLES = {"server_port", "server_port_secure", "local_addr"}
CUSTOM_RESPONSE_EXCLUDED = range(300, 308)  # schema validation "300,307,exclude"


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
    if not text:
        raise ModuleError(f"{where}: {option} is required (the pattern the rule matches), got {text!r}")
    groups = _pattern_groups(text, syntax, f"{where}: {option}")
    highest_r = 0 if match["negate"] else groups  # a negated match captures nothing but {R:0}
    condition_groups = []
    for n, cond in enumerate(rule["conditions"]):
        if not cond["input"]:
            raise ModuleError(f"{where}: conditions[{n}].input is required (e.g. '{{HTTP_HOST}}'), got ''")
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


def check_back_references(text: str, option: str, highest: dict[str, int]) -> None:
    for kind, number in BACK_REFERENCE.findall(text or ""):
        n, kind = int(number), kind.upper()
        limit = min(highest[kind], MAX_BACK_REFERENCE)
        if n > limit:
            source = "the rule's match pattern" if kind == "R" else "the rule's conditions"
            can = f"{{{kind}:0}}..{{{kind}:{limit}}}" if limit >= 0 else "none"
            raise ModuleError(f"{option} uses {{{kind}:{n}}} but {source} can only produce {can}: got {text!r}")


def request_controlled_host(url: str) -> str | None:
    """The variable reference that lets a client choose the target host of ``url``, if any."""
    head = url.split("://", 1)[0] if "://" in url else None
    if head is not None and "/" not in head:
        authority = re.split(r"[/?#]", url.split("://", 1)[1], maxsplit=1)[0]
    elif url.startswith("{"):
        authority = _leading_reference(url)  # the target, scheme and host included, starts with a reference
    else:
        return None
    depth, start = 0, 0
    for i, c in enumerate(authority):
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0 and not _host_safe(authority[start + 1:i], absolute=head is not None):
                return authority[start:i + 1]
    return None


def _leading_reference(url: str) -> str:
    depth = 0
    for i, c in enumerate(url):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0:
            return url[:i + 1]
    return url


def _host_safe(reference: str, absolute: bool) -> bool:
    name = reference.split(":", 1)[0].strip().lower()
    if ":" in reference and name not in STRING_FUNCTIONS and name not in ("r", "c"):
        return True  # a rewrite map lookup: the administrator chose every value it can return
    if not absolute and name in ("r", "c"):
        return True  # a relative target from a back-reference ({R:1}) is an ordinary rewrite
    return name in HOST_SAFE_VARIABLES


def check_action(rule: dict[str, Any], flavor: str, where: str, highest: dict[str, int],
                 allow_open_proxy: bool) -> None:
    action = rule["action"]
    kind = action["type"]
    if flavor == OUTBOUND:
        check_back_references(action["value"], f"{where}: action.value", highest)
        return
    if kind in ("Rewrite", "Redirect") and not action["url"]:
        raise ModuleError(f"{where}: action.url is required for a {kind} action, got {action['url']!r}")
    if action["url"] and kind not in ("Rewrite", "Redirect"):
        raise ModuleError(f"{where}: action.url is only used by Rewrite and Redirect actions, "
                          f"not by action.type {kind} (got {action['url']!r})")
    check_back_references(action["url"], f"{where}: action.url", highest)
    if kind == "CustomResponse":
        code = action["status_code"]
        if not 100 <= code <= 999 or code in CUSTOM_RESPONSE_EXCLUDED:
            raise ModuleError(f"{where}: action.status_code must be an HTTP status from 100 to 999 outside "
                              f"300-307 (use a Redirect action for those) for a CustomResponse, got {code}")
        for option in ("status_reason", "status_description"):
            check_back_references(action[option], f"{where}: action.{option}", highest)
    elif action["status_code"]:
        raise ModuleError(f"{where}: action.status_code is only used by CustomResponse actions, "
                          f"not by action.type {kind} (got {action['status_code']})")
    if not 0 <= action["sub_status_code"] <= 999:
        raise ModuleError(f"{where}: action.sub_status_code must be from 0 to 999, got {action['sub_status_code']}")
    if kind == "Rewrite" and not allow_open_proxy:
        reference = request_controlled_host(action["url"])
        if reference:
            raise ModuleError(
                f"{where}: action.url {action['url']!r} takes its target host from {reference}, which the "
                "client controls: with ARR this is an open proxy that forwards requests to any host. "
                "Use a fixed host (e.g. http://localhost:50100/{R:1}) or a rewrite map, or set "
                "allow_open_proxy=true if you really mean it.")


def check_outbound_match(rule: dict[str, Any], where: str) -> None:
    match = rule["match"]
    if match["server_variable"] and match["filter_by_tags"]:
        raise ModuleError(f"{where}: match.server_variable ({match['server_variable']!r}) and match.filter_by_tags "
                          f"({match['filter_by_tags']!r}) cannot be used together: a rule rewrites either a "
                          "response header/variable or tags of the response body")
    if match["server_variable"]:
        check_variable_name(match["server_variable"], f"{where}: match.server_variable")
    if ("CustomTags" in match["filter_by_tags"]) != bool(match["custom_tags"]):
        raise ModuleError(f"{where}: match.custom_tags (got {match['custom_tags']!r}) is needed exactly when "
                          f"match.filter_by_tags contains CustomTags (got {match['filter_by_tags']!r})")
    if match["occurrences"] < 0:
        raise ModuleError(f"{where}: match.occurrences must be 0 (all) or more, got {match['occurrences']}")


def check_rule(rule: dict[str, Any], flavor: str, allow_open_proxy: bool = False) -> None:
    """Every host-independent check of one rule (module shape)."""
    where = f"rule {rule['name']!r}"
    r_max, c_max = captures(rule, flavor, where)
    highest = {"R": r_max, "C": c_max}
    for n, cond in enumerate(rule["conditions"]):
        check_back_references(cond["input"], f"{where}: conditions[{n}].input", highest)
    if flavor == OUTBOUND:
        check_outbound_match(rule, where)
    else:
        seen: set[str] = set()
        for n, var in enumerate(rule["server_variables"]):
            check_variable_name(var["name"], f"{where}: server_variables[{n}].name")
            if var["name"].lower() in seen:
                raise ModuleError(f"{where}: server variable {var['name']!r} is set twice")
            seen.add(var["name"].lower())
            check_back_references(var["value"], f"{where}: server_variables[{n}].value", highest)
    check_action(rule, flavor, where, highest, allow_open_proxy)


def check_rule_list(rules: list[dict[str, Any]], flavor: str, allow_open_proxy: bool = False) -> None:
    seen: dict[str, str] = {}
    for rule in rules:
        key = rule["name"].lower()
        if key in seen:
            raise ModuleError(f"rule name {rule['name']!r} is given twice (IIS rule names are unique, "
                              f"case-insensitively; first as {seen[key]!r})")
        seen[key] = rule["name"]
        check_rule(rule, flavor, allow_open_proxy)


__all__ = ["INBOUND", "GLOBAL", "OUTBOUND", "check_rule", "check_rule_list", "check_variable_name",
           "request_controlled_host"]
