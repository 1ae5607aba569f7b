"""Action plugin of winflask.iis.config_property: attributes of any IIS config section at any path."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import plain, yaml_diff


class ActionModule(WinflaskAction):
    MODULE = generic.PROPERTY_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        address = generic.address_of(args)
        read = generic.read_details(self, address)[0]
        state = read.get(address)
        ops, before, after = generic.plan_property(state.element, args, address)
        return write_result(self, read, state, ops, {"attributes": before}, {"attributes": after}, address)


def write_result(action: WinflaskAction, read: Any, state: Any, ops: list[dict[str, Any]], before: Any,
                 after: Any, address: Any) -> dict[str, Any]:
    """The shared tail of the config_* modules that write: diff, the one write, the result."""
    result: dict[str, Any] = {"changed": bool(ops), "file": state.file, **after}
    if ops:
        result["diff"] = yaml_diff(before, after, address.describe())
        if not action.check_mode:
            result["backups"] = action.apply_config(read, ops).get("backups", [])
    return result
