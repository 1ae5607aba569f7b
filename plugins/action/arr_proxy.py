"""Action plugin of winflask.iis.arr_proxy: ARR's server proxy settings."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import arr_proxy
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff


class ActionModule(WinflaskAction):
    MODULE = arr_proxy.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        arr_proxy.validate(args)  # before the read: bad input never reaches the host
        read, node = arr_proxy.read_proxy(self)
        ops, before, after = arr_proxy.plan(node, args)
        result: dict[str, Any] = {"changed": bool(ops), "proxy": after}
        if ops:
            result["diff"] = yaml_diff(before, after, "system.webServer/proxy")
            if not self.check_mode:
                result["backups"] = self.apply_config(read, ops).get("backups", [])
        return result
