"""win_uri on the emulated host: a REAL HTTP request, to loopback only.

The emulated host's own network is the controller's loopback: an app started by an emulated service
(winhost.python) really listens on 127.0.0.1, so ``http://127.0.0.1:<port>/...`` and ``localhost`` URLs are
sent for real (no proxy, bounded timeout). Any other host is refused: the tests never leave the machine.

Result and failures copy ansible.windows 3.x win_uri.ps1 / WebRequest.psm1: ``status_code``, ``msg`` (the
status description), ``url``, ``elapsed``, the response headers snake-cased (``content_type``, ``server``...),
``content`` when ``return_content``, and ``json`` when the content type names json/javascript/text and the
body parses; a status outside ``status_code`` fails with "Status code of request '404' is not in list of
valid status codes 200 : NotFound'."; a refused connection with "Unhandled exception occurred when sending
web request. Exception: Unable to connect to the remote server". Redirects: ``follow_redirects`` safe
(default: GET/HEAD only), all, none; redirects must stay on loopback.

The emulated IIS (winhost.front): a URL to the host's own names (``localhost``, 127.0.0.0/8, ``::1``, its
computer name) at a port an http site binding has (80 when the URL names none) goes to the front end's
loopback port for that binding, with the Host header the URL had; redirects are routed the same way.
"""

from __future__ import annotations

import ipaddress
import json
import re
import ssl
import time
import urllib.error
import urllib.request
from http import HTTPStatus
from typing import Any
from urllib.parse import urlparse

from .host import Host
from .paths import ENVIRONMENT

MAX_TIMEOUT = 30
JSON_CANDIDATES = ("text", "json", "javascript")


def is_loopback(url: str) -> bool:
    name = (urlparse(url).hostname or "").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def own_name(host: Host, name: str) -> bool:
    """localhost, a loopback address or the emulated host's computer name (state ``computer_name``, else
    COMPUTERNAME): names the emulated host answers for itself."""
    computer = str(host.load_state().get("computer_name") or ENVIRONMENT["COMPUTERNAME"]).lower()
    if name.lower() in ("localhost", computer):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def route(host: Host, url: str) -> tuple[str, str | None]:
    """The URL to send and the Host header to send with it: a URL to a site binding of the emulated IIS goes
    to the front end (started on demand); any other URL is sent as it is (Host header None)."""
    parts = urlparse(url)
    name = parts.hostname or ""
    scheme = parts.scheme
    if scheme not in ("http", "https") or not name or not host.iis_installed or not own_name(host, name):
        return url, None
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return url, None
    from .front import ports as front_ports

    if port not in {b.port for b in front_ports.bindings(host) if b.protocol == scheme}:
        return url, None
    from .front import ensure_running

    served = ensure_running(host)  # starts the server for the https bindings too
    if scheme == "https":
        served = front_ports.https_ports(host)
    loopback = {front_ports.Binding("", scheme, k).port: v for k, v in served.items()}
    if port not in loopback:
        return url, None
    # https: "localhost" stays the name (TLS checks the certificate against it), other names are 127.0.0.1
    address = "localhost" if scheme == "https" and name.lower() == "localhost" else "127.0.0.1"
    target = parts._replace(netloc=f"{address}:{loopback[port]}").geturl()
    return target, parts.netloc.rpartition("@")[2]


def tls_context(host: Host, validate: bool) -> ssl.SSLContext:
    """validate_certs: the chain must end in a certificate of the emulated LocalMachine\\Root store (Windows'
    trust; the controller's own CAs are not the host's) and the name must match; false: no check."""
    from .certstore import trusted_pem

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not validate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    pem = trusted_pem(host)
    if pem:
        context.load_verify_locations(cadata=pem)
    return context


def snake(name: str) -> str:
    """Convert-StringToSnakeCase of a header name with its dashes removed (Content-Type -> content_type)."""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name.title().replace("-", ""))
    return "_".join(w.lower() for w in words)


