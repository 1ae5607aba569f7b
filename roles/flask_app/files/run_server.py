"""Serve the sample app with waitress (never Flask's development server).

    python run_server.py [--host 127.0.0.1] [--port 50100] [--prefix /myApp]
                         [--trusted-proxy 127.0.0.1] [--host-header x-forwarded-host] [--threads 4]

Each option falls back to an environment variable, then to the default:
WINFLASK_APP_HOST, WINFLASK_APP_PORT, WINFLASK_APP_PREFIX, WINFLASK_APP_TRUSTED_PROXY,
WINFLASK_APP_HOST_HEADER, WINFLASK_APP_THREADS. ``--port 0`` binds a free port (the log line says which).

Proxy headers are read by ONE layer, waitress' proxy-header middleware, and only when the TCP
peer is exactly ``--trusted-proxy`` (IIS/ARR on the same host: 127.0.0.1). From any other peer
X-Forwarded-For/-Proto/-Host/-Port/-By, Forwarded and X-Original-Host are removed before the app
sees them. The public host name comes from the ONE header the IIS rule sets (``--host-header``):
X-Forwarded-Host, or X-Original-Host (the name in Microsoft's ARR examples).
Why waitress and not werkzeug's ProxyFix: docs/flask-app.md.

Stops cleanly on Ctrl+C / Ctrl+Break (what nssm sends first) and SIGTERM: no new connections,
running requests get up to 5 seconds, exit code 0.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

from app import DEFAULT_PREFIX, WSGIApp, create_app, normalise_prefix
from waitress import create_server
from waitress.proxy_headers import proxy_headers_middleware
from waitress.server import BaseWSGIServer

LOG = logging.getLogger("winflask.app")

# The headers IIS sets through the rewrite rule's server variables (HTTP_X_FORWARDED_PROTO,
# HTTP_X_FORWARDED_HOST) and that ARR adds itself (X-Forwarded-For).
TRUSTED_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})
# ARR is the only hop between the client and the app.
TRUSTED_HOPS = 1
# Where the public host name may come from; the IIS rule must set exactly this one.
HOST_HEADERS = ("x-forwarded-host", "x-original-host")

ENV_NAMES = {
    "host": "WINFLASK_APP_HOST",
    "port": "WINFLASK_APP_PORT",
    "prefix": "WINFLASK_APP_PREFIX",
    "trusted_proxy": "WINFLASK_APP_TRUSTED_PROXY",
    "host_header": "WINFLASK_APP_HOST_HEADER",
    "threads": "WINFLASK_APP_THREADS",
}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 50100
    prefix: str = DEFAULT_PREFIX
    trusted_proxy: str = "127.0.0.1"  # "" trusts no peer
    host_header: str = "x-forwarded-host"  # or "x-original-host"
    threads: int = 4


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def thread_count(text: str) -> int:
    threads = int(text)
    if not 1 <= threads <= 256:
        raise ValueError(text)
    return threads


def proxy_address(text: str) -> str:
    """An IP literal in the form waitress compares with the peer address; "" or "none" for none."""
    text = text.strip()
    if text.lower() in {"", "none"}:
        return ""
    return str(ipaddress.ip_address(text))


def url_prefix(text: str) -> str:
    return normalise_prefix(text)


def host_header_name(text: str) -> str:
    name = text.strip().lower()
    if name not in HOST_HEADERS:
        raise ValueError(text)
    return name


# argparse names the converter in its error message ("invalid port_number value: 'x'").
port_number.__name__ = "port number (0-65535)"
thread_count.__name__ = "thread count (1-256)"
proxy_address.__name__ = "IP address"
url_prefix.__name__ = "URL prefix"
host_header_name.__name__ = "host header (x-forwarded-host or x-original-host)"


def parse_settings(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Command line first, then WINFLASK_APP_* environment variables, then the defaults."""
    environ = os.environ if environ is None else environ
    defaults = Settings()
    parser = argparse.ArgumentParser(description="Serve the winflask sample app with waitress.")

    def option(name: str, converter: object, help_text: str) -> None:
        env_name = ENV_NAMES[name]
        # argparse runs a string default through `type` too, so a bad environment value fails
        # the same way as a bad argument.
        default = environ.get(env_name, str(getattr(defaults, name)))
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=converter, default=default,
                            help=f"{help_text} (env {env_name}, default {getattr(defaults, name)!r})")

    option("host", str, "address to listen on; keep it on loopback behind IIS")
    option("port", port_number, "TCP port; 0 picks a free one")
    option("prefix", url_prefix, "URL prefix the app is mounted under; '/' for the root")
    option("trusted_proxy", proxy_address, "the one peer whose proxy headers are honoured; 'none' for none")
    option("host_header", host_header_name, "the header the IIS rule sets to the public host")
    option("threads", thread_count, "waitress worker threads")
    args = parser.parse_args(argv)
    return Settings(host=args.host, port=args.port, prefix=args.prefix, trusted_proxy=args.trusted_proxy,
                    host_header=args.host_header, threads=args.threads)


