"""Action plugin of winflask.iis.rewrite_custom_tags: one customTags set of outboundRules."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node, SectionState
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import outbound, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.named_item import NamedItemAction, only_with_present


class ActionModule(NamedItemAction):
    MODULE = outbound.CUSTOM_TAGS_SPEC
    WHAT = "customTags set"
    RESULT_KEY = "custom_tags"
    PATH = ["customTags"]

    def address(self, scope: scopes.Scope) -> Address:
        return scopes.outbound_address(scope)

    def shape(self, node: Node) -> dict[str, Any]:
        return outbound.custom_tags_from_node(node)

    def element(self, item: dict[str, Any]) -> dict[str, Any]:
        return outbound.custom_tags_element(item)

    def validate(self, args: dict[str, Any]) -> None:
        only_with_present(args, "tags")
        if args["state"] == "present" and args.get("tags") is None:
            raise ModuleError(f"tags is required with state=present: the tags and attributes of customTags set "
                              f"{args['name']!r} (for example [{{name: video, attribute: src}}])")
        outbound.normalise_custom_tags(args)

    def desired(self, args: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        return outbound.normalise_custom_tags(args)

    def check(self, state: SectionState, desired: dict[str, Any] | None, before: dict[str, Any] | None) -> None:
        if desired is None and before is not None:
            users = outbound.rules_using(state.element, "customTags", before["name"])
            if users:
                raise ModuleError(f"customTags set {before['name']!r} is used by outbound rule(s) "
                                  f"{', '.join(repr(u) for u in users)} (match.custom_tags); remove or change "
                                  "those rules first")
