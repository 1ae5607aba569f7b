"""Host facts (the ``host_facts`` script, docs/architecture.md 3.5) and what the modules derive from them.

Shared by winflask.iis.host_info, iis_features (which SKU) and iis_extension (what is installed).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleSpec

SPEC = ModuleSpec(argument_spec={})

# Win32_OperatingSystem.ProductType: 1 workstation, 2 domain controller, 3 server (iis-facts 4.2).
SERVER_PRODUCT_TYPES = (2, 3)

# What each IIS extension registers when its MSI runs (iis-facts 1.1, 2.2, 3): the config
# sections the collection needs and the global module. Presence = all of them registered.
EXTENSION_MARKS: dict[str, dict[str, Any]] = {
    "url_rewrite": {
        "sections": ["system.webServer/rewrite/rules", "system.webServer/rewrite/globalRules",
                     "system.webServer/rewrite/allowedServerVariables"],
        "global_module": "RewriteModule",
    },
    "arr": {
        "sections": ["system.webServer/proxy"],
        "global_module": "ApplicationRequestRouting",
    },
}


def sku(facts: dict[str, Any]) -> str:
    """``server`` (Server Manager / win_feature names) or ``client`` (optional feature names)."""
    product_type = facts.get("os", {}).get("product_type")
    return "server" if product_type in SERVER_PRODUCT_TYPES else "client"


def server_core(facts: dict[str, Any]) -> bool:
    return str(facts.get("os", {}).get("installation_type", "")).lower() == "server core"


def os_name(facts: dict[str, Any]) -> str:
    os_facts = facts.get("os", {})
    return str(os_facts.get("caption") or f"Windows {os_facts.get('version', '')}".strip())


def iis_installed(facts: dict[str, Any]) -> bool:
    return bool(facts.get("iis", {}).get("installed"))


# Native HSTS (the <hsts> element of <site> and <siteDefaults>) came with IIS 10.0 version 1709 (Microsoft,
# "HSTS Settings for a Web Site <hsts>", Compatibility; iis-facts 7): Windows 10 / Windows Server version 1709 are
# build 16299 (Windows Server 2019 17763, 2022 20348 have it; Server 2016, 14393, does not).
NATIVE_HSTS_IIS_MAJOR = 10
NATIVE_HSTS_MIN_BUILD = 16299


def _version_part(version: Any, index: int) -> int | None:
    parts = str(version or "").split(".")
    return int(parts[index]) if len(parts) > index and parts[index].isdigit() else None


def native_hsts(facts: dict[str, Any]) -> bool:
    """True when the host's IIS has the site's ``hsts`` element: IIS 10 or later on Windows build 16299 or later.

    Unknown versions count as False: the outbound rule that adds Strict-Transport-Security works on every IIS
    with URL Rewrite, native HSTS only where the schema has it.
    """
    if not iis_installed(facts):
        return False
    major = _version_part(facts.get("iis", {}).get("version"), 0)
    build = _version_part(facts.get("os", {}).get("version"), 2)
    return major is not None and build is not None and (
        major > NATIVE_HSTS_IIS_MAJOR or (major == NATIVE_HSTS_IIS_MAJOR and build >= NATIVE_HSTS_MIN_BUILD))


def _lower(values: Any) -> set[str]:
    return {str(v).lower() for v in values or []}


def extension_installed(facts: dict[str, Any], name: str) -> bool:
    """True when every section of the extension and its global module are registered."""
    marks = EXTENSION_MARKS[name]
    sections = _lower(facts.get("sections"))
    modules = _lower(facts.get("global_modules"))
    return (all(s.lower() in sections for s in marks["sections"])
            and marks["global_module"].lower() in modules)


def extensions(facts: dict[str, Any]) -> dict[str, bool]:
    return {name: extension_installed(facts, name) for name in EXTENSION_MARKS}


def summary(facts: dict[str, Any]) -> dict[str, Any]:
    """The host_info module's result: the script's facts plus what the modules derive from them."""
    result = {key: facts.get(key) for key in ("os", "powershell_version", "iis", "sections", "global_modules",
                                              "sites")}
    result["sections"] = list(facts.get("sections") or [])
    result["global_modules"] = list(facts.get("global_modules") or [])
    result["sites"] = list(facts.get("sites") or [])
    result["sku"] = sku(facts)
    result["server_core"] = server_core(facts)
    result["extensions"] = extensions(facts)
    result["native_hsts"] = native_hsts(facts)
    return result
