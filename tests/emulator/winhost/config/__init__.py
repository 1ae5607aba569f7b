"""The IIS configuration system of the emulated host, over real XML files (docs/architecture.md 3)."""

from __future__ import annotations

from typing import Any

from ..host import Host
from .address import APPHOST, Address, resolve
from .apply import apply
from .xmlfiles import ConfigFiles


def read_section(files: ConfigFiles, section: str, pspath: str = APPHOST, location: str = "") -> dict[str, Any]:
    address = resolve(files, section, pspath, location)
    element = address.effective().to_json()
    return {"section": section, "pspath": pspath, "location": location, "file": address.target_file,
            "locked": address.lock_reason() is not None, "element": element}


def read(host: Host, request: dict[str, Any]) -> dict[str, Any]:
    files = ConfigFiles(host)
    files.apphost()
    sections = []
    consulted: list[str] = []
    for entry in request.get("reads") or []:
        address: Address = resolve(files, entry.get("section", ""), entry.get("pspath") or APPHOST,
                                   entry.get("location") or "")
        sections.append(read_section(files, address.section, address.pspath, address.location))
        consulted += [f for f in address.files() if f not in consulted]
    return {"fingerprint": {f: host.sha256(f) for f in consulted}, "sections": sections}


__all__ = ["APPHOST", "ConfigFiles", "apply", "read", "read_section", "resolve"]
