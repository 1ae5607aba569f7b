"""config_read, config_apply and host_facts (docs/architecture.md 3.3-3.5)."""

from __future__ import annotations

from typing import Any

from . import config
from .config.sites import read_sites
from .config.xmlfiles import ConfigFiles, declarations
from .host import Host
from .iis import global_module_names
from .scripts import register_script


@register_script("config_read", "read")
def config_read(host: Host, request: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    return config.read(host, request)


@register_script("config_apply", "write")
def config_apply(host: Host, request: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    return config.apply(host, request, check_mode=check_mode)


@register_script("host_facts", "read")
def host_facts(host: Host, request: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    state = host.load_state()
    facts: dict[str, Any] = {
        "os": state["os"],
        "powershell_version": state.get("powershell_version"),
        "iis": {"installed": False, "version": None, "config_file": None},
        "sections": [],
        "global_modules": [],
        "sites": [],
    }
    if host.iis_installed:
        apphost = ConfigFiles(host).apphost()
        root = apphost.root
        assert root is not None
        inetstp = state.get("registry", {}).get("HKLM\\SOFTWARE\\Microsoft\\InetStp", {})
        facts["iis"] = {"installed": True,
                        "version": f"{inetstp.get('MajorVersion', 10)}.{inetstp.get('MinorVersion', 0)}",
                        "config_file": apphost.win_path}
        facts["sections"] = sorted(declarations(root))
        facts["global_modules"] = global_module_names(root)
        facts["sites"] = [{"name": s.name, "id": s.id, "physical_path": s.physical_path} for s in read_sites(root)]
    return facts
