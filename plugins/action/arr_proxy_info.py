"""Action plugin of winflask.iis.arr_proxy_info: read ARR's server proxy settings."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import arr_proxy
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = arr_proxy.INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        node = arr_proxy.read_proxy(self)[1]
        return {"changed": False, "proxy": arr_proxy.settings(node)}