def enum_name(code: int) -> str:
    try:
        return HTTPStatus(code).phrase.replace(" ", "").replace("-", "")
    except ValueError:
        return str(code)


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, mode: str, method: str, limit: int, host: Host | None = None) -> None:
        self.mode, self.method = mode, method
        self.max_redirections = limit
        self.host = host

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        follow = self.mode == "all" or (self.mode == "safe" and self.method in ("GET", "HEAD"))
        if not follow:
            return None
        sent, host_header = route(self.host, newurl) if self.host is not None else (newurl, None)
        if not is_loopback(sent):
            raise urllib.error.URLError(f"winhost: redirect to {newurl} leaves the loopback network")
        new = super().redirect_request(req, fp, code, msg, headers, sent)
        if new is not None:
            new.headers.pop("Host", None)
            if host_header:
                new.add_header("Host", host_header)
        return new


def win_uri(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    from .winfiles import ModuleFailure

    url = str(params["url"])
    method = str(params.get("method") or "GET").upper()
    result: dict[str, Any] = {"changed": False, "url": url, "elapsed": 0}
    if not re.fullmatch(r"[A-Z]+", method):
        raise ModuleFailure("Parameter 'method' needs to be a single word in uppercase, like GET or POST.")
    for key, want in (("creates", True), ("removes", False)):
        path = params.get(key)
        if path and host.local_path(str(path)).exists() is want:
            text = "already exists" if want else "does not exist"
            return {**result, "skipped": True,
                    "msg": f"The '{key}' file or directory ({path}) {text}."}
    sent, host_header = route(host, url)
    if urlparse(sent).scheme not in ("http", "https") or not is_loopback(sent):
        raise ModuleFailure(f"winhost: win_uri only reaches the emulated host's loopback network (127.0.0.0/8, ::1, "
                            f"localhost); refusing {url}", **result)
    body = params.get("body")
    data = None
    if body is not None:
        data = (json.dumps(body, separators=(",", ":")) if isinstance(body, dict | list) else str(body)).encode()
    headers = {str(k): str(v) for k, v in (params.get("headers") or {}).items()}
    if params.get("content_type"):
        headers["Content-Type"] = str(params["content_type"])
    headers.setdefault("User-Agent", str(params.get("http_agent") or "ansible-httpget"))
    if host_header and not any(k.lower() == "host" for k in headers):
        headers["Host"] = host_header
    request = urllib.request.Request(sent, data=data, headers=headers, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(
                                             context=tls_context(host, params.get("validate_certs") is not False)),
                                         _Redirects(str(params.get("follow_redirects") or "safe"), method,
                                                    int(params.get("maximum_redirection") or 50), host))
    timeout = min(int(params.get("url_timeout") or MAX_TIMEOUT), MAX_TIMEOUT)
    start = time.monotonic()
    try:
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            response = exc  # a status outside 2xx still has a response (-IgnoreBadResponse)
        with response:
            content = response.read()
            code = int(response.status)
            result.update(status_code=code, msg=response.reason)
            for name, value in response.headers.items():
                result[snake(name)] = value
            result["response_uri"] = url if response.url == sent else response.url
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        text = ("The underlying connection was closed: Could not establish trust relationship for the SSL/TLS "
                "secure channel." if isinstance(reason, ssl.SSLCertVerificationError)
                else "The operation has timed out" if isinstance(reason, TimeoutError)
                else "Unable to connect to the remote server" if isinstance(reason, ConnectionError | OSError)
                else str(reason))
        result["elapsed"] = time.monotonic() - start
        raise ModuleFailure(f"Unhandled exception occurred when sending web request. Exception: {text}",
                            **result) from None
    result["elapsed"] = time.monotonic() - start
    if params.get("return_content"):
        result["content"] = content.decode("utf-8", "replace")
        if any(c in str(result.get("content_type", "")) for c in JSON_CANDIDATES):
            try:
                result["json"] = json.loads(result["content"])
            except ValueError:
                pass
    valid = [int(c) for c in params.get("status_code") or [200]]
    if code not in valid:
        raise ModuleFailure(f"Status code of request '{code}' is not in list of valid status codes "
                            f"{' '.join(map(str, valid))} : {enum_name(code)}'.",
                            **{k: v for k, v in result.items() if k != "msg"})
    return result
