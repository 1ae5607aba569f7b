"""Action plugin of winflask.iis.rewrite_rules: the exclusive, ordered list of rules at a scope."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule as spec
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import plan, proxy_guard, scope as scopes


class ActionModule(WinflaskAction):
    MODULE = spec.RULES_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        warnings: list[str] = []
        desired = spec.desired_rules(args["rules"], scope, args["allow_open_proxy"], warnings)
        wants_vars = scope.needs_allowed_variables and any(r["server_variables"] for r in desired)
        addresses = [scope.rules_address] + ([scope.allowed_address] if wants_vars else [])
        maps = proxy_guard.rules_need_maps(desired, scope.flavor, args["allow_open_proxy"])
        read = scopes.read_config(self, scope, addresses, maps=maps)
        if maps:  # the open-proxy guard of rules that look up rewrite maps, before any write
            proxy_guard.check_rules(desired, scopes.read_maps(read, scope))
        rules_state = read.get(scope.rules_address)
        current = plan.Current.from_state(rules_state, scope.flavor)
        current.refuse_inherited([r["name"] for r in desired], scope)
        spec.check_preconditions(desired, rules_state)
        ops, before, after = plan.plan_rules(scope.rules_address, current, desired)
        if ops:
            scopes.writable(rules_state, "rules")
        added: list[str] = []
        if wants_vars:
            allowed_state = read.get(scope.allowed_address)
            added = plan.variables_to_allow(desired, scope, scopes.allowed_names(allowed_state),
                                            scopes.fact_names(self._task_vars, scope) if self.check_mode else [],
                                            args["allow_server_variables"])
            if added:
                scopes.writable(allowed_state, "allow_server_variables")
                ops = plan.allow_ops(scope.allowed_address, added) + ops
        result: dict[str, Any] = {
            "changed": bool(ops),
            "rules": after,
            "inherited_rules": [r["name"] for r in current.inherited],
            "section": scope.rules_address.section,
            "file": rules_state.file,
            "server_variables_allowed": added,
            "operations": len(ops),
        }
        if added:
            result["ansible_facts"] = spec.fact_update(self._task_vars, scope, added)
        if warnings:
            result["warnings"] = warnings
        if ops:
            result["diff"] = yaml_diff(*plan.list_diff(before, after),
                                       f"{scope.rules_address.section} in {scope.describe()}")
            if not self.check_mode:
                result["backups"] = self.apply_config(read, ops).get("backups", [])
        return result