def drop_ipv6_port(forwarded_for: str) -> str:
    """``[2001:db8::1]:51234`` -> ``[2001:db8::1]`` in every hop; other hops unchanged.

    ARR appends the client port unless includePortInXForwardedFor is off. waitress splits an
    IPv4 ``ip:port`` hop itself (REMOTE_ADDR + REMOTE_PORT) but not a bracketed IPv6 one.
    """
    hops = []
    for hop in forwarded_for.split(","):
        hop = hop.strip()
        if hop.startswith("[") and "]:" in hop:
            hop = hop[: hop.index("]") + 1]
        hops.append(hop)
    return ", ".join(hops)


def host_header_bridge(app: WSGIApp, trusted_proxy: str, host_header: str) -> WSGIApp:
    """Runs before waitress' proxy-header middleware, on the real TCP peer address.

    ARR passes on whatever headers the client sent, unless the rewrite rule overwrites them; so
    only the header the rule sets may carry the public host. With ``x-original-host`` (the rule
    sets HTTP_X_ORIGINAL_HOST) that value replaces any X-Forwarded-Host before waitress reads it;
    with ``x-forwarded-host`` X-Original-Host is ignored. X-Original-Host never reaches the app.
    From the trusted proxy IPv6 ports are also dropped from X-Forwarded-For.
    """

    def bridge(environ: dict, start_response: object) -> object:
        original_host = environ.pop("HTTP_X_ORIGINAL_HOST", None)
        if trusted_proxy and environ.get("REMOTE_ADDR") == trusted_proxy:
            if host_header == "x-original-host":
                environ.pop("HTTP_X_FORWARDED_HOST", None)
                if original_host:
                    environ["HTTP_X_FORWARDED_HOST"] = original_host
            if "HTTP_X_FORWARDED_FOR" in environ:
                environ["HTTP_X_FORWARDED_FOR"] = drop_ipv6_port(environ["HTTP_X_FORWARDED_FOR"])
        return app(environ, start_response)

    return bridge


def build_application(settings: Settings) -> WSGIApp:
    """The WSGI pipeline: host_header_bridge -> waitress proxy headers -> the prefixed app."""
    trusted = settings.trusted_proxy or None
    app = proxy_headers_middleware(
        create_app(settings.prefix),
        trusted_proxy=trusted,
        trusted_proxy_count=TRUSTED_HOPS,
        trusted_proxy_headers=set(TRUSTED_HEADERS) if trusted else None,
        clear_untrusted=True,
        logger=logging.getLogger("waitress"),
    )
    return host_header_bridge(app, settings.trusted_proxy, settings.host_header)


def make_server(settings: Settings) -> BaseWSGIServer:
    # The proxy headers are handled in build_application (so the bridge sees the real peer);
    # trusted_proxy=None and clear_untrusted_proxy_headers=False keep waitress from wrapping
    # the pipeline a second time.
    return create_server(
        build_application(settings),
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="winflask-sample",
        trusted_proxy=None,
        clear_untrusted_proxy_headers=False,
    )


def stop(signum: int, frame: FrameType | None) -> None:
    # waitress' run() catches SystemExit and closes the server (stops listening, waits up to
    # 5 s for running requests).
    LOG.info("received signal %s, stopping", signal.Signals(signum).name)
    raise SystemExit(0)


def install_stop_handlers() -> None:
    # SIGBREAK exists on Windows only (Ctrl+Break; nssm sends Ctrl+C first).
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, stop)


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        server = make_server(settings)
    except OSError as error:
        LOG.error("cannot listen on %s:%s: %s", settings.host, settings.port, error)
        return 1
    host = f"[{server.effective_host}]" if ":" in str(server.effective_host) else server.effective_host
    install_stop_handlers()
    try:
        LOG.info("serving http://%s:%s%s/ (trusted proxy: %s, host header: %s, threads: %s)", host,
                 server.effective_port, settings.prefix, settings.trusted_proxy or "none", settings.host_header,
                 settings.threads)
        server.run()  # returns after a stop signal (waitress catches the SystemExit)
    except SystemExit:  # the signal came before waitress' loop started
        server.task_dispatcher.shutdown()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
