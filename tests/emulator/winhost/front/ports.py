"""Site bindings of the emulated IIS and the loopback ports that stand in for them (docs/emulator.md,
"HTTP through the emulated IIS").

A real IIS listens (through HTTP.sys) on each binding's IP and port; here every http binding's port maps to
one free port of the controller's loopback, chosen at first need and recorded in ``state.json``:
``iis_http.ports`` = ``{bindingInformation: loopback port}``. Bindings that share a TCP port (``*:80:`` and
``*:80:www.example.com``) share one loopback port, as they share one HTTP.sys endpoint; the site is then
chosen by the Host header. https bindings get loopback ports the same way, in ``iis_http.https``, served over
TLS with the certificate HTTP.sys holds for them (winhost.certstore); bindings of other protocols (net.tcp...)
are recorded in ``iis_http.not_served``.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from ..config.xmlfiles import ConfigFiles
from ..host import Host

KEY = "iis_http"


@dataclass(frozen=True)
class Binding:
    site: str
    protocol: str
    information: str  # "IP:port:hostname" as in applicationHost.config

    @property
    def port(self) -> int | None:
        parts = self.information.rsplit(":", 2)
        try:
            return int(parts[1]) if len(parts) == 3 else None
        except ValueError:
            return None

    @property
    def host_name(self) -> str:
        parts = self.information.rsplit(":", 2)
        return parts[2] if len(parts) == 3 else ""


def read_bindings(apphost_root: ET.Element | None) -> list[Binding]:
    """``system.applicationHost/sites/site/bindings/binding`` of every site, in file order."""
    found: list[Binding] = []
    sites = apphost_root.find("system.applicationHost/sites") if apphost_root is not None else None
    for site in sites.findall("site") if sites is not None else []:
        for binding in site.findall("bindings/binding"):
            found.append(Binding(site.get("name", ""), binding.get("protocol", "http").lower(),
                                 binding.get("bindingInformation", "")))
    return found


def bindings(host: Host) -> list[Binding]:
    return read_bindings(ConfigFiles(host).apphost().root)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _loopback(current: list[Binding], protocol: str, recorded: dict[str, int]) -> dict[str, int]:
    by_port = {b.port: recorded[b.information] for b in current
               if b.protocol == protocol and b.information in recorded}
    ports: dict[str, int] = {}
    for binding in current:
        if binding.protocol != protocol or binding.port is None:
            continue
        if binding.port not in by_port:
            by_port[binding.port] = free_port()
        ports[binding.information] = by_port[binding.port]
    return ports


def assign(host: Host) -> dict[str, int]:
    """The loopback port of every http binding (new ones chosen now and recorded, https ones too: see
    ``https_ports``); {} without IIS."""
    if not host.iis_installed:
        return {}
    with host.lock():
        current = bindings(host)
        entry = host.load_state().get(KEY) or {}
        ports = _loopback(current, "http", dict(entry.get("ports") or {}))
        secure = _loopback(current, "https", dict(entry.get("https") or {}))
        not_served = sorted(b.information for b in current if b.protocol not in ("http", "https"))
        if ports != entry.get("ports") or secure != entry.get("https", {}) \
                or not_served != entry.get("not_served"):
            def record(changed: dict[str, Any]) -> None:
                saved = changed.setdefault(KEY, {})
                saved["ports"] = ports
                saved["https"] = secure
                saved["not_served"] = not_served
            host.update_state(record)
    return ports


def https_ports(host: Host) -> dict[str, int]:
    """{bindingInformation: loopback port} of the https bindings, as ``assign`` recorded them."""
    return dict((host.load_state().get(KEY) or {}).get("https") or {})


def listing(host: Host) -> list[dict[str, Any]]:
    """One entry per binding: site, protocol, binding, url (None when not served)."""
    by_protocol = {"http": assign(host), "https": https_ports(host)}
    out = []
    for binding in bindings(host) if host.iis_installed else []:
        port = by_protocol.get(binding.protocol, {}).get(binding.information)
        out.append({"site": binding.site, "protocol": binding.protocol, "binding": binding.information,
                    "url": f"{binding.protocol}://127.0.0.1:{port}/" if port else None})
    return out
