"""Where rules and allowed server variables live, the task's one read, and the host errors.

- server (no site): inbound rules in globalRules (or, with ``server_rules: distributed``, the distributed
  ``rules`` at the root of applicationHost.config, which every site inherits), outbound rules in
  outboundRules, all in applicationHost.config; allowedServerVariables at the root of applicationHost.config.
- site: rules / outboundRules in the site's web.config; allowedServerVariables in
  applicationHost.config under ``<location path="Site">``.
- site + application: the application's web.config; ``<location path="Site/app">``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    Address, ConfigRead, SectionState, site_address)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import (
    ALLOWED_SECTION, GLOBAL, INBOUND, OUTBOUND, SECTIONS)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.proxy_guard import Maps
from ansible_collections.winflask.iis.plugins.module_utils.transport import TargetError

if TYPE_CHECKING:  # the action base imports ansible.plugins: controller only
    from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction

FACT = "winflask_iis_allowed_server_variables"
MAPS_SECTION = "system.webServer/rewrite/rewriteMaps"

NOT_INSTALLED = ("URL Rewrite is not installed on the host: the section {section} is not registered. "
                 "Install URL Rewrite 2.1 first (winflask.iis.iis_extension).")


@dataclass(frozen=True)
class Scope:
    site: str | None = None
    application: str | None = None
    direction: str = "inbound"
    server_rules: str = "global"  # server level, inbound: globalRules, or "distributed" (<rules>)

    @property
    def flavor(self) -> str:
        if self.direction == "outbound":
            return OUTBOUND
        return INBOUND if self.site or self.server_rules == "distributed" else GLOBAL

    @property
    def path(self) -> str:
        """IIS location path of the scope: '' (server), 'Site' or 'Site/app'."""
        if not self.site:
            return ""
        app = (self.application or "/").strip("/")
        return f"{self.site}/{app}" if app else self.site

    @property
    def rules_address(self) -> Address:
        return site_address(SECTIONS[self.flavor], self.site, self.application)

    @property
    def allowed_address(self) -> Address:
        """allowedServerVariables for this scope: applicationHost.config, in a <location> for a site."""
        return site_address(ALLOWED_SECTION, self.site, self.application, in_apphost=True)

    @property
    def needs_allowed_variables(self) -> bool:
        """Only distributed inbound rules need the allow list (global rules may set any variable)."""
        return self.flavor == INBOUND

    def describe(self) -> str:
        if not self.site:
            return "the server" + (" (distributed rules)" if self.flavor == INBOUND else "")
        app = (self.application or "/").strip("/")
        return f"site {self.site!r}" + (f" application '/{app}'" if app else "")


def scope_from_args(args: dict[str, Any]) -> Scope:
    site = str(args["site"]) if args.get("site") else None
    application = str(args["application"]) if args.get("application") else None
    if application and not site:
        raise ModuleError(f"application {application!r} needs site (the site the application belongs to)")
    direction = str(args.get("direction") or "inbound")
    server_rules = str(args.get("server_rules") or "global")
    if server_rules != "global" and (site or direction == "outbound"):
        where = f"site {site!r}" if site else "direction=outbound"
        raise ModuleError(f"server_rules={server_rules} chooses between globalRules and the distributed rules of "
                          f"the server level (inbound rules without site); it cannot be used with {where}")
    return Scope(site, application, direction, server_rules)


def maps_address(scope: Scope) -> Address:
    """The rewrite maps the scope's rules see: the effective rewriteMaps section at the rules' config path
    (applicationHost.config for global rules; a site's web.config merged with its parents for a site)."""
    return site_address(MAPS_SECTION, scope.site, scope.application)


def outbound_address(scope: Scope) -> Address:
    """The outboundRules section of the scope (its preConditions and customTags live there too)."""
    return site_address(SECTIONS[OUTBOUND], scope.site, scope.application)


def read_maps(read: ConfigRead, scope: Scope) -> Maps:
    return Maps.from_element(read.get(maps_address(scope)).element, scope.describe())


def read_config(action: WinflaskAction, scope: Scope, addresses: list[Address], maps: bool = False) -> ConfigRead:
    """The task's one read, with the host's errors turned into messages that say what to do.

    ``maps``: the open-proxy guard needs the scope's rewrite maps; they come in the same call."""
    if maps:
        addresses = [*addresses, maps_address(scope)]
    try:
        return action.read_config(addresses)
    except TargetError as exc:
        if exc.code == "SectionNotRegistered":
            section = exc.details.get("section") or addresses[0].section
            raise ModuleError(NOT_INSTALLED.format(section=section)) from exc
        if exc.code == "SiteNotFound":
            raise ModuleError(f"site {scope.site!r} does not exist on the host ({exc.message})") from exc
        if exc.code == "DuplicateKey":
            raise ModuleError(f"the configuration of {scope.describe()} holds an entry twice, once at a parent level "
                              f"and once at this level; IIS answers such a site with HTTP 500.19. Remove the "
                              f"duplicate from applicationHost.config or the web.config ({exc.message})") from exc
        if exc.code == "PathNotFound":
            raise ModuleError(f"application {scope.application!r} does not exist in site {scope.site!r} "
                              f"({exc.message})") from exc
        raise


def writable(state: SectionState, what: str) -> None:
    if state.locked:
        raise ModuleError(f"{what}: {state.address.describe()} is locked at a parent level (or not allowed at this "
                          f"path) in {state.file}; IIS would refuse the write with HTTP 500.19 (0x80070021)")


def allowed_names(state: SectionState | None) -> list[str]:
    if state is None:
        return []
    return [str(item.value("name")) for item in state.element.items]


def fact_names(task_vars: dict[str, Any], scope: Scope) -> list[str]:
    """Variables that winflask.iis.server_variable allowed (or would allow, in check mode) for this scope
    or a parent scope earlier in the playbook run, as recorded in the host fact ``FACT``.

    The rule modules use them only in check mode: outside it, an earlier task has written the names
    and the task's own read sees them, so the host stays the only authority.
    """
    facts = (task_vars.get("ansible_facts") or {}).get(FACT) or task_vars.get(FACT) or {}
    names: list[str] = []
    target = scope.path.lower()
    for path, entries in facts.items():
        key = str(path).lower()
        if key == "" or key == target or target.startswith(key + "/"):
            names.extend(entries or [])
    return names
