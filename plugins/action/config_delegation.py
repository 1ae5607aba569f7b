"""Action plugin of winflask.iis.config_delegation: a section's overrideMode for a path (feature delegation)."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.action.config_property import write_result
from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import plain


class ActionModule(WinflaskAction):
    MODULE = generic.DELEGATION_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        address = generic.delegation_address(args)
        read, entry = generic.read_details(self, address)
        state = read.get(address)
        mode = args["override_mode"]
        have = entry.get("override_mode") or "Inherit"
        ops = [generic.op_override_mode(address, mode)] if have != mode else []
        result = write_result(self, read, state, ops, {"override_mode": have}, {"override_mode": mode}, address)
        result["location"] = address.location
        if not ops:
            result["override_mode_effective"] = entry.get("override_mode_effective")
        return result
