"""Action plugin of winflask.iis.server_variable_info: the allowed server variables at a scope."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import server_variable as sv
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import scope as scopes


class ActionModule(WinflaskAction):
    MODULE = sv.INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        address = scope.allowed_address
        extra = sv.existence_address(scope)
        read = scopes.read_config(self, scope, [address] + ([extra] if extra else []))
        state = read.get(address)
        items = state.element.items
        return {
            "changed": False,
            "allowed_server_variables": [str(i.value("name")) for i in items],
            "local": [str(i.value("name")) for i in items if i.locally_stored],
            "file": state.file,
            "location": address.location,
        }
