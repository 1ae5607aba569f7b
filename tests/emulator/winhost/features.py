"""Windows features on the emulated host: what Install-WindowsFeature (Server) and
Enable-WindowsOptionalFeature (DISM, both SKUs) do, behind the stand-in modules
``ansible.windows.win_feature`` and ``ansible.windows.win_optional_feature``.

Facts: shared/research/iis-facts.md 4 (name pairs, Server vs client, Server Core), anchors.md 2.3
(win_feature on a client fails: ansible.windows#120). The behaviours copied and what is not known
for sure are listed in docs/features.md ("The emulated host").

State: ``state.json["features"]`` maps each enabled feature's DISM name to ``"Enabled"``. A host
made by ``Host.create`` without ``--bare`` has IIS but an empty map; it counts as having the IIS
default set (``DEFAULT_IIS``) until a feature module first writes the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .host import Host
from .iis import install_iis, uninstall_iis
from .modules import ModuleFailure


@dataclass(frozen=True)
class Feature:
    dism: str                # Get-WindowsOptionalFeature name (both SKUs)
    server: str | None       # Get-WindowsFeature name (Server only); None: no Server Manager name here
    parent: str | None       # DISM name of the parent feature
    display_name: str
    feature_id: int          # stand-in for FeatureResult.Id (real ids differ)


_IIS = [
    # (Server Manager name, DISM name, parent Server Manager name, display name)
    ("Web-Server", "IIS-WebServerRole", None, "Web Server (IIS)"),
    ("Web-WebServer", "IIS-WebServer", "Web-Server", "Web Server"),
    ("Web-Common-Http", "IIS-CommonHttpFeatures", "Web-WebServer", "Common HTTP Features"),
    ("Web-Default-Doc", "IIS-DefaultDocument", "Web-Common-Http", "Default Document"),
    ("Web-Dir-Browsing", "IIS-DirectoryBrowsing", "Web-Common-Http", "Directory Browsing"),
    ("Web-Http-Errors", "IIS-HttpErrors", "Web-Common-Http", "HTTP Errors"),
    ("Web-Static-Content", "IIS-StaticContent", "Web-Common-Http", "Static Content"),
    ("Web-Http-Redirect", "IIS-HttpRedirect", "Web-Common-Http", "HTTP Redirection"),
    ("Web-Health", "IIS-HealthAndDiagnostics", "Web-WebServer", "Health and Diagnostics"),
    ("Web-Http-Logging", "IIS-HttpLogging", "Web-Health", "HTTP Logging"),
    ("Web-Log-Libraries", "IIS-LoggingLibraries", "Web-Health", "Logging Tools"),
    ("Web-Request-Monitor", "IIS-RequestMonitor", "Web-Health", "Request Monitor"),
    ("Web-Http-Tracing", "IIS-HttpTracing", "Web-Health", "Tracing"),
    ("Web-Performance", "IIS-Performance", "Web-WebServer", "Performance"),
    ("Web-Stat-Compression", "IIS-HttpCompressionStatic", "Web-Performance", "Static Content Compression"),
    ("Web-Dyn-Compression", "IIS-HttpCompressionDynamic", "Web-Performance", "Dynamic Content Compression"),
    ("Web-Security", "IIS-Security", "Web-WebServer", "Security"),
    ("Web-Filtering", "IIS-RequestFiltering", "Web-Security", "Request Filtering"),
    ("Web-Windows-Auth", "IIS-WindowsAuthentication", "Web-Security", "Windows Authentication"),
    ("Web-Basic-Auth", "IIS-BasicAuthentication", "Web-Security", "Basic Authentication"),
    ("Web-App-Dev", "IIS-ApplicationDevelopment", "Web-WebServer", "Application Development"),
    ("Web-WebSockets", "IIS-WebSockets", "Web-App-Dev", "WebSocket Protocol"),
    ("Web-AppInit", "IIS-ApplicationInit", "Web-App-Dev", "Application Initialization"),
    ("Web-CGI", "IIS-CGI", "Web-App-Dev", "CGI"),
    ("Web-ISAPI-Ext", "IIS-ISAPIExtensions", "Web-App-Dev", "ISAPI Extensions"),
    ("Web-ISAPI-Filter", "IIS-ISAPIFilter", "Web-App-Dev", "ISAPI Filters"),
    ("Web-Mgmt-Tools", "IIS-WebServerManagementTools", "Web-Server", "Management Tools"),
    ("Web-Mgmt-Console", "IIS-ManagementConsole", "Web-Mgmt-Tools", "IIS Management Console"),
    ("Web-Scripting-Tools", "IIS-ManagementScriptingTools", "Web-Mgmt-Tools", "IIS Management Scripts and Tools"),
    ("Web-Mgmt-Service", "IIS-ManagementService", "Web-Mgmt-Tools", "Management Service"),
]
# A few non-IIS features, so that raw names outside the IIS table exist on the right SKU only.
_SERVER_ONLY = [("Telnet-Client", "TelnetClient", None, "Telnet Client"),
                ("NET-Framework-45-Features", "NetFx4ServerFeatures", None, ".NET Framework 4.8 Features"),
                ("NET-Framework-45-ASPNET", "NetFx4Extended-ASPNET45", "NET-Framework-45-Features", "ASP.NET 4.8")]
_CLIENT_ONLY = [("TelnetClient", None, "Telnet Client"), ("NetFx3", None, ".NET Framework 3.5"),
                ("Microsoft-Windows-Subsystem-Linux", None, "Windows Subsystem for Linux")]


def _server_catalogue() -> dict[str, Feature]:
    dism_of = {server: dism for server, dism, _parent, _display in _IIS + _SERVER_ONLY}
    return {dism: Feature(dism, server, dism_of.get(parent) if parent else None, display, number)
            for number, (server, dism, parent, display) in enumerate(_IIS + _SERVER_ONLY, start=1)}


def _client_catalogue() -> dict[str, Feature]:
    dism_of = {server: dism for server, dism, _parent, _display in _IIS}
    features = {dism: Feature(dism, None, dism_of.get(parent) if parent else None, display, number)
                for number, (_server, dism, parent, display) in enumerate(_IIS, start=1)}
    for number, (dism, parent, display) in enumerate(_CLIENT_ONLY, start=100):
        features[dism] = Feature(dism, None, parent, display, number)
    return features


CATALOGUES = {"server": _server_catalogue(), "client": _client_catalogue()}

# What `Install-WindowsFeature Web-Server` adds without -IncludeAllSubFeature (the role's default role
# services as Server Manager preselects them; community output, UNCONFIRMED officially) and what a
# non-bare emulated host starts with. -IncludeManagementTools adds the console.
DEFAULT_IIS = ["IIS-WebServerRole", "IIS-WebServer", "IIS-CommonHttpFeatures", "IIS-DefaultDocument",
               "IIS-DirectoryBrowsing", "IIS-HttpErrors", "IIS-StaticContent", "IIS-HealthAndDiagnostics",
               "IIS-HttpLogging", "IIS-Performance", "IIS-HttpCompressionStatic", "IIS-Security",
               "IIS-RequestFiltering"]
MANAGEMENT_TOOLS = ["IIS-WebServerManagementTools", "IIS-ManagementConsole"]
IIS_CORE = "IIS-WebServer"  # the feature whose presence lays out inetsrv and applicationHost.config

CLIENT_SKU_MESSAGE = "The target of the specified cmdlet cannot be a Windows client-based operating system."
PARENT_DISABLED_MESSAGE = "One or several parent features are disabled so current feature can not be enabled."


class FeatureError(ModuleFailure):
    """A feature module failure: ``msg`` as the real module reports it."""


# ---- state ----------------------------------------------------------------------------------------
def sku(host: Host) -> str:
    return "server" if host.load_state()["os"].get("product_type") in (2, 3) else "client"


def catalogue(host: Host) -> dict[str, Feature]:
    return CATALOGUES[sku(host)]


def enabled(host: Host) -> set[str]:
    state = host.load_state()
    features = state.get("features") or {}
    if not features and host.iis_installed:
        return set(DEFAULT_IIS)
    return {name for name, value in features.items() if value == "Enabled"}


def _save(host: Host, names: set[str]) -> None:
    host.update_state(lambda s: s.__setitem__("features", {n: "Enabled" for n in sorted(names)}))


def _sync_iis(host: Host, names: set[str]) -> None:
    """Turning the core web server on lays out IIS's config; turning it off removes inetsrv."""
    if IIS_CORE in names:
        install_iis(host)
    else:
        uninstall_iis(host)


