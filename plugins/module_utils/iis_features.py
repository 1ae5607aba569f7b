"""IIS features on either SKU: friendly names, the Server <-> client name table, the plan.

Windows Server installs roles through Server Manager (``ansible.windows.win_feature``,
``Install-WindowsFeature``); Windows 10/11 only has DISM optional features
(``ansible.windows.win_optional_feature``) with other names. The table comes from
shared/research/iis-facts.md 4.1 and is documented in docs/features.md.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

WIN_FEATURE = "ansible.windows.win_feature"
WIN_OPTIONAL_FEATURE = "ansible.windows.win_optional_feature"

# Server Manager name -> (DISM optional feature name, Server Manager parent or None).
# The parent tree is the one Server Manager shows under "Web Server (IIS)".
TABLE: dict[str, tuple[str, str | None]] = {
    "Web-Server": ("IIS-WebServerRole", None),
    "Web-WebServer": ("IIS-WebServer", "Web-Server"),
    "Web-Common-Http": ("IIS-CommonHttpFeatures", "Web-WebServer"),
    "Web-Default-Doc": ("IIS-DefaultDocument", "Web-Common-Http"),
    "Web-Dir-Browsing": ("IIS-DirectoryBrowsing", "Web-Common-Http"),
    "Web-Http-Errors": ("IIS-HttpErrors", "Web-Common-Http"),
    "Web-Static-Content": ("IIS-StaticContent", "Web-Common-Http"),
    "Web-Http-Redirect": ("IIS-HttpRedirect", "Web-Common-Http"),
    "Web-Health": ("IIS-HealthAndDiagnostics", "Web-WebServer"),
    "Web-Http-Logging": ("IIS-HttpLogging", "Web-Health"),
    "Web-Log-Libraries": ("IIS-LoggingLibraries", "Web-Health"),
    "Web-Request-Monitor": ("IIS-RequestMonitor", "Web-Health"),
    "Web-Http-Tracing": ("IIS-HttpTracing", "Web-Health"),
    "Web-Performance": ("IIS-Performance", "Web-WebServer"),
    "Web-Stat-Compression": ("IIS-HttpCompressionStatic", "Web-Performance"),
    "Web-Dyn-Compression": ("IIS-HttpCompressionDynamic", "Web-Performance"),
    "Web-Security": ("IIS-Security", "Web-WebServer"),
    "Web-Filtering": ("IIS-RequestFiltering", "Web-Security"),
    "Web-Windows-Auth": ("IIS-WindowsAuthentication", "Web-Security"),
    "Web-Basic-Auth": ("IIS-BasicAuthentication", "Web-Security"),
    "Web-App-Dev": ("IIS-ApplicationDevelopment", "Web-WebServer"),
    "Web-WebSockets": ("IIS-WebSockets", "Web-App-Dev"),
    "Web-AppInit": ("IIS-ApplicationInit", "Web-App-Dev"),
    "Web-CGI": ("IIS-CGI", "Web-App-Dev"),
    "Web-ISAPI-Ext": ("IIS-ISAPIExtensions", "Web-App-Dev"),
    "Web-ISAPI-Filter": ("IIS-ISAPIFilter", "Web-App-Dev"),
    "Web-Mgmt-Tools": ("IIS-WebServerManagementTools", "Web-Server"),
    "Web-Mgmt-Console": ("IIS-ManagementConsole", "Web-Mgmt-Tools"),
    "Web-Scripting-Tools": ("IIS-ManagementScriptingTools", "Web-Mgmt-Tools"),
    "Web-Mgmt-Service": ("IIS-ManagementService", "Web-Mgmt-Tools"),
}

# Friendly name -> the Server Manager features it stands for (its own, not its parents).
FRIENDLY: dict[str, tuple[str, ...]] = {
    "web_server": ("Web-Server", "Web-WebServer"),
    "common_http": ("Web-Common-Http", "Web-Default-Doc", "Web-Http-Errors", "Web-Static-Content"),
    "default_document": ("Web-Default-Doc",),
    "static_content": ("Web-Static-Content",),
    "http_errors": ("Web-Http-Errors",),
    "directory_browsing": ("Web-Dir-Browsing",),
    "http_redirect": ("Web-Http-Redirect",),
    "http_logging": ("Web-Http-Logging",),
    "request_monitor": ("Web-Request-Monitor",),
    "http_tracing": ("Web-Http-Tracing",),
    "static_compression": ("Web-Stat-Compression",),
    "dynamic_compression": ("Web-Dyn-Compression",),
    "request_filtering": ("Web-Filtering",),
    "windows_auth": ("Web-Windows-Auth",),
    "basic_auth": ("Web-Basic-Auth",),
    "websockets": ("Web-WebSockets",),
    "application_init": ("Web-AppInit",),
    "cgi": ("Web-CGI",),
    "isapi": ("Web-ISAPI-Ext", "Web-ISAPI-Filter"),
    "management_tools": ("Web-Mgmt-Tools",),
    "management_console": ("Web-Mgmt-Console",),
    "scripting_tools": ("Web-Scripting-Tools",),
    "management_service": ("Web-Mgmt-Service",),
}

DEFAULT_NAMES = ["web_server", "common_http", "http_logging", "static_compression", "request_filtering",
                 "scripting_tools"]

# Not available on Server Core (Exchange prerequisites docs; sous-chefs/iis#387), iis-facts 4.2.
NOT_ON_SERVER_CORE = {"Web-Mgmt-Console"}

FRIENDLY_NAME = re.compile(r"^[a-z0-9_]+$")
BY_SERVER = {name.lower(): name for name in TABLE}
BY_CLIENT = {client.lower(): server for server, (client, _extra) in TABLE.items()}

SPEC = ModuleSpec(argument_spec={
    "name": {"type": "list", "elements": "str", "default": DEFAULT_NAMES},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "source": {"type": "str"},
})


def precheck(names: list[str]) -> None:
    """Checks that need no host: a friendly-looking name that is not one (before any call)."""
    if not names:
        raise ModuleError("name must list at least one feature")
    for name in names:
        stripped = name.strip()
        if not stripped:
            raise ModuleError(f"name contains an empty feature name: {names!r}")
        if FRIENDLY_NAME.match(stripped) and stripped not in FRIENDLY:
            raise ModuleError(f"name: unknown feature {stripped!r}; valid names are the friendly names "
                              f"{', '.join(sorted(FRIENDLY))}, or raw feature names of the host's SKU "
                              f"(Server Manager names such as Web-WebSockets on Windows Server, optional "
                              f"feature names such as IIS-WebSockets on client Windows; docs/features.md)")


def client_name(server_name: str) -> str:
    return TABLE[server_name][0]


def ancestors(server_name: str) -> list[str]:
    """Parents of a Server Manager feature, the root first."""
    chain: list[str] = []
    parent = TABLE[server_name][1]
    while parent:
        chain.insert(0, parent)
        parent = TABLE[parent][1]
    return chain


def valid_names_text(sku: str) -> str:
    kind = "Server Manager names such as Web-Server, Web-WebSockets" if sku == "server" else \
        "optional feature names such as IIS-WebServerRole, IIS-WebSockets"
    return (f"valid names are the friendly names {', '.join(sorted(FRIENDLY))}, "
            f"or raw {kind} (see docs/features.md for the table)")


def sku_text(sku: str, os_name: str) -> str:
    label = "Windows Server" if sku == "server" else "client Windows"
    return f"{label} ({os_name})" if os_name else label


def resolve(names: list[str], state: str, sku: str, os_name: str = "", server_core: bool = False) -> list[str]:
    """The raw feature names to pass to the SKU's module, in install order, without duplicates.

    present: each friendly name brings its parents, so the client side gets the whole chain as
    Server Manager would add it. absent: only the named features themselves (removing a parent
    would remove every feature under it). Raw names of the other SKU are translated when the
    table knows them; other raw names pass through unchanged for the host to judge.
    """
    if not names:
        raise ModuleError("name must list at least one feature")
    resolved: list[str] = []
    for name in names:
        stripped = name.strip()
        if not stripped:
            raise ModuleError(f"name contains an empty feature name: {names!r}")
        resolved.extend(_resolve_one(stripped, state, sku, os_name, server_core))
    unique: list[str] = []
    for raw in resolved:
        if raw.lower() not in {u.lower() for u in unique}:
            unique.append(raw)
    return unique


def _resolve_one(name: str, state: str, sku: str, os_name: str, server_core: bool) -> list[str]:
    if FRIENDLY_NAME.match(name):
        if name not in FRIENDLY:
            raise ModuleError(f"name: unknown feature {name!r} for {sku_text(sku, os_name)}; "
                              f"{valid_names_text(sku)}")
        server_names = list(FRIENDLY[name])
    else:
        server = BY_SERVER.get(name.lower()) or BY_CLIENT.get(name.lower())
        if server is None:
            return [_check_raw(name, sku, os_name)]
        server_names = [server]
    if server_core:
        for server in server_names:
            if server in NOT_ON_SERVER_CORE:
                raise ModuleError(f"name: {name!r} ({server}) is not available on Server Core "
                                  f"({os_name}); the IIS Manager console needs the Desktop Experience")
    if state == "present":
        chain: list[str] = []
        for server in server_names:
            chain.extend(ancestors(server) + [server])
        server_names = chain
    if sku == "server":
        return server_names
    return [client_name(s) for s in server_names]


def _check_raw(name: str, sku: str, os_name: str) -> str:
    """A raw name not in the table: refuse the other SKU's IIS prefix, pass the rest through."""
    if sku == "server" and name.lower().startswith("iis-"):
        raise ModuleError(f"name: {name!r} is an optional feature name with no known Server Manager "
                          f"equivalent on {sku_text(sku, os_name)}; {valid_names_text(sku)}")
    if sku == "client" and name.lower().startswith("web-"):
        raise ModuleError(f"name: {name!r} is a Server Manager name with no known optional feature "
                          f"equivalent on {sku_text(sku, os_name)}; {valid_names_text(sku)}")
    return name


