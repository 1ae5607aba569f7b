"""run_server.py: settings from the command line and WINFLASK_APP_* variables, and the
X-Forwarded-For tidy-up, without starting a server."""

from __future__ import annotations

import pytest
from run_server import Settings, drop_ipv6_port, parse_settings


def test_defaults() -> None:
    assert parse_settings([], {}) == Settings(
        host="127.0.0.1", port=50100, prefix="/myApp", trusted_proxy="127.0.0.1",
        host_header="x-forwarded-host", threads=8, connection_limit=500, channel_timeout=120, backlog=1024,
        cleanup_interval=30, outbuf_high_watermark=16777216)


def test_environment_variables() -> None:
    environ = {
        "WINFLASK_APP_HOST": "::1",
        "WINFLASK_APP_PORT": "8080",
        "WINFLASK_APP_PREFIX": "shop/",
        "WINFLASK_APP_TRUSTED_PROXY": "::1",
        "WINFLASK_APP_HOST_HEADER": "X-Original-Host",
        "WINFLASK_APP_THREADS": "16",
        "WINFLASK_APP_CONNECTION_LIMIT": "200",
        "WINFLASK_APP_CHANNEL_TIMEOUT": "300",
        "WINFLASK_APP_BACKLOG": "64",
        "WINFLASK_APP_CLEANUP_INTERVAL": "10",
        "WINFLASK_APP_OUTBUF_HIGH_WATERMARK": "65536",
    }
    assert parse_settings([], environ) == Settings(
        host="::1", port=8080, prefix="/shop", trusted_proxy="::1", host_header="x-original-host", threads=16,
        connection_limit=200, channel_timeout=300, backlog=64, cleanup_interval=10, outbuf_high_watermark=65536)


def test_command_line_wins_over_environment() -> None:
    settings = parse_settings(["--port", "9000", "--prefix", "/"], {"WINFLASK_APP_PORT": "8080"})
    assert settings.port == 9000
    assert settings.prefix == ""


@pytest.mark.parametrize("nobody", ["", "none", "None"])
def test_empty_trusted_proxy_trusts_nobody(nobody: str) -> None:
    assert parse_settings(["--trusted-proxy", nobody], {}).trusted_proxy == ""
    assert parse_settings([], {"WINFLASK_APP_TRUSTED_PROXY": nobody}).trusted_proxy == ""


def test_trusted_proxy_is_normalised_like_the_peer_address() -> None:
    # waitress compares the peer address as a string; "0:0:0:0:0:0:0:1" would never match "::1".
    assert parse_settings(["--trusted-proxy", "0:0:0:0:0:0:0:1"], {}).trusted_proxy == "::1"


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["--port", "70000"], {}, "argument --port: invalid port number (0-65535) value: '70000'"),
        ([], {"WINFLASK_APP_PORT": "http"}, "argument --port: invalid port number (0-65535) value: 'http'"),
        (["--threads", "0"], {}, "argument --threads: invalid thread count (1-256) value: '0'"),
        (["--threads", "257"], {}, "argument --threads: invalid thread count (1-256) value: '257'"),
        # Above 500 the sockets would not fit Windows' select() (512 in Python's build).
        (["--connection-limit", "501"], {},
         "argument --connection-limit: invalid connection limit (1-500) value: '501'"),
        ([], {"WINFLASK_APP_CONNECTION_LIMIT": "0"},
         "argument --connection-limit: invalid connection limit (1-500) value: '0'"),
        (["--channel-timeout", "0"], {}, "argument --channel-timeout: invalid number of seconds (1-86400) value: '0'"),
        (["--channel-timeout", "2m"], {},
         "argument --channel-timeout: invalid number of seconds (1-86400) value: '2m'"),
        (["--backlog", "65536"], {}, "argument --backlog: invalid backlog length (1-65535) value: '65536'"),
        (["--cleanup-interval", "-1"], {},
         "argument --cleanup-interval: invalid number of seconds (1-86400) value: '-1'"),
        (["--outbuf-high-watermark", "1024"], {},
         "argument --outbuf-high-watermark: invalid number of bytes (65536-1073741824) value: '1024'"),
        (["--trusted-proxy", "localhost"], {}, "argument --trusted-proxy: invalid IP address value: 'localhost'"),
        (["--trusted-proxy", "*"], {}, "argument --trusted-proxy: invalid IP address value: '*'"),
        (["--prefix", "/a/../b"], {}, "argument --prefix: invalid URL prefix value: '/a/../b'"),
        (["--host-header", "host"], {},
         "argument --host-header: invalid host header (x-forwarded-host or x-original-host) value: 'host'"),
    ],
)
def test_bad_values_are_refused(argv: list[str], environ: dict[str, str], message: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_settings(argv, environ)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7:51234"),  # waitress splits IPv4 ip:port itself
        ("[2001:db8::1]:51234", "[2001:db8::1]"),
        ("2001:db8::1", "2001:db8::1"),
        ("198.51.100.1, [2001:db8::1]:443", "198.51.100.1, [2001:db8::1]"),
    ],
)
def test_drop_ipv6_port(given: str, expected: str) -> None:
    assert drop_ipv6_port(given) == expected