def ancestors(features: dict[str, Feature], name: str) -> list[str]:
    chain: list[str] = []
    parent = features[name].parent
    while parent:
        chain.insert(0, parent)
        parent = features[parent].parent
    return chain


def descendants(features: dict[str, Feature], name: str) -> list[str]:
    found = [f.dism for f in features.values() if f.parent == name]
    for child in list(found):
        found.extend(descendants(features, child))
    return found


def restart_needed(host: Host, changed: bool) -> bool:
    """``reboot_required`` of a feature change: Install-WindowsFeature's ``RestartNeeded`` (win_feature,
    win_optional_feature return it as ``reboot_required``). Which features need one is not modelled: a
    host whose ``state.json`` has ``"feature_restart_needed": true`` asks for it after every change (the
    role tests use it to see that a reboot is, or is not, done)."""
    return changed and bool(host.load_state().get("feature_restart_needed"))


def _apply(host: Host, before: set[str], after: set[str], check_mode: bool) -> None:
    if check_mode or before == after:
        return
    _save(host, after)
    _sync_iis(host, after)


# ---- Install-WindowsFeature / Uninstall-WindowsFeature (win_feature) ------------------------------
def _server_lookup(features: dict[str, Feature], name: str) -> str:
    for feature in features.values():
        if feature.server and feature.server.lower() == name.lower():
            return feature.dism
    raise FeatureError("Unhandled exception while executing module: ArgumentNotValid: The role, role service, or "
                       f"feature name is not valid: '{name}'. The name was not found.")


