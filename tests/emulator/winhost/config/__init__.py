"""The IIS configuration system of the emulated host, over real XML files (docs/architecture.md 3)."""

from __future__ import annotations

from typing import Any

from ..errors import HostError
from ..host import Host
from .address import APPHOST, Address, resolve
from .apply import apply
from .delegation import effective_mode, override_mode, with_details
from .xmlfiles import ConfigFiles

READ_ATTEMPTS = 2  # the first read and one retry


def read_section(files: ConfigFiles, section: str, pspath: str = APPHOST, location: str = "",
                 details: bool = False) -> dict[str, Any]:
    address = resolve(files, section, pspath, location)
    node = address.effective()
    element = node.to_json()
    entry = {"section": section, "pspath": pspath, "location": location, "file": address.target_file,
             "locked": address.lock_reason() is not None, "element": element}
    if details:  # config_read's "details": schema types and keys, the override modes (delegation.py)
        with_details(node, element)
        entry["override_mode"] = override_mode(address) if address.in_apphost else "Inherit"
        entry["override_mode_effective"] = effective_mode(address)
    return entry


def read(host: Host, request: dict[str, Any]) -> dict[str, Any]:
    """Sections and the fingerprint of the bytes they were read from; a file moving meanwhile: read again.

    Like config_read.ps1: fingerprint, read, fingerprint again. Here the first fingerprint is that of
    the bytes each file was parsed from, which is exact; when any file on disk differs from them
    after the sections were read (a writer got in between), the read starts over once, then fails
    with ``ConfigChanging`` (docs/architecture.md 3.3).
    """
    for _attempt in range(READ_ATTEMPTS):
        files = ConfigFiles(host)
        files.apphost()
        sections = []
        consulted: list[str] = []
        for entry in request.get("reads") or []:
            address: Address = resolve(files, entry.get("section", ""), entry.get("pspath") or APPHOST,
                                       entry.get("location") or "")
            sections.append(read_section(files, address.section, address.pspath, address.location,
                                         entry.get("details") is True))
            consulted += [f for f in address.files() if f not in consulted]
        fingerprint = {f: files.parsed_sha256(f) for f in consulted}
        if all(host.sha256(f) == digest for f, digest in fingerprint.items()):
            return {"fingerprint": fingerprint, "sections": sections}
    moved = sorted(f for f, digest in fingerprint.items() if host.sha256(f) != digest)
    raise HostError("ConfigChanging", f"The configuration files changed while they were read, {READ_ATTEMPTS} "
                    f"times in a row: {', '.join(moved)}. Another program is writing IIS configuration; "
                    "run the task again when it is done", files=moved)


__all__ = ["APPHOST", "ConfigFiles", "apply", "read", "read_section", "resolve"]
