"""Action plugin of winflask.iis.rewrite_outbound_precondition: one preCondition of outboundRules."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node, SectionState
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import outbound, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.named_item import NamedItemAction, only_with_present


class ActionModule(NamedItemAction):
    MODULE = outbound.PRECONDITION_SPEC
    WHAT = "preCondition"
    RESULT_KEY = "precondition"
    PATH = ["preConditions"]

    def address(self, scope: scopes.Scope) -> Address:
        return scopes.outbound_address(scope)

    def shape(self, node: Node) -> dict[str, Any]:
        return outbound.precondition_from_node(node)

    def element(self, item: dict[str, Any]) -> dict[str, Any]:
        return outbound.precondition_element(item)

    def validate(self, args: dict[str, Any]) -> None:
        only_with_present(args, "logical_grouping", "pattern_syntax", "conditions")
        outbound.normalise_precondition(args)

    def desired(self, args: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        return outbound.normalise_precondition(args)

    def check(self, state: SectionState, desired: dict[str, Any] | None, before: dict[str, Any] | None) -> None:
        if desired is None and before is not None:
            users = outbound.rules_using(state.element, "preCondition", before["name"])
            if users:
                raise ModuleError(f"preCondition {before['name']!r} is used by outbound rule(s) "
                                  f"{', '.join(repr(u) for u in users)}; remove or change those rules first "
                                  "(they would name a preCondition that no longer exists)")
