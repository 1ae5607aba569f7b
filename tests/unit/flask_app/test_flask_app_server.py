"""run_server.py for real: waitress in a subprocess on a free loopback port, spoken to over TCP.

The trusted proxy is 127.0.0.1 (IIS/ARR on the same host). Requests from 127.0.0.2 (also
loopback on Linux) play a local process that is not the proxy."""

from __future__ import annotations

import signal
import socket

import pytest
from sample_server import STOP_TIMEOUT, RunningServer, spawn

UNTRUSTED = "127.0.0.2"

# What IIS sends for https://public.example/myApp/... with the rewrite rule of docs/flask-app.md
# and ARR's default includePortInXForwardedFor=true.
ARR_HEADERS = {
    "X-Forwarded-For": "203.0.113.7:51234",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "public.example",
}


@pytest.fixture
def server(start_server) -> RunningServer:
    return start_server()


def test_routes_over_http(server: RunningServer) -> None:
    assert server.get("/").status == 404
    hello = server.get("/myApp/")
    assert (hello.status, hello.text) == (200, "Hello World!!!")
    help_page = server.get("/myApp/help")
    assert (help_page.status, help_page.text) == (200, "This is the Help Page")
    health = server.get("/myApp/health")
    assert health.status == 200
    assert health.headers["content-type"] == "application/json"
    assert health.json() == {"status": "ok"}


def test_served_by_waitress_not_the_dev_server(server: RunningServer) -> None:
    assert server.get("/myApp/health").headers["server"] == "winflask-sample"


def test_direct_request_sees_the_tcp_peer(server: RunningServer) -> None:
    assert server.get("/myApp/whoami").json() == {
        "remote_addr": "127.0.0.1",
        "scheme": "http",
        "host": f"127.0.0.1:{server.port}",
        "url_root": f"http://127.0.0.1:{server.port}/myApp/",
    }


def test_trusted_proxy_headers_change_client_scheme_and_host(server: RunningServer) -> None:
    seen = server.get("/myApp/whoami", headers=ARR_HEADERS).json()
    assert seen == {
        "remote_addr": "203.0.113.7",  # ARR's ip:port split by waitress
        "scheme": "https",
        "host": "public.example",
        "url_root": "https://public.example/myApp/",
    }


def test_redirects_use_the_public_url(server: RunningServer) -> None:
    redirect = server.get("/myApp", headers=ARR_HEADERS)
    assert redirect.status == 308
    assert redirect.headers["location"] == "https://public.example/myApp/"


def test_untrusted_peer_cannot_spoof(server: RunningServer) -> None:
    headers = {**ARR_HEADERS, "X-Original-Host": "evil.example", "Forwarded": "for=198.51.100.9;proto=https"}
    seen = server.get("/myApp/whoami", headers=headers, source=UNTRUSTED).json()
    assert seen == {
        "remote_addr": UNTRUSTED,
        "scheme": "http",
        "host": f"127.0.0.1:{server.port}",
        "url_root": f"http://127.0.0.1:{server.port}/myApp/",
    }
    redirect = server.get("/myApp", headers=headers, source=UNTRUSTED)
    assert redirect.headers["location"] == f"http://127.0.0.1:{server.port}/myApp/"


