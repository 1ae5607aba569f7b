"""TLS of an https binding on the emulated IIS front end, as HTTP.sys does it (docs/emulator.md "TLS").

HTTP.sys picks the certificate of a connection from its SSL bindings (``netsh http show sslcert``,
winhost.certstore ``sslcerts``): the host-name binding ``name:port`` of the client's Server Name Indication
when there is one (an IIS binding with sslFlags Sni), else the IP binding ``0.0.0.0:port``; no binding for the
connection: the handshake fails (the client sees the connection reset). The certificate and its private key are
the PEM file the emulated store holds; the bindings are read at each handshake, so a changed certificate is
used by the next connection.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from typing import Any

from .. import certstore
from ..host import Host


class TlsBinding:
    def __init__(self, host: Host, port: int) -> None:
        self.host = host
        self.port = port
        self._contexts: dict[tuple[str, int], ssl.SSLContext] = {}

    def _context(self, key: str) -> ssl.SSLContext | None:
        entry = certstore.sslcerts(self.host).get(key)
        if not entry:
            return None
        path = certstore.certificate_file(self.host, "LocalMachine", entry.get("store") or "My", entry["hash"])
        if path is None or not path.exists():
            return None
        stamp = (str(path), path.stat().st_mtime_ns)
        if stamp not in self._contexts:
            self._contexts[stamp] = _server_context(path)
        return self._contexts[stamp]

    def context_for(self, server_name: str | None) -> ssl.SSLContext | None:
        """The context of the certificate HTTP.sys would present: SNI binding first, then the IP binding."""
        if server_name:
            found = self._context(f"{server_name.lower()}:{self.port}")
            if found is not None:
                return found
        return self._context(f"0.0.0.0:{self.port}")

    def wrap(self, sock: socket.socket) -> ssl.SSLSocket:
        base = self.context_for(None) or ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

        def pick(connection: ssl.SSLObject | ssl.SSLSocket, server_name: str | None, _context: Any) -> int | None:
            chosen = self.context_for(server_name)
            if chosen is None:
                return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
            connection.context = chosen
            return None

        base.sni_callback = pick
        return base.wrap_socket(sock, server_side=True)


def _server_context(pem: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(pem))
    return context
