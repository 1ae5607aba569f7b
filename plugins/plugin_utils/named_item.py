"""The action steps of the modules that manage one named item of a URL Rewrite collection
(rewrite_map, rewrite_outbound_precondition, rewrite_custom_tags): one read, one write at most.

A subclass says which section and collection (``address``, ``PATH``, ``collection``), how an item
reads and writes (``SHAPE``, ``ELEMENT``), and what the task wants (``desired``); ``check`` runs the
checks that need the host's state, after the read and before the write.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node, SectionState
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import Named, plan_named
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff


class NamedItemAction(WinflaskAction):
    WHAT = ""  # for messages and the diff header: "rewrite map"
    RESULT_KEY = ""  # the result's key of the item after the task
    PATH: list[Any] = []  # from the section element to the collection's element ([] or ["preConditions"])

    # -- what subclasses provide ----------------------------------------------------------------
    def address(self, scope: scopes.Scope) -> Address:
        raise NotImplementedError

    def shape(self, node: Node) -> dict[str, Any]:
        raise NotImplementedError

    def element(self, item: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def validate(self, args: dict[str, Any]) -> None:
        """Checks of the options alone, before the read."""

    def desired(self, args: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        raise NotImplementedError

    def check(self, state: SectionState, desired: dict[str, Any] | None, before: dict[str, Any] | None) -> None:
        """Checks that need what the read returned, before any write."""

    # -- the steps ------------------------------------------------------------------------------
    def collection(self, state: SectionState) -> Node:
        node = state.element
        for step in self.PATH:
            node = node.child(step)
        return node

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        present = args["state"] == "present"
        self.validate(args)
        address = self.address(scope)
        read = scopes.read_config(self, scope, [address])
        state = read.get(address)
        named = Named.from_node(self.collection(state), self.shape, self.WHAT)
        name = args["name"]
        named.refuse_inherited(name, scope.describe())
        existing = named.find(name)
        current = named.local[existing] if existing is not None else None
        desired = self.desired(args, current) if present else None
        ops, before, after = plan_named(address, list(self.PATH), named, desired, name, self.element)
        if ops:
            self.check(state, desired, before)
            scopes.writable(state, f"{self.WHAT} {name!r}")
        result: dict[str, Any] = {"changed": bool(ops), self.RESULT_KEY: after, "section": address.section,
                                  "file": state.file}
        if ops:
            result["diff"] = yaml_diff(before, after, f"{address.section} {self.WHAT} {name!r} in {scope.describe()}")
            if not self.check_mode:
                result["backups"] = self.apply_config(read, ops).get("backups", [])
        return result


def only_with_present(args: dict[str, Any], *options: str) -> None:
    """Options that describe the item mean nothing with state=absent: refuse them rather than ignore them."""
    if args.get("state") == "absent":
        for option in options:
            if args.get(option) is not None:
                raise ModuleError(f"{option} is only used with state=present (got {args[option]!r} with "
                                  "state=absent)")
