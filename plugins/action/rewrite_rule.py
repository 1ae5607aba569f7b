"""Action plugin of winflask.iis.rewrite_rule: one URL Rewrite rule, at its position."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule as spec
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import plan, proxy_guard, scope as scopes


class ActionModule(WinflaskAction):
    MODULE = spec.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        present = args["state"] == "present"
        if args.get("relative_to") and args.get("position") not in ("before", "after"):
            raise ModuleError(f"relative_to ({args['relative_to']!r}) is only used with position=before or after, "
                              f"got position={args.get('position')!r}")
        desired = None
        warnings: list[str] = []
        if present:
            given = {key: args.get(key) for key in spec.RULE_KEYS}
            desired = spec.desired_rules([given], scope, args["allow_open_proxy"], warnings)[0]
        # The one read: the rules section, plus the allow list when the rule sets server variables.
        wants_vars = present and scope.needs_allowed_variables and bool(desired and desired["server_variables"])
        addresses = [scope.rules_address] + ([scope.allowed_address] if wants_vars else [])
        # ... and the rewrite maps when the open-proxy guard has to see them (before any write)
        maps = bool(desired) and proxy_guard.rules_need_maps([desired], scope.flavor, args["allow_open_proxy"])
        read = scopes.read_config(self, scope, addresses, maps=maps)
        if maps:
            proxy_guard.check_rules([desired], scopes.read_maps(read, scope))
        rules_state = read.get(scope.rules_address)
        current = plan.Current.from_state(rules_state, scope.flavor)
        current.refuse_inherited([args["name"]], scope)
        if desired:
            spec.check_preconditions([desired], rules_state)
        ops, before, after = plan.plan_rule(scope.rules_address, current, desired, args["name"],
                                            args.get("position"), args.get("relative_to"))
        if ops:
            scopes.writable(rules_state, f"rule {args['name']!r}")
        added: list[str] = []
        if wants_vars and desired:
            allowed_state = read.get(scope.allowed_address)
            added = plan.variables_to_allow([desired], scope, scopes.allowed_names(allowed_state),
                                            scopes.fact_names(self._task_vars, scope) if self.check_mode else [],
                                            args["allow_server_variables"])
            if added:
                scopes.writable(allowed_state, "allow_server_variables")
                ops = plan.allow_ops(scope.allowed_address, added) + ops
        result: dict[str, Any] = {
            "changed": bool(ops),
            "rule": after["rule"] if after else None,
            "position": after["position"] if after else None,
            "section": scope.rules_address.section,
            "file": rules_state.file,
            "server_variables_allowed": added,
        }
        if added:
            result["ansible_facts"] = spec.fact_update(self._task_vars, scope, added)
        if warnings:
            result["warnings"] = warnings
        if ops:
            header = f"{scope.rules_address.section} rule {args['name']!r} in {scope.describe()}"
            result["diff"] = yaml_diff(before, after, header)
            if not self.check_mode:
                result["backups"] = self.apply_config(read, ops).get("backups", [])
        return result
