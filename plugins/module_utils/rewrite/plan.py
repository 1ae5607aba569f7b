"""Planning: current rules + desired rules -> config_apply operations, before and after.

Rules are written whole: a new rule is one ``add``; a changed or moved rule is ``remove`` + ``add``
at its index (``add`` indexes count every item of the effective collection, inherited ones too, as
Microsoft.Web.Administration's ``AddAt`` does). Only rules stored at this level are managed;
rules inherited from a parent level are left alone and cannot be shadowed by a rule of the same name.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    Address, Node, SectionState, op_add, op_remove)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import (
    rule_element, rule_from_node)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.scope import Scope


class Collection:
    """The effective rule collection as (name, stored here) pairs, to compute AddAt indexes."""

    def __init__(self, items: list[Node]) -> None:
        self.entries: list[tuple[str, bool]] = [(str(i.value("name")), i.locally_stored) for i in items]

    def local(self) -> list[str]:
        return [name for name, local in self.entries if local]

    def remove(self, name: str) -> None:
        self.entries = [e for e in self.entries if e[0].lower() != name.lower()]

    def add(self, position: int, name: str) -> int:
        """Insert ``name`` as the ``position``-th local item; return its index in the effective list."""
        local_indexes = [i for i, (_entry, local) in enumerate(self.entries) if local]
        if position < len(local_indexes):
            index = local_indexes[position]
        elif local_indexes:
            index = local_indexes[-1] + 1
        else:
            index = len(self.entries)
        self.entries.insert(index, (name, True))
        return index


@dataclass
class Current:
    """The rules of a section as read: module-shaped local rules in order, inherited rule names."""

    flavor: str
    local: list[dict[str, Any]] = field(default_factory=list)
    inherited: list[dict[str, Any]] = field(default_factory=list)
    collection: Collection = field(default_factory=lambda: Collection([]))

    @classmethod
    def from_state(cls, state: SectionState, flavor: str) -> Current:
        items = state.element.items
        current = cls(flavor, collection=Collection(items))
        for item in items:
            (current.local if item.locally_stored else current.inherited).append(rule_from_node(item, flavor))
        return current

    def find_local(self, name: str) -> int | None:
        for n, rule in enumerate(self.local):
            if rule["name"].lower() == name.lower():
                return n
        return None

    def refuse_inherited(self, names: list[str], scope: Scope) -> None:
        inherited = {r["name"].lower(): r["name"] for r in self.inherited}
        for name in names:
            if name.lower() in inherited:
                raise ModuleError(f"rule {name!r} is inherited by {scope.describe()} from a parent level "
                                  "(it is not stored at this level); manage it where it is defined or choose "
                                  "another name")


def target_position(others: list[str], existing: int | None, position: str | None,
                    relative_to: str | None, name: str) -> int:
    """Local index a rule should get among the other local rules ``others``."""
    if position is None:
        return existing if existing is not None else len(others)
    if position == "first":
        return 0
    if position == "last":
        return len(others)
    if not relative_to:
        raise ModuleError(f"position={position} needs relative_to (the name of another rule)")
    if relative_to.lower() == name.lower():
        raise ModuleError(f"relative_to must name another rule than {name!r} itself")
    lowered = [o.lower() for o in others]
    if relative_to.lower() not in lowered:
        raise ModuleError(f"relative_to {relative_to!r} is not a rule stored at this level "
                          f"(rules here: {', '.join(others) or 'none'})")
    index = lowered.index(relative_to.lower())
    return index if position == "before" else index + 1


def plan_rule(address: Address, current: Current, desired: dict[str, Any] | None, name: str,
              position: str | None = None, relative_to: str | None = None
              ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any] | None]:
    """One rule (``desired`` None = absent). Returns operations, before and after ({position, rule})."""
    existing = current.find_local(name)
    before = None if existing is None else {"position": existing, "rule": current.local[existing]}
    if desired is None:
        if existing is None:
            return [], None, None
        return [op_remove(address, [], {"name": current.local[existing]["name"]})], before, None
    names = [r["name"] for r in current.local]
    others = [n for n in names if n.lower() != name.lower()]
    target = target_position(others, existing, position, relative_to, name)
    after = {"position": target, "rule": desired}
    if existing is not None and existing == target and current.local[existing] == desired:
        return [], before, after
    ops = []
    collection = current.collection
    if existing is not None:
        ops.append(op_remove(address, [], {"name": current.local[existing]["name"]}))
        collection.remove(name)
    index = collection.add(target, desired["name"])
    ops.append(op_add(address, [], rule_element(desired, current.flavor), index))
    return ops, before, after


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes (into ``values``) of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    previous = [-1] * len(values)
    tail_values: list[int] = []
    for i, value in enumerate(values):
        k = bisect.bisect_left(tail_values, value)
        if k == len(tail_values):
            tail_values.append(value)
            tails.append(i)
        else:
            tail_values[k] = value
            tails[k] = i
        previous[i] = tails[k - 1] if k else -1
    keep: set[int] = set()
    i = tails[-1] if tails else -1
    while i != -1:
        keep.add(i)
        i = previous[i]
    return keep


def plan_rules(address: Address, current: Current, desired: list[dict[str, Any]]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """An exclusive ordered list: the local rules become exactly ``desired``, with the fewest moves.

    Unchanged rules that already stand in the desired relative order (a longest increasing
    subsequence) stay; every other rule is removed and added at its place.
    """
    wanted = {r["name"].lower(): n for n, r in enumerate(desired)}
    unchanged = [(n, wanted[r["name"].lower()]) for n, r in enumerate(current.local)
                 if r["name"].lower() in wanted and desired[wanted[r["name"].lower()]] == r]
    kept_positions = _longest_increasing([d for _name, d in unchanged])
    kept = {unchanged[i][1] for i in kept_positions}  # desired indexes that stay where they are
    ops: list[dict[str, Any]] = []
    collection = current.collection
    kept_names = {desired[d]["name"].lower() for d in kept}
    for rule in current.local:
        if rule["name"].lower() not in kept_names:
            ops.append(op_remove(address, [], {"name": rule["name"]}))
            collection.remove(rule["name"])
    for n, rule in enumerate(desired):
        if n not in kept:
            index = collection.add(n, rule["name"])
            ops.append(op_add(address, [], rule_element(rule, current.flavor), index))
    return ops, list(current.local), list(desired)


def list_diff(before: list[dict[str, Any]], after: list[dict[str, Any]]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Diff sides of a rule list: the order of names, and only the rules that differ (whole)."""
    old = {r["name"].lower(): r for r in before}
    new = {r["name"].lower(): r for r in after}
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    return ({"order": [r["name"] for r in before], "rules": [r for r in before if r["name"].lower() in changed]},
            {"order": [r["name"] for r in after], "rules": [r for r in after if r["name"].lower() in changed]})


