"""Short read/apply helpers for the emulator's own tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from winhost import Host, HostError
from winhost.scripts import SCRIPTS

APPHOST = "MACHINE/WEBROOT/APPHOST"
SITE = "MACHINE/WEBROOT/APPHOST/Default Web Site"
APPHOST_FILE = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"
SITE_WEB_CONFIG = "C:\\inetpub\\wwwroot\\web.config"


def read(host: Host, section: str, pspath: str = APPHOST, location: str = "") -> dict[str, Any]:
    """config_read of one section; returns the section entry plus the fingerprint."""
    result = SCRIPTS["config_read"](host, {"reads": [{"section": section, "pspath": pspath, "location": location}]},
                                    False)
    entry = result["sections"][0]
    entry["fingerprint"] = result["fingerprint"]
    return entry


def attrs(node: dict[str, Any]) -> dict[str, Any]:
    """{name: value} of a node JSON."""
    return {k: v["value"] for k, v in node["attributes"].items()}


def apply(host: Host, *operations: dict[str, Any], fingerprint: dict[str, Any] | None = None, backup: bool = True,
          check_mode: bool = False) -> dict[str, Any]:
    request = {"fingerprint": fingerprint or {}, "backup": backup, "operations": list(operations)}
    return SCRIPTS["config_apply"](host, request, check_mode)


def op(kind: str, section: str, pspath: str = APPHOST, location: str = "", path: list[Any] | None = None,
       **extra: Any) -> dict[str, Any]:
    return {"op": kind, "section": section, "pspath": pspath, "location": location, "path": path or [], **extra}


def rule(name: str, url: str = "(.*)", **attributes: Any) -> dict[str, Any]:
    return {"name": "rule", "attributes": {"name": name, **attributes},
            "children": {"match": {"attributes": {"url": url}},
                         "action": {"attributes": {"type": "Rewrite", "url": "http://127.0.0.1:5000/{R:1}"}}},
            "items": []}


def raises(code: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> HostError:
    with pytest.raises(HostError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, f"expected {code}, got {info.value.code}: {info.value.message}"
    return info.value


def file_bytes(host: Host, win_path: str) -> bytes | None:
    return host.read_bytes(win_path)
