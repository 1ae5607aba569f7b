"""Operating-system profiles an emulated host can be created with (docs/architecture.md 3.5).

product_type is Win32_OperatingSystem.ProductType: 1 workstation, 2 domain controller, 3 server.
installation_type is HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\InstallationType.
"""

from __future__ import annotations

from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "server2022": {
        "os": {
            "product_type": 3,
            "caption": "Microsoft Windows Server 2022 Datacenter",
            "version": "10.0.20348",
            "installation_type": "Server",
        },
        "powershell_version": "5.1.20348.2849",
    },
    "win11": {
        "os": {
            "product_type": 1,
            "caption": "Microsoft Windows 11 Pro",
            "version": "10.0.22631",
            "installation_type": "Client",
        },
        "powershell_version": "5.1.22621.4391",
    },
}


def profile(name: str) -> dict[str, Any]:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
