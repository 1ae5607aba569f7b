"""The emulated IIS front end: one real HTTP server process per emulated host.

``python -m winhost serve --root R`` listens on the loopback port of every http binding
(``state.json`` ``iis_http.ports``) with a ThreadingHTTPServer bound to 127.0.0.1 only. Each request:
site by binding (port, then host name), application by longest virtual path, the effective rules
through the collection's URL Rewrite engine, then what IIS and ARR do with the engine's answer
(docs/emulator.md "HTTP through the emulated IIS"). https bindings (``iis_http.https``) are served over TLS
with the certificate HTTP.sys holds for the binding (front.tls), and the engine sees ``{HTTPS}`` ON.
"""

from __future__ import annotations

import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..config.sites import Application, Site
from ..errors import HostError
from ..host import Host
from . import ports as ports_mod
from .errors import error_answer
from .limits import max_content_length
from .proxy import encode_target, forward
from .rules import effective
from .site import ServerView, StampCache, pick_application, pick_site, server_view
from .static import Answer, serve
from .tls import TlsBinding

SERVER_HEADER = "Microsoft-IIS/10.0"
SOCKET_TIMEOUT = 30  # seconds a connection may stay silent
MAX_BODY = 30_000_000  # requestLimits maxAllowedContentLength default (bytes)
HSTS_HEADER = "Strict-Transport-Security"
REWRITE_ERROR = "URL Rewrite Module Error."