def win_feature(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """ansible.windows.win_feature: Server Manager names, Server SKUs only."""
    result: dict[str, Any] = {"changed": False, "exitcode": "NoChangeNeeded", "feature_result": [],
                              "reboot_required": False, "success": True, "failed": False}
    source = params.get("source")
    if source and not host.exists(source):
        raise FeatureError(f"Failed to find source path {source} for feature install")
    if sku(host) != "server":
        raise FeatureError(f"Unhandled exception while executing module: {CLIENT_SKU_MESSAGE}")
    features = catalogue(host)
    requested = [_server_lookup(features, name) for name in params["name"]]  # all checked before any change
    before = enabled(host)
    after = set(before)
    if params.get("state", "present") == "present":
        for name in requested:
            wanted = ancestors(features, name) + [name]
            if name == "IIS-WebServerRole" and name not in before:
                wanted += DEFAULT_IIS
            if params.get("include_sub_features"):
                wanted += descendants(features, name)
            if params.get("include_management_tools") and name.startswith("IIS-"):
                wanted += MANAGEMENT_TOOLS
            after.update(wanted)
        changed = [f for f in features if f in after - before]
    else:
        for name in requested:
            after -= {name, *descendants(features, name)}
        changed = [f for f in features if f in before - after]
    if changed:
        result["changed"] = True
        result["exitcode"] = "Success"
        result["feature_result"] = [{"id": features[f].feature_id, "display_name": features[f].display_name,
                                     "message": [], "reboot_required": False, "skip_reason": "NotApplicable",
                                     "success": True} for f in changed]
        result["reboot_required"] = restart_needed(host, True)
    _apply(host, before, after, check_mode)
    return result


# ---- Enable-/Disable-WindowsOptionalFeature (win_optional_feature) ---------------------------------
def _dism_lookup(features: dict[str, Feature], name: str) -> str:
    for feature in features.values():
        if feature.dism.lower() == name.lower():
            return feature.dism
    raise FeatureError(f"Failed to find feature '{name}'")


def win_optional_feature(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """ansible.windows.win_optional_feature: DISM names, any SKU."""
    features = catalogue(host)
    requested = [_dism_lookup(features, name) for name in params["name"]]  # all checked before any change
    state = params.get("state", "present")
    before = enabled(host)
    to_change = [n for n in requested if (n in before) != (state == "present")]
    result: dict[str, Any] = {"changed": bool(to_change), "reboot_required": restart_needed(host, bool(to_change))}
    if not to_change:
        return result
    after = set(before)
    if state == "present":
        source = params.get("source")
        if source and not host.exists(source):
            raise FeatureError(f"Path could not be found '{source}'")
        for name in to_change:
            parents = ancestors(features, name)
            if params.get("include_parent"):
                after.update(parents)
            elif any(p not in before and p not in to_change for p in parents):
                if not check_mode:
                    raise FeatureError(f"Unhandled exception while executing module: {PARENT_DISABLED_MESSAGE}")
            after.add(name)
    else:
        for name in to_change:
            after -= {name, *descendants(features, name)}
    _apply(host, before, after, check_mode)
    return result
