"""Action plugin of winflask.iis.rewrite_map_info: the rewrite maps of a scope, in rewrite_map's shape."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.rewrite import maps, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import INFO_SPEC, Named
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        scope = scopes.scope_from_args(args)
        address = scopes.maps_address(scope)
        state = scopes.read_config(self, scope, [address]).get(address)
        local, inherited = Named.from_node(state.element, maps.map_from_node, "rewrite map").select(args.get("name"))
        return {"changed": False, "maps": local, "inherited_maps": inherited, "exists": bool(local or inherited),
                "section": address.section, "file": state.file}
