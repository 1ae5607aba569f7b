"""Action plugin of winflask.iis.rewrite_rule_info: the rules at a scope, in the modules' shape."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule as spec
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import plan, scope as scopes


class ActionModule(WinflaskAction):
    MODULE = spec.INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)  # plain str/int: ansible-core 2.19+ tagged values do not survive yaml.safe_dump
        scope = scopes.scope_from_args(args)
        addresses = [scope.rules_address] + ([scope.allowed_address] if scope.needs_allowed_variables else [])
        read = scopes.read_config(self, scope, addresses)
        rules_state = read.get(scope.rules_address)
        current = plan.Current.from_state(rules_state, scope.flavor)
        name = (args.get("name") or "").lower()
        rules = [r for r in current.local if not name or r["name"].lower() == name]
        inherited = [r for r in current.inherited if not name or r["name"].lower() == name]
        result: dict[str, Any] = {
            "changed": False,
            "rules": rules,
            "inherited_rules": inherited,
            "exists": bool(rules or inherited),
            "section": scope.rules_address.section,
            "file": rules_state.file,
        }
        if scope.needs_allowed_variables:
            result["allowed_server_variables"] = scopes.allowed_names(read.get(scope.allowed_address))
        return result
