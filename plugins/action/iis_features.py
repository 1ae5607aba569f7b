"""Action plugin of winflask.iis.iis_features: IIS features on Windows Server and client Windows alike."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import host_info, iis_features
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff


class ActionModule(WinflaskAction):
    MODULE = iis_features.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        iis_features.precheck(args["name"])  # before any call: bad input never reaches the host
        self.reads += 1
        facts = self.host_facts()
        sku, os_name = host_info.sku(facts), host_info.os_name(facts)
        features = iis_features.resolve(args["name"], args["state"], sku, os_name, host_info.server_core(facts))
        module, module_args = iis_features.module_call(sku, features, args["state"], args.get("source"))
        if not self.check_mode:
            self.writes += 1
        # One call with the whole list; in check mode the module itself only predicts (-WhatIf).
        answer = self._execute_module(module_name=module, module_args=module_args, task_vars=self._task_vars)
        if answer.get("failed"):
            raise ModuleError(iis_features.failure_message(module, sku, os_name, features, answer))
        changed = iis_features.changed_features(sku, features, answer)
        result: dict[str, Any] = {
            "changed": bool(answer.get("changed")),
            "reboot_required": bool(answer.get("reboot_required")),
            "sku": sku,
            "module": module,
            "features": features,
            "changed_features": changed,
        }
        if sku == "server":
            result["feature_result"] = answer.get("feature_result", [])
        if result["changed"]:
            before, after = iis_features.diff_states(changed, args["state"])
            result["diff"] = yaml_diff(before, after, f"IIS features ({sku})")
        return result
