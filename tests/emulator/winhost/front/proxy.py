"""ARR's forwarding of a Rewrite to an absolute URL (docs/emulator.md "HTTP through the emulated IIS";
shared/research/iis-facts.md 1.7, 2.1, 2.4, 2.5).

- Only to loopback: any other back end answers 502.3 without a connection (the tests never leave the machine).
- The request: the client's headers (hop-by-hop ones dropped), then the headers the rule's server variables
  produced (replacing same-named ones), ``Host`` = the target's host:port unless ``preserveHostHeader``,
  ``X-Forwarded-For`` (``xForwardedForHeaderName``) with the client IP (``ip:port`` unless
  ``includePortInXForwardedFor`` is false) appended to a client-sent value with ", " (UNCONFIRMED), the
  ARR log id header; method and body passed through; ARR's ``timeout`` (capped at 30 s here).
- A refused connection: 502.3 with WinHTTP's 0x80072efd (ERROR_WINHTTP_CANNOT_CONNECT); no answer in time:
  0x80072ee2 (ERROR_WINHTTP_TIMEOUT).
- The answer relayed: status, headers, body; ``reverseRewriteHostInResponseHeaders`` turns a ``Location``
  that points at the back end's host:port back to the client's Host.
"""

from __future__ import annotations

import http.client
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

from ..webrequest import is_loopback
from .errors import error_answer
from .site import ProxySettings
from .static import Answer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
              "proxy-authorization", "proxy-authenticate"}
BAD_GATEWAY = "Bad Gateway"
GATEWAY_TEXT = "The proxy server received an invalid response from an upstream server."
CANNOT_CONNECT = "0x80072efd"
TIMED_OUT = "0x80072ee2"
# What stays as it is when the proxied URL is encoded again: RFC 3986 pchar (unreserved, sub-delims, ':', '@')
# and '/' in the path; in the query also '?' and '%' (the client's query string passes as sent).
PATH_SAFE = "/!$&'()*+,;=:@"
QUERY_SAFE = PATH_SAFE + "?%"


def _literal_query(template: str) -> tuple[int, str]:
    """Where the substitution's own query string starts: the index of the first '?' of ``template`` outside
    ``{...}`` (-1 when none) and the literal text after it up to the next ``{``."""
    depth = 0
    for index, char in enumerate(template):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "?" and depth == 0:
            return index, template[index + 1:].split("{", 1)[0]
    return -1, ""


def encode_target(url: str, template: str, query: str) -> str:
    """The URL ARR requests for a Rewrite to ``url`` (the engine's answer: the expanded substitution
    ``template`` with the request's ``query`` appended as appendQueryString does).

    Back-references are decoded ({R:1} of ``/a%20b`` is ``a b``) and URL Rewrite encodes the rewritten URL again
    before it is sent (docs/emulator.md: URL Rewrite v2.1 post, useOriginalURLEncoding; serverfault 882132):
    the path is percent-encoded (UTF-8), ``%`` and a decoded ``?`` included, so ``a?b`` stays one path
    (``a%3Fb``); the query string is the substitution's own (after its literal ``?``) plus the appended one,
    kept as sent with only characters invalid in a URL (space, non-ASCII, controls) encoded."""
    scheme, sep, remainder = url.partition("://")
    cut = min((i for i in (remainder.find("/"), remainder.find("?")) if i >= 0), default=len(remainder))
    authority, rest = remainder[:cut], remainder[cut:]
    appended = ""
    if query and rest.endswith(("?" + query, "&" + query)):
        appended, rest = query, rest[:-len(query) - 1]
    start, literal = _literal_query(template)
    if start < 0:
        path, own = rest, ""
    else:
        split = rest.rfind("?" + literal) if literal else -1
        split = split if split >= 0 else rest.find("?")
        path, own = (rest[:split], rest[split:]) if split >= 0 else (rest, "")
    # the engine joined the query with '&' when a decoded '?' made the substitution look as if it had one
    if appended:
        own = own + "&" + appended if own else "?" + appended
    encoded = quote(path, safe=PATH_SAFE) + quote(own, safe=QUERY_SAFE)
    return f"{scheme}{sep}{authority}{encoded}"


def forward(target: str, method: str, headers: list[tuple[str, str]], body: bytes, produced: dict[str, str],
            client: tuple[str, int], client_host: str, settings: ProxySettings) -> Answer:
    parts = urlsplit(target)
    if parts.scheme.lower() != "http" or not is_loopback(target):
        return error_answer(502, 3, BAD_GATEWAY, GATEWAY_TEXT, CANNOT_CONNECT,
                            f"winhost: the emulated ARR forwards to loopback http back ends only; refusing {target}")
    out: list[tuple[str, str]] = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
    for name, value in produced.items():
        out = [(k, v) for k, v in out if k.lower() != name.lower()] + [(_title(name), value)]
    if not settings.preserve_host_header:
        out = [(k, v) for k, v in out if k.lower() != "host"] + [("Host", parts.netloc)]
    if settings.forwarded_for_header:
        hop = f"{client[0]}:{client[1]}" if settings.include_port else client[0]
        sent = [v for k, v in out if k.lower() == settings.forwarded_for_header.lower()]
        out = [(k, v) for k, v in out if k.lower() != settings.forwarded_for_header.lower()]
        out.append((settings.forwarded_for_header, ", ".join([*sent, hop])))
    if settings.log_guid_name:
        out.append((settings.log_guid_name, str(uuid.uuid4())))
    out = [(k, v) for k, v in out if k.lower() != "content-length"]
    if body or method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        out.append(("Content-Length", str(len(body))))
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                            timeout=settings.timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in out:
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        data = response.read()
        status, reason, answer_headers = response.status, response.reason, response.getheaders()
    except TimeoutError:
        return error_answer(502, 3, BAD_GATEWAY, GATEWAY_TEXT, TIMED_OUT,
                            f"The operation timed out ({settings.timeout:g} s) waiting for {parts.netloc}")
    except (OSError, http.client.HTTPException) as exc:
        return error_answer(502, 3, BAD_GATEWAY, GATEWAY_TEXT, CANNOT_CONNECT,
                            f"A connection with the server could not be established ({parts.netloc}: {exc})")
    finally:
        connection.close()
    relayed: list[tuple[str, str]] = []
    server = None
    for name, value in answer_headers:
        lower = name.lower()
        if lower in HOP_BY_HOP or lower in ("content-length", "date"):
            continue
        if lower == "server":
            server = value
            continue
        if lower == "location" and settings.reverse_rewrite_host:
            value = _reverse_rewrite(value, parts.netloc, client_host)
        relayed.append((name, value))
    if settings.arr_response_header:
        relayed.append(("X-Powered-By", "ARR/3.0"))
    return Answer(status, 0, reason, relayed, data,
                  server_header=server if settings.pass_server_header == "PassThrough" else None)


def _title(header: str) -> str:
    """'x-original-host' -> 'X-Original-Host' (header names are case-insensitive; ARR sends them so)."""
    return "-".join(w[:1].upper() + w[1:] for w in header.split("-"))


def _reverse_rewrite(location: str, backend: str, client_host: str) -> str:
    parts = urlsplit(location)
    if parts.netloc.lower() != backend.lower() or not client_host:
        return location
    return urlunsplit((parts.scheme, client_host, parts.path, parts.query, parts.fragment))
