"""reverse_proxy's production options on an emulated host, in ONE playbook run (main venv: nothing here
depends on the core): the role with response buffering off, WebSockets, a static prefix, a request size limit
and a prefix without dynamic compression; the rules the site then has, evaluated live by
winflask.iis.rewrite_rule_test; the role a second time writes nothing; and a request size limit out of IIS's
range fails before anything reaches the host.

Measured on the host: applicationHost.config's proxy responseBufferLimit="0" and urlCompression
doDynamicCompression="false" in <location path="Default Web Site/events">, the WebSocket feature installed, the
site's web.config with requestLimits maxAllowedContentLength, the static rule (action None) before the proxy rule
and the empty Sec-WebSocket-Extensions, and no write call after the first role run. Through the emulated IIS: a
body above IIS's default 30,000,000 bytes but within the role's limit passes request filtering (on to ARR), a
Content-Length above the role's limit gets 404.13 (Microsoft, "Request Limits <requestLimits>").
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from pathlib import Path

from playbook_run import (
    ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory, write_play)
import test_site_app
from winhost import Host
from winhost.front import ensure_running

HOST = "emulated-server2022"
VENV = venvs()[0]
MARK = "C:\\winflask-second-run.mark"
ROLE_VARS = {"reverse_proxy_response_buffer_limit": 0, "reverse_proxy_websockets": True,
             "reverse_proxy_static_prefixes": ["/static"], "reverse_proxy_max_allowed_content_length": 104857600,
             "reverse_proxy_no_dynamic_compression_prefixes": ["/events/"]}


def role(name: str, **extra: object) -> dict:
    return {"name": name, "ansible.builtin.include_role": {"name": "winflask.iis.reverse_proxy"},
            "vars": {**ROLE_VARS, **extra}}


def live_check() -> dict:
    return {"name": "The site's live rules", "winflask.iis.rewrite_rule_test": {
        "site": "Default Web Site",
        "requests": [
            {"url": "/static/app.css", "expect": {"final": {"type": "None", "proxy": False}}},
            {"url": "/staticx/app.css", "expect": {"final": {"type": "Rewrite", "proxy": True}}},
            {"url": "/myApp/ws", "headers": {"Sec-WebSocket-Extensions": "permessage-deflate"},
             "expect": {"final": {"type": "Rewrite", "url": "http://127.0.0.1:50100/myApp/ws", "proxy": True},
                        "server_variables": {"HTTP_SEC_WEBSOCKET_EXTENSIONS": ""}}},
        ]}}


# The emulated host's folder (tmp_path / "host"), its processes (the emulated IIS) stopped afterwards.
host_root = test_site_app.host_root


def post(port: int, length: int, body: bytes = b"") -> tuple[int, bytes]:
    """A POST through the emulated IIS that announces ``length`` bytes (sent only when ``body`` is given)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", "/myApp/upload")
    connection.putheader("Host", "localhost")
    connection.putheader("Content-Length", str(length))
    connection.endheaders()
    if body:
        connection.send(body)
    response = connection.getresponse()
    answer = (response.status, response.read())
    connection.close()
    return answer


def test_production_options_converge_and_bad_input_fails_first(tmp_path: Path, host_root: Path) -> None:
    root = create_host(VENV, host_root)
    host = Host(root)
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    env = ansible_env(VENV, root, tmp_path)
    tasks = [role("The role"), live_check(),
             {"name": "Second run from here", "ansible.windows.win_file": {"path": MARK, "state": "touch"}},
             role("The role again")]
    result = run_playbook(VENV, write_play(tmp_path / "ok.yml", tasks), inventory, env)
    assert result.rc == 0, result.failure_report()

    apphost = ET.fromstring(host.read_bytes("C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"))
    proxy = apphost.find("system.webServer/proxy")
    assert proxy is not None and proxy.get("responseBufferLimit") == "0"
    events = [loc for loc in apphost.findall("location") if loc.get("path") == "Default Web Site/events"]
    assert [loc.find("system.webServer/urlCompression").attrib for loc in events] == [
        {"doDynamicCompression": "false"}]
    assert host.load_state()["features"].get("IIS-WebSockets") == "Enabled"  # Web-WebSockets, stored by DISM name
    web_config = ET.fromstring(host.read_bytes("C:\\inetpub\\wwwroot\\web.config"))
    limits = web_config.find("system.webServer/security/requestFiltering/requestLimits")
    assert limits is not None and limits.attrib == {"maxAllowedContentLength": "104857600"}
    rules = web_config.findall("system.webServer/rewrite/rules/rule")
    assert [r.get("name") for r in rules][:2] == ["ReverseProxyStatic", "ReverseProxyInboundRule1"]
    assert rules[0].find("action").get("type") == "None" and rules[0].get("stopProcessing") == "true"
    sets = {s.get("name"): s.get("value") for s in rules[1].findall("serverVariables/set")}
    assert sets["HTTP_SEC_WEBSOCKET_EXTENSIONS"] == ""

    calls = read_calls(root)
    mark = next(i for i, c in enumerate(calls) if c["module"].endswith("win_file"))
    assert [c for c in calls[mark + 1:] if c["kind"] == "write"] == []   # the second run changed nothing

    # Request filtering at the role's limit (104857600), through the emulated IIS: 40 MB is over IIS's default
    # 30000000 yet passes on to ARR (whose back end, 127.0.0.1:50100, does not listen here: 502.3); more than the
    # role's limit is refused with 404.13 before the body is read.
    port = ensure_running(host)["*:80:"]
    status, body = post(port, 40_000_000, b"x" * 40_000_000)
    assert b"404.13" not in body and status != 413, (status, body[:300])
    status, body = post(port, 104857601)
    assert status == 404 and b"404.13" in body, (status, body[:300])

    before = snapshot(root)
    calls_before = len(calls)
    too_big = role("Too big", reverse_proxy_max_allowed_content_length=4294967296)
    bad = run_playbook(VENV, write_play(tmp_path / "bad.yml", [too_big]), inventory, env)
    assert bad.rc != 0
    assert "reverse_proxy_max_allowed_content_length must be null or a number of bytes from 0 to 4294967295" \
        in bad.stdout
    assert "got '4294967296'" in bad.stdout
    assert snapshot(root) == before and len(read_calls(root)) == calls_before