def test_only_the_last_hop_is_trusted(server: RunningServer) -> None:
    # A client that sends its own X-Forwarded-For gets the real address appended by ARR.
    seen = server.get("/myApp/whoami", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7:4431"}).json()
    assert seen["remote_addr"] == "203.0.113.7"


def test_ipv6_client_with_port(server: RunningServer) -> None:
    seen = server.get("/myApp/whoami", headers={"X-Forwarded-For": "[2001:db8::7]:51234"}).json()
    assert seen["remote_addr"] == "2001:db8::7"


def test_x_original_host_is_ignored_by_default(server: RunningServer) -> None:
    # The default rule sets X-Forwarded-Host; an X-Original-Host the client sent passes ARR untouched.
    seen = server.get("/myApp/whoami", headers={"X-Original-Host": "evil.example"}).json()
    assert seen["host"] == f"127.0.0.1:{server.port}"


@pytest.fixture
def original_host_server(start_server) -> RunningServer:
    return start_server("--host-header", "x-original-host")


def test_x_original_host_from_the_proxy(original_host_server: RunningServer) -> None:
    seen = original_host_server.get("/myApp/whoami", headers={"X-Original-Host": "public.example:8443"}).json()
    assert seen["host"] == "public.example:8443"
    assert seen["url_root"] == "http://public.example:8443/myApp/"


def test_x_original_host_mode_ignores_x_forwarded_host(original_host_server: RunningServer) -> None:
    # A client-sent X-Forwarded-Host passes ARR untouched when the rule only sets X-Original-Host.
    server = original_host_server
    both = {"X-Forwarded-Host": "evil.example", "X-Original-Host": "public.example"}
    assert server.get("/myApp/whoami", headers=both).json()["host"] == "public.example"
    only_forwarded = {"X-Forwarded-Host": "evil.example"}
    assert server.get("/myApp/whoami", headers=only_forwarded).json()["host"] == f"127.0.0.1:{server.port}"


def test_x_original_host_from_untrusted_peer_is_ignored(original_host_server: RunningServer) -> None:
    server = original_host_server
    seen = server.get("/myApp/whoami", headers={"X-Original-Host": "evil.example"}, source=UNTRUSTED).json()
    assert seen["host"] == f"127.0.0.1:{server.port}"


def test_bad_proto_from_the_proxy_is_a_400(server: RunningServer) -> None:
    response = server.get("/myApp/whoami", headers={"X-Forwarded-Proto": "gopher"})
    assert response.status == 400
    assert "X-Forwarded-Proto" in response.text


def test_trusting_nobody(start_server) -> None:
    server = start_server("--trusted-proxy", "")
    seen = server.get("/myApp/whoami", headers=ARR_HEADERS).json()
    assert (seen["remote_addr"], seen["scheme"], seen["host"]) == ("127.0.0.1", "http", f"127.0.0.1:{server.port}")


def test_trusted_proxy_other_than_the_peer(start_server) -> None:
    server = start_server("--trusted-proxy", UNTRUSTED)
    assert server.get("/myApp/whoami", headers=ARR_HEADERS).json()["remote_addr"] == "127.0.0.1"
    assert server.get("/myApp/whoami", headers=ARR_HEADERS, source=UNTRUSTED).json()["remote_addr"] == "203.0.113.7"


def test_settings_from_environment(start_server) -> None:
    server = start_server(env={"WINFLASK_APP_PREFIX": "/shop", "WINFLASK_APP_TRUSTED_PROXY": ""})
    assert server.get("/shop/help").text == "This is the Help Page"
    assert server.get("/myApp/help").status == 404
    assert "trusted proxy: none, host header: x-forwarded-host" in server.lines[-1]


def test_graceful_stop_on_sigterm(server: RunningServer) -> None:
    assert server.get("/myApp/health").status == 200
    assert server.stop(signal.SIGTERM) == 0
    assert any("received signal SIGTERM, stopping" in line for line in server.lines)
    assert server.lines[-1].endswith("winflask.app: stopped")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_graceful_stop_on_ctrl_c(server: RunningServer) -> None:
    # nssm's first stop step is a Ctrl+C to the console: SIGINT here.
    assert server.stop(signal.SIGINT) == 0
    assert server.lines[-1].endswith("winflask.app: stopped")


def test_bad_setting_exits_2_without_listening() -> None:
    process = spawn(["--port", "99999"])
    out, _err = process.communicate(timeout=STOP_TIMEOUT)
    assert process.returncode == 2
    assert "argument --port: invalid port number (0-65535) value: '99999'" in out


def test_port_in_use_exits_1(server: RunningServer) -> None:
    process = spawn(["--port", str(server.port)])
    out, _err = process.communicate(timeout=STOP_TIMEOUT)
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in out
    assert server.get("/myApp/health").status == 200  # the first server is unaffected
