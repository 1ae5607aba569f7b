"""Planning for the named items of a URL Rewrite collection: rewrite maps, preConditions, customTags.

Each item is written whole, as the rule modules write rules: a new item is one ``add`` (after this
level's items), a changed item is ``remove`` + ``add`` at its place, a removed item one ``remove``.
Items are keyed by ``name``, which IIS compares case-insensitively. Only items stored at this level
are managed; an item of the same name inherited from a parent level is refused (IIS would answer
the scope with HTTP 500.19, "Cannot add duplicate collection entry").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    Address, Node, PathStep, op_add, op_remove)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.plan import Collection
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

# Where the named items live, and the spec of the info modules that read them (rewrite_map_info,
# rewrite_outbound_info): a scope and an optional item name.
SCOPE_OPTIONS: dict[str, Any] = {"site": {"type": "str"}, "application": {"type": "str"}}
INFO_SPEC = ModuleSpec(
    argument_spec={**SCOPE_OPTIONS, "name": {"type": "str"}},
    required_by={"application": "site"},
    kinds=SCOPE_KINDS,
)

Shape = Callable[[Node], dict[str, Any]]
Element = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Named:
    """A collection as read: module-shaped items stored here, in order, and those inherited."""

    what: str  # for messages: "rewrite map", "preCondition", "customTags set"
    local: list[dict[str, Any]] = field(default_factory=list)
    inherited: list[dict[str, Any]] = field(default_factory=list)
    collection: Collection = field(default_factory=lambda: Collection([]))

    @classmethod
    def from_node(cls, node: Node, shape: Shape, what: str) -> Named:
        items = node.items
        named = cls(what, collection=Collection(items))
        for item in items:
            (named.local if item.locally_stored else named.inherited).append(shape(item))
        return named

    def find(self, name: str) -> int | None:
        for n, item in enumerate(self.local):
            if item["name"].lower() == name.lower():
                return n
        return None

    def refuse_inherited(self, name: str, where: str) -> None:
        for item in self.inherited:
            if item["name"].lower() == name.lower():
                raise ModuleError(f"{self.what} {name!r} is inherited by {where} from a parent level (it is not "
                                  "stored at this level); IIS refuses a second entry of the same name (HTTP 500.19, "
                                  "duplicate collection entry): manage it where it is defined or choose another name")

    def select(self, name: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The local and inherited items of ``name`` (case-insensitive), or all of them."""
        key = (name or "").lower()
        return ([i for i in self.local if not key or i["name"].lower() == key],
                [i for i in self.inherited if not key or i["name"].lower() == key])


def plan_named(address: Address, path: list[PathStep], named: Named, desired: dict[str, Any] | None,
               name: str, element: Element) -> tuple[list[dict[str, Any]], dict[str, Any] | None,
                                                     dict[str, Any] | None]:
    """One named item (``desired`` None = absent) -> operations, before, after."""
    existing = named.find(name)
    before = None if existing is None else named.local[existing]
    if desired is None:
        if before is None:
            return [], None, None
        return [op_remove(address, path, {"name": before["name"]})], before, None
    if before == desired:
        return [], before, desired
    ops = []
    position = len(named.local)
    if before is not None:
        ops.append(op_remove(address, path, {"name": before["name"]}))
        named.collection.remove(before["name"])
        position = existing
    index = named.collection.add(position, desired["name"])
    ops.append(op_add(address, path, element(desired), index))
    return ops, before, desired


def item_name(value: Any, option: str = "name") -> str:
    """A collection key as IIS's schema wants it (validationType nonEmptyString)."""
    if not isinstance(value, str) or not value.strip():
        raise ModuleError(f"{option} must be a non-empty string, got {value!r}")
    return value


def same_name_twice(names: list[str], option: str, case_sensitive: bool = False) -> None:
    """Refuse a key given twice (IIS: "Cannot add duplicate collection entry")."""
    seen: dict[str, int] = {}
    for n, name in enumerate(names):
        key = name if case_sensitive else name.lower()
        if key in seen:
            raise ModuleError(f"{option}[{n}] {name!r} is the same key as {option}[{seen[key]}]; IIS refuses a "
                              "duplicate collection entry" + ("" if case_sensitive else " (keys compare "
                                                              "case-insensitively)"))
        seen[key] = n
