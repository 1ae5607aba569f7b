"""Operating-system profiles an emulated host can be created with (docs/architecture.md 3.5).

product_type is Win32_OperatingSystem.ProductType: 1 workstation, 2 domain controller, 3 server.
installation_type is HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\InstallationType.
native_hsts: the IIS of that Windows has the <hsts> element of <site> and <siteDefaults>, introduced in IIS 10.0
version 1709 (build 16299; learn.microsoft.com/iis/configuration/system.applicationhost/sites/site/hsts,
"Compatibility"): Server 2016 (14393) has IIS 10.0 without it, Server 2022 and Windows 11 have it. The
schema file IIS_schema.xml holds it; a profile without it gets the file without the element (iis_schema).
"""

from __future__ import annotations

import re
from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "server2016": {
        "os": {
            "product_type": 3,
            "caption": "Microsoft Windows Server 2016 Datacenter",
            "version": "10.0.14393",
            "installation_type": "Server",
        },
        "powershell_version": "5.1.14393.7428",
        "native_hsts": False,
    },
    "server2022": {
        "os": {
            "product_type": 3,
            "caption": "Microsoft Windows Server 2022 Datacenter",
            "version": "10.0.20348",
            "installation_type": "Server",
        },
        "powershell_version": "5.1.20348.2849",
        "native_hsts": True,
    },
    "win11": {
        "os": {
            "product_type": 1,
            "caption": "Microsoft Windows 11 Pro",
            "version": "10.0.22631",
            "installation_type": "Client",
        },
        "powershell_version": "5.1.22621.4391",
        "native_hsts": True,
    },
}


def profile(name: str) -> dict[str, Any]:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None


_HSTS_ELEMENT = re.compile(rb'\s*<element name="hsts">.*?</element>', re.DOTALL)


def iis_schema(name: str | None, schema_file: str, data: bytes) -> bytes:
    """The schema file as the profile's IIS ships it: IIS_schema.xml without ``hsts`` before IIS 10.0 1709."""
    if schema_file == "IIS_schema.xml" and not PROFILES.get(name or "", {}).get("native_hsts", True):
        return _HSTS_ELEMENT.sub(b"", data)
    return data