def variables_to_allow(rules: list[dict[str, Any]], scope: Scope, allowed: list[str], from_facts: list[str],
                       register: bool) -> list[str]:
    """Server variables the rules set that are not allowed at the scope. With ``register`` they are
    returned to be added to allowedServerVariables in the same write; without it, a ModuleError."""
    if not scope.needs_allowed_variables:
        return []
    known = {n.lower() for n in allowed + from_facts}
    missing: dict[str, list[str]] = {}
    for rule in rules:
        for var in rule.get("server_variables") or []:
            if var["name"].lower() not in known:
                missing.setdefault(var["name"], []).append(rule["name"])
    if not missing or register:
        return list(missing)
    where = (f"site: {scope.site}" if scope.site else "at the server level") + (
        f", application: {scope.application}" if scope.application else "")
    details = "; ".join(f"{var} (set by rule {', '.join(repr(r) for r in rules_)})"
                        for var, rules_ in missing.items())
    raise ModuleError(f"server variable(s) not allowed for {scope.describe()}: {details}. IIS would answer "
                      "HTTP 500.50 at request time. Allow them first with winflask.iis.server_variable "
                      f"(name: [{', '.join(missing)}], {where}), or set allow_server_variables=true to add "
                      "them in the same write.")


def allow_ops(address: Address, names: list[str]) -> list[dict[str, Any]]:
    return [op_add(address, [], {"name": "add", "attributes": {"name": n}}) for n in names]