def module_call(sku: str, features: list[str], state: str, source: str | None) -> tuple[str, dict[str, Any]]:
    """The one module call that does the work on this SKU: (module name, module args)."""
    if sku == "server":
        args: dict[str, Any] = {"name": features, "state": state}
        module = WIN_FEATURE
    else:
        args = {"name": features, "state": state}
        if state == "present":
            args["include_parent"] = True
        module = WIN_OPTIONAL_FEATURE
    if source and state == "present":
        args["source"] = source
    return module, args


def changed_features(sku: str, features: list[str], result: dict[str, Any]) -> list[str]:
    """The features the module changed (or would change in check mode).

    win_feature lists them in ``feature_result`` (by display name, e.g. "WebSocket Protocol");
    win_optional_feature only says whether anything changed, so the requested names stand in.
    """
    if not result.get("changed"):
        return []
    if sku == "server" and isinstance(result.get("feature_result"), list):
        return [str(entry.get("display_name") or entry.get("id"))
                for entry in result["feature_result"] if isinstance(entry, dict)]
    return list(features)


def diff_states(changed: list[str], state: str) -> tuple[dict[str, str], dict[str, str]]:
    """Before/after of the features the module changed."""
    state, other = ("present", "absent") if state == "present" else ("absent", "present")
    return {plain(name): other for name in changed}, {plain(name): state for name in changed}


def plain(value: object) -> str:
    """An exact ``str`` for yaml.safe_dump: ansible-core's tagged/unsafe strings are str subclasses
    that SafeDumper refuses (``str()`` keeps the subclass on ansible-core 2.16)."""
    return "".join([str(value)])


def failure_message(module: str, sku: str, os_name: str, features: list[str], result: dict[str, Any]) -> str:
    """A module failure in words that name the SKU and the valid names."""
    msg = str(result.get("msg") or "failed")
    lowered = msg.lower()
    if "not valid" in lowered or "failed to find feature" in lowered or "not found" in lowered:
        return (f"{module} refused the feature names {features} on {sku_text(sku, os_name)}: {msg}. "
                f"Check the names: {valid_names_text(sku)}")
    if "client-based operating system" in lowered:
        return (f"{module} cannot run on {sku_text(sku, os_name)}: {msg}. The host facts said this is a "
                f"{sku} SKU; check the host facts (winflask.iis.host_info)")
    return f"{module} failed on {sku_text(sku, os_name)} for {features}: {msg}"
