"""Action plugin of winflask.iis.rewrite_map: one URL Rewrite rewrite map and its entries."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import maps, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import item_name
from ansible_collections.winflask.iis.plugins.plugin_utils.named_item import NamedItemAction, only_with_present


class ActionModule(NamedItemAction):
    MODULE = maps.SPEC
    WHAT = "rewrite map"
    RESULT_KEY = "map"

    def address(self, scope: scopes.Scope) -> Address:
        return scopes.maps_address(scope)

    def shape(self, node: Node) -> dict[str, Any]:
        return maps.map_from_node(node)

    def element(self, item: dict[str, Any]) -> dict[str, Any]:
        return maps.map_element(item)

    def validate(self, args: dict[str, Any]) -> None:
        item_name(args["name"])
        only_with_present(args, "default_value", "ignore_case", "entries")
        maps.entry_list(args.get("entries"), args.get("entries_mode") or "exact")

    def desired(self, args: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        return maps.desired_map(args, current)
