"""The emulated IIS front end: one real HTTP server process per emulated host.

``python -m winhost serve --root R`` listens on the loopback port of every http binding
(``state.json`` ``iis_http.ports``) with a ThreadingHTTPServer bound to 127.0.0.1 only. Each request:
site by binding (port, then host name), application by longest virtual path, the effective rules
through the collection's URL Rewrite engine, then what IIS and ARR do with the engine's answer
(docs/emulator.md "HTTP through the emulated IIS").
"""

from __future__ import annotations

import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from ..errors import HostError
from ..host import Host
from . import ports as ports_mod
from .errors import error_answer
from .proxy import forward
from .rules import effective
from .site import ServerView, StampCache, pick_application, pick_site, server_view
from .static import Answer, serve

SERVER_HEADER = "Microsoft-IIS/10.0"
SOCKET_TIMEOUT = 30  # seconds a connection may stay silent
MAX_BODY = 30_000_000  # requestLimits maxAllowedContentLength default (bytes)
REWRITE_ERROR = "URL Rewrite Module Error."


class Front:
    """The request pipeline of one emulated host, callable without HTTP (tests) or from the handler."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.cache = StampCache(host)

    def answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               client: tuple[str, int], binding_port: int) -> Answer:
        try:
            view = server_view(self.host, self.cache)
            return self._answer(view, method, target, headers, body, client, binding_port)
        except HostError as exc:  # a config file IIS cannot load: 500.19
            return error_answer(500, 19, "Internal Server Error", "The requested page cannot be accessed because "
                                "the related configuration data for the page is invalid.", "", exc.message)

    def _answer(self, view: ServerView, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
                client: tuple[str, int], binding_port: int) -> Answer:
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import evaluate

        host_header = next((v for k, v in headers if k.lower() == "host"), "")
        site = pick_site(view, binding_port, host_header)
        if site is None:  # HTTP.sys: no binding for this host name
            return error_answer(400, 0, "Bad Request - Invalid Hostname", "The request hostname is invalid.")
        if not target.startswith("/"):
            return error_answer(400, 0, "Bad Request", "The request URL is invalid.")
        path = unquote(target.split("?", 1)[0])
        app = pick_application(site, path)
        root = site.physical_folder("/") or "C:\\inetpub\\wwwroot"
        try:
            rules = effective(self.host, self.cache, site.name, app.path)
            if rules is None:
                return serve(self.host, view, site, target, method)
            local = site.physical_folder(path)
            found = self.host.local_path(local) if local else None
            request = {"url": target, "host": host_header, "port": binding_port, "https": False,
                       "headers": dict(headers), "remote_addr": client[0], "physical_root": root,
                       "files": [path] if found is not None and found.is_file() else [],
                       "dirs": [path] if found is not None and found.is_dir() else []}
            result = evaluate(rules.ruleset, request)
        except EngineError as exc:
            return error_answer(500, 52, REWRITE_ERROR, "The URL Rewrite module could not evaluate the rules.",
                                "", str(exc))
        final = result["final"]
        kind = final["type"]
        if kind == "Error":
            return error_answer(final.get("status") or 500, final.get("sub_status") or 50,
                                final.get("reason") or REWRITE_ERROR, final.get("description") or "")
        if kind == "Redirect":
            return Answer(int(final["status"]), 0, _phrase(int(final["status"])),
                          [("Location", final["rooted_url"]), ("Content-Type", "text/html; charset=UTF-8")],
                          b"<head><title>Document Moved</title></head><body><h1>Object Moved</h1></body>")
        if kind == "CustomResponse":
            return error_answer(int(final["status"]), int(final.get("sub_status") or 0),
                                str(final.get("reason") or _phrase(int(final["status"]))),
                                str(final.get("description") or ""))
        if kind == "AbortRequest":
            return Answer(0, abort=True)
        if kind == "Rewrite" and final.get("proxy"):
            if not view.proxy.enabled:  # no ARR proxy: nothing handles an absolute URL
                return error_answer(404, 4, "Not Found", "The resource you are looking for does not have a handler "
                                    "associated with it.")
            return forward(final["url"], method, headers, body, result.get("request_headers") or {}, client,
                           host_header, view.proxy)
        rewritten = final["rooted_url"] if kind == "Rewrite" else target
        return serve(self.host, view, site, rewritten, method)


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    front: Front
    binding_port: int

    def version_string(self) -> str:
        return getattr(self, "_server_header", None) or SERVER_HEADER

    def log_message(self, *args: Any) -> None:
        """No access log (a benchmark sends thousands of requests); errors still reach stderr."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._any
        raise AttributeError(name)

    def _any(self) -> None:
        length = self.headers.get("Content-Length")
        try:
            size = int(length) if length else 0
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY:
            self._send(error_answer(413, 1, "Request Entity Too Large", "The request filtering module is "
                                    "configured to deny a request that exceeds the request content length."))
            return
        body = self.rfile.read(size) if size else b""
        answer = self.front.answer(self.command, self.path, list(self.headers.items()), body,
                                   (self.client_address[0], int(self.client_address[1])), self.binding_port)
        if answer.abort:  # AbortRequest: the connection is dropped without a response
            self.close_connection = True
            return
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        self._server_header = answer.server_header
        self.send_response(answer.status, answer.reason or None)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)


def servers(host: Host) -> list[ThreadingHTTPServer]:
    """One server per loopback port in the state, each knowing the binding port it stands for."""
    front = Front(host)
    recorded = (host.load_state().get(ports_mod.KEY) or {}).get("ports") or {}
    by_loopback: dict[int, int] = {}
    for information, loopback in recorded.items():
        binding_port = ports_mod.Binding("", "http", information).port
        if binding_port is not None:
            by_loopback.setdefault(int(loopback), binding_port)
    out = []
    for loopback, binding_port in sorted(by_loopback.items()):
        handler = type("BoundHandler", (Handler,), {"front": front, "binding_port": binding_port})
        server = ThreadingHTTPServer(("127.0.0.1", loopback), handler)
        server.daemon_threads = True
        out.append(server)
    return out


def main(root: str) -> int:
    host = Host(root)
    running = servers(host)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stop.set())
    for server in running:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    print(f"serving {', '.join(str(s.server_address[1]) for s in running)}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:  # Ctrl+C / SIGINT from processes.stop
        pass
    for server in running:
        server.shutdown()
        server.server_close()
    return 0
