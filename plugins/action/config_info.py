"""Action plugin of winflask.iis.config_info: any IIS config section at a path, as config_read returns it."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import plain


class ActionModule(WinflaskAction):
    MODULE = generic.INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        address = generic.address_of(args)
        _read, entry = generic.read_details(self, address)
        return {"changed": False, **{k: entry.get(k) for k in (
            "section", "pspath", "location", "file", "locked", "override_mode", "override_mode_effective",
            "element")}}
