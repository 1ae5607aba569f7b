"""winflask.iis.rewrite_rule, rewrite_rules and rewrite_rule_info: argument specs and the shared steps.

The rule model is in module_utils/rewrite (model, patterns, validate, plan, scope); docs/rewrite.md
explains the choices.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS, SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.config import BACKUP_OPTIONS, SectionState
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import OUTBOUND, normalise_rule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.scope import FACT, Scope
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.validate import check_rule_list

RULE_OPTIONS: dict[str, Any] = {
    "name": {"type": "str", "required": True},
    "enabled": {"type": "bool"},
    "pattern_syntax": {"type": "str"},
    "stop_processing": {"type": "bool"},
    "precondition": {"type": "str"},
    "match": {"type": "dict", "options": {
        "url": {"type": "str"},
        "pattern": {"type": "str"},
        "server_variable": {"type": "str"},
        "filter_by_tags": {"type": "list", "elements": "str"},
        "custom_tags": {"type": "str"},
        "occurrences": {"type": "int"},
        "ignore_case": {"type": "bool"},
        "negate": {"type": "bool"},
    }},
    "conditions": {"type": "list", "elements": "dict", "options": {
        "input": {"type": "str", "required": True},
        "match_type": {"type": "str"},
        "pattern": {"type": "str"},
        "ignore_case": {"type": "bool"},
        "negate": {"type": "bool"},
    }},
    "logical_grouping": {"type": "str"},
    "track_all_captures": {"type": "bool"},
    "server_variables": {"type": "list", "elements": "dict", "options": {
        "name": {"type": "str", "required": True},
        "value": {"type": "str"},
        "replace": {"type": "bool"},
    }},
    "action": {"type": "dict", "options": {
        "type": {"type": "str"},
        "url": {"type": "str"},
        "append_query_string": {"type": "bool"},
        "log_rewritten_url": {"type": "bool"},
        "redirect_type": {"type": "str"},
        "status_code": {"type": "int"},
        "sub_status_code": {"type": "int"},
        "status_reason": {"type": "str"},
        "status_description": {"type": "str"},
        "value": {"type": "str"},
        "replace": {"type": "bool"},
    }},
}
RULE_KEYS = tuple(RULE_OPTIONS)

SCOPE_OPTIONS: dict[str, Any] = {
    "site": {"type": "str"},
    "application": {"type": "str"},
    "direction": {"type": "str", "choices": ["inbound", "outbound"], "default": "inbound"},
    # server level, inbound: globalRules (default) or the distributed <rules> of applicationHost.config
    "server_rules": {"type": "str", "choices": ["global", "distributed"], "default": "global"},
}
GUARD_OPTIONS: dict[str, Any] = {
    "allow_server_variables": {"type": "bool", "default": False},
    "allow_open_proxy": {"type": "bool", "default": False},
}

SPEC = ModuleSpec(
    argument_spec={
        **RULE_OPTIONS, **SCOPE_OPTIONS, **GUARD_OPTIONS, **BACKUP_OPTIONS,
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "position": {"type": "str", "choices": ["first", "last", "before", "after"]},
        "relative_to": {"type": "str"},
    },
    required_if=[("position", "before", ["relative_to"]), ("position", "after", ["relative_to"])],
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)

RULES_SPEC = ModuleSpec(
    argument_spec={
        **SCOPE_OPTIONS, **GUARD_OPTIONS, **BACKUP_OPTIONS,
        "rules": {"type": "list", "elements": "dict", "required": True, "options": RULE_OPTIONS},
    },
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)

INFO_SPEC = ModuleSpec(
    argument_spec={**SCOPE_OPTIONS, "name": {"type": "str"}},
    required_by={"application": "site"},
    kinds=SCOPE_KINDS,
)


def desired_rules(given: list[dict[str, Any]], scope: Scope, allow_open_proxy: bool,
                  warnings: list[str] | None = None) -> list[dict[str, Any]]:
    """User rules -> validated module-shaped rules; raises ModuleError before any host call.
    Validation warnings (what IIS keeps but does not use) are appended to ``warnings``."""
    rules = [normalise_rule(rule, scope.flavor, where=f"rules[{n}]") for n, rule in enumerate(given)]
    found = check_rule_list(rules, scope.flavor, allow_open_proxy)
    if warnings is not None:
        warnings.extend(found)
    return rules


def check_preconditions(rules: list[dict[str, Any]], state: SectionState) -> None:
    """An outbound rule's precondition must name a preCondition of the outboundRules section."""
    if not rules or "precondition" not in rules[0]:
        return
    known = {str(i.value("name")).lower() for i in state.element.child("preConditions").items}
    for rule in rules:
        name = rule.get("precondition")
        if name and name.lower() not in known:
            raise ModuleError(f"rule {rule['name']!r}: precondition {name!r} is not defined in outboundRules "
                              f"at this scope (defined: {', '.join(sorted(known)) or 'none'})")


def fact_update(task_vars: dict[str, Any], scope: Scope, add: list[str], remove: list[str] = ()) -> dict[str, Any]:
    """The host fact recording which server variables the play allowed per scope (see scope.fact_names)."""
    facts = (task_vars.get("ansible_facts") or {}).get(FACT) or task_vars.get(FACT) or {}
    merged = {k: list(v) for k, v in facts.items()}
    names = merged.get(scope.path, [])
    gone = {n.lower() for n in remove}
    names = [n for n in names if n.lower() not in gone]
    names += [n for n in add if n.lower() not in {x.lower() for x in names}]
    merged[scope.path] = names
    return {FACT: merged}


def is_outbound(scope: Scope) -> bool:
    return scope.flavor == OUTBOUND
