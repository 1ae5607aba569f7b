"""winflask.iis.rewrite_outbound_precondition, rewrite_custom_tags and rewrite_outbound_info: argument
specs and the models of the two named collections of the ``outboundRules`` section.

- ``<preConditions>``: collection ``preCondition`` (unique ``name``; ``logicalGrouping`` MatchAll,
  ``patternSyntax`` ECMAScript) of condition ``add`` elements (``input``, ``matchType`` Pattern,
  ``pattern``, ``ignoreCase`` true, ``negate`` false), the same attributes as a rule's conditions.
- ``<customTags>``: collection ``tags`` (unique ``name``) of ``tag`` elements (``name`` and ``attribute``,
  a combined key, both nonEmptyString).

(shared/research/iis-facts.md 1.4; Microsoft, "URL Rewrite Module 2.0 Configuration Reference",
"Pre-conditions" and "Tag filters".) Both are written whole, like rules: options not given take IIS's
default. docs/rewrite.md, "Outbound preConditions and customTags", explains the choices.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS, SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.config import BACKUP_OPTIONS, Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import (
    CONDITION_ATTRS, GROUPINGS, MATCH_TYPES, enum_name, plain)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import (
    SCOPE_OPTIONS, item_name, same_name_twice)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import (
    SYNTAXES, PatternError, check_pattern)
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

STATE_OPTION: dict[str, Any] = {"state": {"type": "str", "choices": ["present", "absent"], "default": "present"}}
CONDITION_OPTIONS: dict[str, Any] = {
    "input": {"type": "str", "required": True},
    "match_type": {"type": "str"},
    "pattern": {"type": "str"},
    "ignore_case": {"type": "bool"},
    "negate": {"type": "bool"},
}

PRECONDITION_SPEC = ModuleSpec(
    argument_spec={
        **SCOPE_OPTIONS, **BACKUP_OPTIONS, **STATE_OPTION,
        "name": {"type": "str", "required": True},
        "logical_grouping": {"type": "str"},
        "pattern_syntax": {"type": "str"},
        "conditions": {"type": "list", "elements": "dict", "options": CONDITION_OPTIONS},
    },
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)

CUSTOM_TAGS_SPEC = ModuleSpec(
    argument_spec={
        **SCOPE_OPTIONS, **BACKUP_OPTIONS, **STATE_OPTION,
        "name": {"type": "str", "required": True},
        "tags": {"type": "list", "elements": "dict", "options": {
            "name": {"type": "str", "required": True},
            "attribute": {"type": "str", "required": True},
        }},
    },
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)


PRECONDITION_ATTRS = {"name": ("name", None), "logical_grouping": ("logicalGrouping", "MatchAll"),
                      "pattern_syntax": ("patternSyntax", "ECMAScript")}


# -- preConditions ---------------------------------------------------------------------------------
def _condition(given: dict[str, Any], where: str) -> dict[str, Any]:
    out = {}
    for opt, (_attr, default) in CONDITION_ATTRS.items():
        value = given.get(opt)
        out[opt] = default if value is None else value
    out["match_type"] = enum_name(out["match_type"], MATCH_TYPES, f"{where}.match_type")
    return out


def normalise_precondition(args: dict[str, Any]) -> dict[str, Any]:
    """The task's preCondition in module shape, IIS defaults filled in; patterns checked."""
    args = plain(args)
    name = item_name(args.get("name"))
    syntax = enum_name(args.get("pattern_syntax") or "ECMAScript", SYNTAXES, "pattern_syntax")
    conditions = [_condition(c, f"conditions[{n}]") for n, c in enumerate(args.get("conditions") or [])]
    for n, cond in enumerate(conditions):
        if cond["match_type"] == "Pattern":
            try:
                check_pattern(cond["pattern"], syntax)
            except PatternError as exc:
                raise ModuleError(f"conditions[{n}].pattern {cond['pattern']!r} is not a valid {syntax} pattern: "
                                  f"{exc}") from None
    # The condition attributes are a combined key of the collection (URL Rewrite schema): IIS refuses two
    # equal conditions ("Cannot add duplicate collection entry").
    for n, cond in enumerate(conditions):
        if cond in conditions[:n]:
            raise ModuleError(f"conditions[{n}] is the same condition as conditions[{conditions.index(cond)}] "
                              f"({cond['input']!r} {cond['pattern']!r}); IIS refuses a duplicate collection entry")
    return {"name": name,
            "logical_grouping": enum_name(args.get("logical_grouping") or "MatchAll", GROUPINGS, "logical_grouping"),
            "pattern_syntax": syntax,
            "conditions": conditions}


def precondition_from_node(node: Node) -> dict[str, Any]:
    conditions = []
    for item in node.items:
        cond = {}
        for opt, (attr, default) in CONDITION_ATTRS.items():
            value = item.value(attr)
            cond[opt] = default if value is None else value
        conditions.append(cond)
    return {"name": str(node.value("name")),
            "logical_grouping": node.value("logicalGrouping") or "MatchAll",
            "pattern_syntax": node.value("patternSyntax") or "ECMAScript",
            "conditions": conditions}


def precondition_element(pre: dict[str, Any]) -> dict[str, Any]:
    """The ``add`` element spec: non-default attributes; each condition with its input (as IIS Manager)."""
    attributes: dict[str, Any] = {"name": pre["name"]}
    for opt, (attr, default) in PRECONDITION_ATTRS.items():
        if opt != "name" and pre[opt] != default:
            attributes[attr] = pre[opt]
    items = []
    for cond in pre["conditions"]:
        written = {attr: cond[opt] for opt, (attr, default) in CONDITION_ATTRS.items()
                   if opt == "input" or cond[opt] != default}
        items.append({"name": "add", "attributes": written})
    return {"name": "preCondition", "attributes": attributes, "children": {}, "items": items}


# -- customTags ------------------------------------------------------------------------------------
def normalise_custom_tags(args: dict[str, Any]) -> dict[str, Any]:
    args = plain(args)
    name = item_name(args.get("name"))
    tags = []
    for n, tag in enumerate(args.get("tags") or []):
        tags.append({"name": item_name(tag.get("name"), f"tags[{n}].name"),
                     "attribute": item_name(tag.get("attribute"), f"tags[{n}].attribute")})
    # name + attribute are the combined key of <tag> (strings compare case-insensitively)
    same_name_twice([f"{t['name']} {t['attribute']}" for t in tags], "tags")
    return {"name": name, "tags": tags}


def custom_tags_from_node(node: Node) -> dict[str, Any]:
    return {"name": str(node.value("name")),
            "tags": [{"name": str(t.value("name") or ""), "attribute": str(t.value("attribute") or "")}
                     for t in node.items]}


def custom_tags_element(group: dict[str, Any]) -> dict[str, Any]:
    items = [{"name": "tag", "attributes": {"name": t["name"], "attribute": t["attribute"]}} for t in group["tags"]]
    return {"name": "tags", "attributes": {"name": group["name"]}, "children": {}, "items": items}


# -- what uses them ---------------------------------------------------------------------------------
def rules_using(outbound: Node, attribute: str, name: str) -> list[str]:
    """Outbound rules of the section (stored here or inherited) whose ``attribute`` names ``name``:
    ``preCondition`` on the rule, ``customTags`` on its match."""
    users = []
    for rule in outbound.items:
        holder = rule if attribute == "preCondition" else rule.child("match")
        value = holder.value(attribute)
        if isinstance(value, str) and value.lower() == name.lower():
            users.append(str(rule.value("name")))
    return users
