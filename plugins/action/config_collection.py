"""Action plugin of winflask.iis.config_collection: the items of any IIS config collection, by key."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.action.config_property import write_result
from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import plain


class ActionModule(WinflaskAction):
    MODULE = generic.COLLECTION_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        address = generic.address_of(args)
        read = generic.read_details(self, address)[0]
        state = read.get(address)
        ops, before, after = generic.plan_collection(state.element, args, address)
        return write_result(self, read, state, ops, {"collection": before}, {"collection": after}, address)