class Front:
    """The request pipeline of one emulated host, callable without HTTP (tests) or from the handler."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.cache = StampCache(host)

    def answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               client: tuple[str, int], binding_port: int, https: bool = False) -> Answer:
        try:
            view = server_view(self.host, self.cache)
            seen: dict[str, Any] = {}
            answer = self._answer(view, method, target, headers, body, client, binding_port, https, seen)
            return self._outbound(view, answer, seen, https)
        except HostError as exc:  # a config file IIS cannot load: 500.19
            return error_answer(500, 19, "Internal Server Error", "The requested page cannot be accessed because "
                                "the related configuration data for the page is invalid.", "", exc.message)

    def content_limit(self, target: str, headers: list[tuple[str, str]], binding_port: int, https: bool) -> int:
        """maxAllowedContentLength at the request's path (front.limits); the default when no site takes the
        request or a config file cannot be read (the answer then says why)."""
        try:
            view = server_view(self.host, self.cache)
            host_header = next((v for k, v in headers if k.lower() == "host"), "")
            site = pick_site(view, binding_port, host_header, "https" if https else "http")
            if site is None or not target.startswith("/"):
                return MAX_BODY
            path = unquote(target.split("?", 1)[0])
            app = pick_application(site, path)
            folder = _deepest_folder(site, app, path, self.cache.paths.kind) or app.path
            return max_content_length(self.host, self.cache, site.name, folder)
        except HostError:
            return MAX_BODY

    def _outbound(self, view: ServerView, answer: Answer, seen: dict[str, Any], https: bool) -> Answer:
        """What the response pipeline adds to an answer of a site (docs/emulator.md "Outbound rules and HSTS"):
        the site's outbound rules through the engine (URL Rewrite 2.x; UNCONFIRMED that they see IIS's own
        redirects and error pages too: done here for every answer of a site), then the native HSTS header on
        an https answer (Microsoft, "HSTS Settings for a Web Site <hsts>": "IIS adds the Strict-Transport-Security
        HTTP response header when replying to HTTPS requests")."""
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.outbound import evaluate_outbound

        site = seen.get("site")
        if answer.abort or site is None:
            return answer
        rules, request = seen.get("rules"), seen.get("request")
        outbound = getattr(rules, "outbound", None)
        try:
            if getattr(rules, "outbound_error", None) is not None:
                raise rules.outbound_error
            if outbound is not None and outbound.active and request is not None:
                answer.headers = evaluate_outbound(outbound, request, answer.headers)["headers"]
        except EngineError as exc:  # an outbound rule that cannot run: 500.52 (URL Rewrite's outbound errors)
            return error_answer(500, 52, REWRITE_ERROR, "The URL Rewrite module could not evaluate the "
                                "outbound rules.", "", str(exc))
        hsts = view.hsts.get(site.name.lower())
        if https and hsts is not None and hsts.enabled:
            answer.headers = [(k, v) for k, v in answer.headers if k.lower() != HSTS_HEADER.lower()] \
                + [(HSTS_HEADER, hsts.header())]
        return answer

    def _answer(self, view: ServerView, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
                client: tuple[str, int], binding_port: int, https: bool, seen: dict[str, Any]) -> Answer:
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import evaluate
        from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request

        host_header = next((v for k, v in headers if k.lower() == "host"), "")
        site = pick_site(view, binding_port, host_header, "https" if https else "http")
        if site is None:  # HTTP.sys: no binding for this host name
            return error_answer(400, 0, "Bad Request - Invalid Hostname", "The request hostname is invalid.")
        if not target.startswith("/"):
            return error_answer(400, 0, "Bad Request", "The request URL is invalid.")
        seen["site"] = site
        hsts = view.hsts.get(site.name.lower())
        if not https and hsts is not None and hsts.redirect_http_to_https:
            # "<hsts>": "When IIS redirects the HTTP request, it replaces the URI scheme with https and ignores
            # the port component" (301 and running before the rules: UNCONFIRMED)
            name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
            return Answer(301, 0, "Moved Permanently", [("Location", f"https://{name}{target}")], b"")
        path = unquote(target.split("?", 1)[0])
        app = pick_application(site, path)
        kind = self.cache.paths.kind
        root = site.physical_folder(app.path) or "C:\\inetpub\\wwwroot"

        def physical(url_path: str) -> str:
            return site.physical_folder(url_path) or root.rstrip("\\") + url_path.replace("/", "\\")

        try:
            rules = effective(self.host, self.cache, site.name, app.path, _deepest_folder(site, app, path, kind))
            if rules is None:
                return serve(self.host, view, site, target, method)
            # IsFile/IsDirectory and {REQUEST_FILENAME} see the emulated disk through the application's
            # physical path and its virtual directories (RW1 "Rule conditions", "Accessing URL Parts")
            request = Request(url=target, host=host_header, port=binding_port, https=https, headers=dict(headers),
                              remote_addr=client[0], physical_root=root, exists=kind,
                              physical=physical)
            seen["rules"], seen["request"] = rules, request
            result = evaluate(rules.ruleset, request)
        except EngineError as exc:  # "a runtime error ... generated by URL Rewrite Module" (RW2): 500.50
            return error_answer(500, 50, REWRITE_ERROR, "The URL Rewrite module could not evaluate the rules.",
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
            url = encode_target(final["url"], _rewrite_template(rules.ruleset, result["matched_rules"]),
                                target.partition("?")[2])
            # HTTP_X_ORIGINAL_URL (RW1 "Preserving Original URL") is a request header (RW2 "Note About Request
            # Headers"): the back end gets X-Original-URL = the original URL, decoded, never the client's own;
            # a rule that sets HTTP_X_ORIGINAL_URL itself wins. Sent as UTF-8 bytes (UNCONFIRMED).
            produced = {"x-original-url": original_url(target), **(result.get("request_headers") or {})}
            return forward(url, method, headers, body, produced, client, host_header, view.proxy)
        rewritten = final["rooted_url"] if kind == "Rewrite" else target
        return serve(self.host, view, site, rewritten, method)


def _deepest_folder(site: Site, app: Application, path: str, kind: Callable[[str], str | None]) -> str | None:
    """The deepest URL folder of ``path`` below the application that is a folder on disk (the path itself when it
    is one): each web.config from the site root down to it holds rules for the request ("Rules Inheritance");
    a folder that does not exist has no web.config (and config_read refuses it). None: the application's."""
    base = app.path.rstrip("/")
    folder = path.rstrip("/") if path.endswith("/") else path
    while len(folder) > len(base) and folder.lower().startswith(base.lower() + "/"):
        physical = site.physical_folder(folder)
        if physical and kind(physical) == "dir":
            return folder
        folder = folder.rsplit("/", 1)[0]
    return None


def original_url(target: str) -> str:
    """The value of HTTP_X_ORIGINAL_URL: the requested path decoded, then '?' and the query string as sent,
    as a header value (UTF-8 bytes read as latin-1, so http.client sends them unchanged)."""
    path, sep, query = target.partition("?")
    return (unquote(path) + sep + query).encode("utf-8").decode("latin-1")


def _rewrite_template(ruleset: Any, matched: list[str]) -> str:
    """The action url (unexpanded) of the last matched Rewrite rule: the one whose answer is proxied."""
    rules = [*ruleset.active_global, *(r for _folder, level in ruleset.active_levels for r in level)]
    for name in reversed(matched):
        for candidate in reversed(rules):
            if candidate.name == name and candidate.spec["action"]["type"] == "Rewrite":
                return str(candidate.url.text)
    return ""


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
    tls: TlsBinding | None = None

    def setup(self) -> None:
        """TLS first, in this connection's thread (HTTP.sys: the handshake with the binding's certificate)."""
        if self.tls is not None:
            self.request.settimeout(SOCKET_TIMEOUT)
            self.request = self.tls.wrap(self.request)
        super().setup()

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
        if size < 0:
            # An invalid Content-Length makes the framing unreadable: 400 and the connection closed (RFC 9112 6.3,
            # "the server MUST respond with a 400 (Bad Request) status code and then close the connection"); on
            # Windows HTTP.sys answers before IIS sees the request (its page's exact text: UNCONFIRMED).
            self.close_connection = True
            self._send(error_answer(400, 0, "Bad Request", "The request's Content-Length header is invalid."))
            return
        https = self.tls is not None
        headers = list(self.headers.items())
        if size and size > self.front.content_limit(self.path, headers, self.binding_port, https):
            # requestLimits maxAllowedContentLength: 404.13, the body is not read (front.limits)
            self.close_connection = True
            self._send(error_answer(404, 13, "Not Found", "The request filtering module is configured to deny a "
                                    "request that exceeds the request content length."))
            return
        body = self.rfile.read(size) if size else b""
        answer = self.front.answer(self.command, self.path, headers, body,
                                   (self.client_address[0], int(self.client_address[1])), self.binding_port, https)
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
        if self.close_connection:  # RFC 9112 9.6: a server that closes after this response says so
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)


def servers(host: Host) -> list[ThreadingHTTPServer]:
    """One server per loopback port in the state, each knowing the binding port it stands for (and, for an
    https binding, its TLS side)."""
    front = Front(host)
    entry = host.load_state().get(ports_mod.KEY) or {}
    by_loopback: dict[int, tuple[int, TlsBinding | None]] = {}
    for protocol in ("http", "https"):
        for information, loopback in (entry.get("ports" if protocol == "http" else "https") or {}).items():
            binding = ports_mod.Binding("", protocol, information)
            if binding.port is not None:
                tls = TlsBinding(host, binding.port) if protocol == "https" else None
                by_loopback.setdefault(int(loopback), (binding.port, tls))
    out = []
    for loopback, (binding_port, tls) in sorted(by_loopback.items()):
        handler = type("BoundHandler", (Handler,), {"front": front, "binding_port": binding_port, "tls": tls})
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
