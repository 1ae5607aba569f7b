"""run_server.py: settings from the command line and WINFLASK_APP_* variables, and the
X-Forwarded-For tidy-up, without starting a server."""

from __future__ import annotations

import pytest
from run_server import Settings, drop_ipv6_port, parse_settings


def test_defaults() -> None:
    assert parse_settings([], {}) == Settings(
        host="127.0.0.1", port=50100, prefix="/myApp", trusted_proxy="127.0.0.1",
        host_header="x-forwarded-host", threads=4)


def test_environment_variables() -> None:
    environ = {
        "WINFLASK_APP_HOST": "::1",
        "WINFLASK_APP_PORT": "8080",
        "WINFLASK_APP_PREFIX": "shop/",
        "WINFLASK_APP_TRUSTED_PROXY": "::1",
        "WINFLASK_APP_HOST_HEADER": "X-Original-Host",
        "WINFLASK_APP_THREADS": "8",
    }
    assert parse_settings([], environ) == Settings(
        host="::1", port=8080, prefix="/shop", trusted_proxy="::1", host_header="x-original-host", threads=8)


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
