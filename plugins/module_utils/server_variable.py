"""winflask.iis.server_variable(_info): URL Rewrite's allowedServerVariables, at the server or a site.

The list is locked below applicationHost.config (overrideModeDefault="Deny"), so a site's entries
go into applicationHost.config under <location path="Site">, as IIS Manager and
``appcmd ... /commit:apphost`` do; writing them into the site's web.config gives HTTP 500.19.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS, SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    BACKUP_OPTIONS, Address, SectionState, op_add, op_remove)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.scope import Scope, allowed_names
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.validate import check_variable_name

SCOPE = {"site": {"type": "str"}, "application": {"type": "str"}}

SPEC = ModuleSpec(
    argument_spec={
        "name": {"type": "list", "elements": "str", "required": True, "aliases": ["names"]},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        **SCOPE, **BACKUP_OPTIONS,
    },
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)

INFO_SPEC = ModuleSpec(argument_spec=dict(SCOPE), required_by={"application": "site"}, kinds=SCOPE_KINDS)


def validate(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for n, name in enumerate(plain(names)):
        check_variable_name(name, f"name[{n}]")
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def existence_address(scope: Scope) -> Address | None:
    """A section at the site's own path, read only so that a missing site or application fails the read."""
    if not scope.site:
        return None
    return Scope(scope.site, scope.application).rules_address


def plan(state: SectionState, address: Address, names: list[str], present: bool, scope: Scope
         ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Operations, names before, names after (the effective list at the scope)."""
    items = state.element.items
    before = allowed_names(state)
    local = {str(i.value("name")).lower() for i in items if i.locally_stored}
    effective = {n.lower() for n in before}
    ops = []
    after = list(before)
    for name in names:
        key = name.lower()
        if present and key not in effective:
            ops.append(op_add(address, [], {"name": "add", "attributes": {"name": name}}))
            after.append(name)
        elif not present and key in effective:
            if key not in local:
                raise ModuleError(f"server variable {name!r} is allowed for {scope.describe()} by a parent level "
                                  "(the server, or the site for an application); remove it there")
            ops.append(op_remove(address, [], {"name": name}))
            after = [n for n in after if n.lower() != key]
    return ops, before, after
