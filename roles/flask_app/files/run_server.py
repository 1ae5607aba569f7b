"""Serve the sample app with waitress (never Flask's development server).

    python run_server.py [--host 127.0.0.1] [--port 50100] [--prefix /myApp]
                         [--trusted-proxy 127.0.0.1] [--host-header x-forwarded-host] [--threads 8]
                         [--connection-limit 500] [--channel-timeout 120] [--backlog 1024]
                         [--cleanup-interval 30] [--outbuf-high-watermark 16777216]

Each option falls back to an environment variable, then to the default:
WINFLASK_APP_HOST, WINFLASK_APP_PORT, WINFLASK_APP_PREFIX, WINFLASK_APP_TRUSTED_PROXY,
WINFLASK_APP_HOST_HEADER, WINFLASK_APP_THREADS, WINFLASK_APP_CONNECTION_LIMIT, WINFLASK_APP_CHANNEL_TIMEOUT,
WINFLASK_APP_BACKLOG, WINFLASK_APP_CLEANUP_INTERVAL, WINFLASK_APP_OUTBUF_HIGH_WATERMARK.
``--port 0`` binds a free port (the log line says which).

The waitress tuning (threads ... outbuf_high_watermark) is passed to waitress as it is; the defaults
come from tests/benchmark/app_server.py (docs/flask-app.md). ``--connection-limit`` stays at most
MAX_CONNECTION_LIMIT: waitress waits on its sockets with select() (Windows has no poll()), and Python's
Windows build compiles select() with FD_SETSIZE 512, which the listening socket and waitress' trigger
socket share with the connections.

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
from collections.abc import Callable, Mapping, Sequence
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
    "connection_limit": "WINFLASK_APP_CONNECTION_LIMIT",
    "channel_timeout": "WINFLASK_APP_CHANNEL_TIMEOUT",
    "backlog": "WINFLASK_APP_BACKLOG",
    "cleanup_interval": "WINFLASK_APP_CLEANUP_INTERVAL",
    "outbuf_high_watermark": "WINFLASK_APP_OUTBUF_HIGH_WATERMARK",
}
# Python's Windows build: selectmodule.c defines FD_SETSIZE 512 (sockets per select() call); waitress' map
# also holds the listening socket and the trigger socket, and accepts one more connection than it counts.
WINDOWS_SELECT_LIMIT = 512
MAX_CONNECTION_LIMIT = 500


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 50100
    prefix: str = DEFAULT_PREFIX
    trusted_proxy: str = "127.0.0.1"  # "" trusts no peer
    host_header: str = "x-forwarded-host"  # or "x-original-host"
    threads: int = 8
    # waitress' own defaults are 4 threads, connection_limit 100, channel_timeout 120, backlog 1024,
    # cleanup_interval 30, outbuf_high_watermark 16 MiB (waitress docs/arguments.rst).
    connection_limit: int = 500
    channel_timeout: int = 120
    backlog: int = 1024
    cleanup_interval: int = 30
    outbuf_high_watermark: int = 16777216


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def bounded(label: str, low: int, high: int) -> Callable[[str], int]:
    """A converter for a whole number from low to high; argparse names it ``label (low-high)``."""

    def convert(text: str) -> int:
        number = int(text)
        if not low <= number <= high:
            raise ValueError(text)
        return number

    convert.__name__ = f"{label} ({low}-{high})"
    return convert


thread_count = bounded("thread count", 1, 256)
connection_count = bounded("connection limit", 1, MAX_CONNECTION_LIMIT)
timeout_seconds = bounded("number of seconds", 1, 86400)
backlog_length = bounded("backlog length", 1, 65535)
watermark_bytes = bounded("number of bytes", 65536, 1073741824)


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
    option("connection_limit", connection_count,
           f"open connections before waitress stops accepting (at most {MAX_CONNECTION_LIMIT}: Windows select())")
    option("channel_timeout", timeout_seconds, "seconds an idle connection stays open")
    option("backlog", backlog_length, "connections the system queues before waitress accepts them")
    option("cleanup_interval", timeout_seconds, "seconds between checks for idle connections")
    option("outbuf_high_watermark", watermark_bytes, "response bytes buffered before the app thread waits")
    args = parser.parse_args(argv)
    return Settings(**{name: getattr(args, name) for name in ENV_NAMES})


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
        connection_limit=settings.connection_limit,
        channel_timeout=settings.channel_timeout,
        backlog=settings.backlog,
        cleanup_interval=settings.cleanup_interval,
        outbuf_high_watermark=settings.outbuf_high_watermark,
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
        LOG.info("serving http://%s:%s%s/ (trusted proxy: %s, host header: %s, threads: %s, connection limit: %s,"
                 " channel timeout: %s s)", host, server.effective_port, settings.prefix,
                 settings.trusted_proxy or "none", settings.host_header, settings.threads,
                 settings.connection_limit, settings.channel_timeout)
        server.run()  # returns after a stop signal (waitress catches the SystemExit)
    except SystemExit:  # the signal came before waitress' loop started
        server.task_dispatcher.shutdown()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
