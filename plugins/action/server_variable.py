"""Action plugin of winflask.iis.server_variable: URL Rewrite's allowed server variables."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import server_variable as sv
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_rule import fact_update


class ActionModule(WinflaskAction):
    MODULE = sv.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        names = sv.validate(args["name"])
        present = args["state"] == "present"
        address = scope.allowed_address
        extra = sv.existence_address(scope)
        read = scopes.read_config(self, scope, [address] + ([extra] if extra else []))
        state = read.get(address)
        ops, before, after = sv.plan(state, address, names, present, scope)
        result: dict[str, Any] = {
            "changed": bool(ops),
            "allowed_server_variables": after,
            "file": state.file,
            "location": address.location,
            "ansible_facts": fact_update(self._task_vars, scope, names if present else [],
                                         [] if present else names),
        }
        if ops:
            scopes.writable(state, "allowedServerVariables")
            result["diff"] = yaml_diff({"allowed_server_variables": before}, {"allowed_server_variables": after},
                                       f"{address.section} for {scope.describe()}")
            if not self.check_mode:
                result["backups"] = self.apply_config(read, ops).get("backups", [])
        return result
