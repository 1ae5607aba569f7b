"""Action plugin of winflask.iis.host_info: the host's OS, IIS and extension facts, in one read."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import host_info
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = host_info.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        self.reads += 1
        return {"changed": False, **host_info.summary(self.host_facts())}
