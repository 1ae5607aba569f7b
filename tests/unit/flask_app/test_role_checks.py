"""The roles' entry checks (the first task of reverse_proxy and flask_app), rendered by Ansible's own
templar: defaults pass; each bad value fails its own check with a message naming the variable and
the value; the IP patterns never accept what Python's ipaddress (run_server.py) refuses."""

from __future__ import annotations

import ipaddress
import random
import re

import pytest
from role_vars import failed_checks, role_variables


@pytest.mark.parametrize("role", ["reverse_proxy", "flask_app"])
def test_defaults_pass(role: str) -> None:
    assert failed_checks(role) == {}


BAD = [
    ("reverse_proxy", "reverse_proxy_backend_url", ""),
    ("reverse_proxy", "reverse_proxy_backend_url", "127.0.0.1:25000"),
    ("reverse_proxy", "reverse_proxy_backend_url", "ftp://127.0.0.1:21"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://127.0.0.1:50100/app"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://127.0.0.1:50100?x=1"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://user@127.0.0.1:50100"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://127.0.0.1:0"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://127.0.0.1:65536"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://{HTTP_HOST}/"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http:///"),
    ("flask_app", "flask_app_host", "iis.local"),
    ("flask_app", "flask_app_host", "localhost"),
    ("flask_app", "flask_app_host", ""),
    ("flask_app", "flask_app_host", "127.0.0.1:50100"),
    ("flask_app", "flask_app_host", "127.000.0.1"),
    ("flask_app", "flask_app_host", "256.0.0.1"),
    ("flask_app", "flask_app_trusted_proxy", "iis.local"),
    ("flask_app", "flask_app_trusted_proxy", "*"),
    ("flask_app", "flask_app_trusted_proxy", "127.0.0.0/8"),
    ("flask_app", "flask_app_trusted_proxy", "::1::"),
    ("flask_app", "flask_app_dir", "C:\\Windows"),
    ("flask_app", "flask_app_dir", "C:\\Windows\\apps\\myApp"),
    ("flask_app", "flask_app_dir", "c:/windows/Temp"),
    ("flask_app", "flask_app_dir", "D:\\\\WINDOWS.\\x"),
    ("flask_app", "flask_app_dir", "C:\\Windows \\x"),
    ("flask_app", "flask_app_dir", "C:\\apps\\..\\Windows\\x"),
    ("flask_app", "flask_app_dir", "C:\\apps\\.."),
    ("flask_app", "flask_app_dir", "C:\\apps\\...\\x"),
    ("flask_app", "flask_app_dir", "C:\\apps\\.\\x"),
    ("flask_app", "flask_app_dir", "C:/apps/../x"),
    ("flask_app", "flask_app_dir", "apps\\myApp"),
    ("flask_app", "flask_app_dir", "C:apps"),
    ("flask_app", "flask_app_dir", "%SystemRoot%\\apps"),
    ("flask_app", "flask_app_dir", "C:\\%WINDIR%\\x"),
    ("flask_app", "flask_app_dir", "\\\\server\\share\\app"),
    ("flask_app", "flask_app_dir", "\\\\?\\C:\\Windows\\x"),
    ("flask_app", "flask_app_dir", "C:\\apps\\myApp:stream"),
    ("flask_app", "flask_app_dir", "C:\\apps\\my|App"),
    ("flask_app", "flask_app_port", 0),
    ("flask_app", "flask_app_threads", 257),
    ("flask_app", "flask_app_connection_limit", 501),
    ("flask_app", "flask_app_connection_limit", 0),
    ("flask_app", "flask_app_channel_timeout", 0),
    ("flask_app", "flask_app_backlog", 65536),
    ("flask_app", "flask_app_cleanup_interval", 0),
    ("flask_app", "flask_app_outbuf_high_watermark", 65535),
    ("flask_app", "flask_app_prefix", "/a/../b"),
]


@pytest.mark.parametrize(("role", "name", "value"), BAD, ids=[f"{n}={v!r}" for _r, n, v in BAD])
def test_bad_value_fails_its_own_check(role: str, name: str, value: object) -> None:
    failed = failed_checks(role, **{name: value})
    assert list(failed) == [name]
    assert failed[name].startswith(f"{name} must be ")
    assert failed[name].endswith(f"; got '{value}'")


GOOD = [
    ("reverse_proxy", "reverse_proxy_backend_url", "http://127.0.0.1:50100/"),
    ("reverse_proxy", "reverse_proxy_backend_url", "HTTPS://backend.example.com:8443"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://localhost"),
    ("reverse_proxy", "reverse_proxy_backend_url", "http://[::1]:65535"),
    ("flask_app", "flask_app_host", "0.0.0.0"),
    ("flask_app", "flask_app_host", "::"),
    ("flask_app", "flask_app_host", "::1"),
    ("flask_app", "flask_app_host", "10.1.2.3"),
    ("flask_app", "flask_app_trusted_proxy", ""),
    ("flask_app", "flask_app_trusted_proxy", "0:0:0:0:0:0:0:1"),
    ("flask_app", "flask_app_trusted_proxy", "FE80::1"),
    ("flask_app", "flask_app_dir", "D:/web/shop"),
    ("flask_app", "flask_app_dir", "C:\\WindowsApps\\shop"),
    ("flask_app", "flask_app_dir", "C:\\apps\\Windows"),
    ("flask_app", "flask_app_dir", "C:\\Program Files\\my.app\\v1.2"),
    ("flask_app", "flask_app_connection_limit", 500),
    ("flask_app", "flask_app_connection_limit", 1),
    ("flask_app", "flask_app_channel_timeout", 86400),
    ("flask_app", "flask_app_backlog", 65535),
    ("flask_app", "flask_app_cleanup_interval", 1),
    ("flask_app", "flask_app_outbuf_high_watermark", 1073741824),
]


@pytest.mark.parametrize(("role", "name", "value"), GOOD, ids=[f"{n}={v!r}" for _r, n, v in GOOD])
def test_good_value_passes(role: str, name: str, value: object) -> None:
    assert failed_checks(role, **{name: value}) == {}


def ip_patterns() -> list[re.Pattern[str]]:
    variables = role_variables("flask_app")
    return [re.compile(variables["flask_app_ipv4_pattern"]),
            re.compile(variables["flask_app_ipv6_pattern"], re.IGNORECASE)]


def role_accepts_ip(text: str) -> bool:
    return any(pattern.match(text) for pattern in ip_patterns())


def python_accepts_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def test_ip_patterns_accept_no_address_python_refuses() -> None:
    chance = random.Random(8)
    tried = accepted = 0
    for _attempt in range(20000):
        text = "".join(chance.choice("0123456789abcdef:.") for _char in range(chance.randint(1, 20)))
        tried += 1
        if role_accepts_ip(text):
            accepted += 1
            assert python_accepts_ip(text), text
    assert accepted > 50, f"only {accepted} of {tried} random strings matched: the fuzzing proves nothing"


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "1::", "fe80::1",
                                     "2001:db8::7", "2001:db8:0:0:1:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
                                     "::2:3:4:5:6:7:8", "2001:DB8::A"])
def test_ip_patterns_accept_common_addresses(address: str) -> None:
    assert python_accepts_ip(address) and role_accepts_ip(address)
