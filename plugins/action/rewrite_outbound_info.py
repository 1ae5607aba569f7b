"""Action plugin of winflask.iis.rewrite_outbound_info: the preConditions and customTags of a scope."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.rewrite import outbound, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import INFO_SPEC, Named
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        scope = scopes.scope_from_args(args)
        address = scopes.outbound_address(scope)
        state = scopes.read_config(self, scope, [address]).get(address)
        element = state.element
        pre, pre_inherited = Named.from_node(element.child("preConditions"), outbound.precondition_from_node,
                                             "preCondition").select(args.get("name"))
        tags, tags_inherited = Named.from_node(element.child("customTags"), outbound.custom_tags_from_node,
                                               "customTags set").select(args.get("name"))
        return {"changed": False, "preconditions": pre, "inherited_preconditions": pre_inherited,
                "custom_tags": tags, "inherited_custom_tags": tags_inherited,
                "section": address.section, "file": state.file}
