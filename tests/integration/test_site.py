"""The site playbook (winflask.iis.site) twice on a bare emulated Windows Server 2022 host (no IIS).

The first run must change the host (and write to it); the second must report changed=0 in the
PLAY RECAP and send no write call to the host (idempotence measured on the host, not only in
ansible's summary).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from playbook_run import EMULATED_INVENTORY, ansible_env, create_host, read_calls, run_playbook, venvs
from test_site_app import extra_vars
from winhost import Host
from winhost.processes import stop_all

HOST = "emulated-server2022"
VENV_LIST = venvs()
PORT_BASE = 50111


@pytest.fixture
def host_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "host"
    yield root
    if (root / "state.json").exists():
        stop_all(Host(root))


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_site_converges_then_is_idempotent(venv: Path, tmp_path: Path, host_root: Path) -> None:
    port = PORT_BASE + VENV_LIST.index(venv)
    root = create_host(venv, host_root, bare=True)
    env = ansible_env(venv, root, tmp_path)
    extra = extra_vars(venv, port)

    first = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, env, extra)
    assert first.rc == 0, first.failure_report()
    assert first.recap.get(HOST, {}).get("failed") == 0, first.failure_report()
    assert first.recap[HOST]["changed"] > 0, f"first run on a fresh host changed nothing\n{first.stdout[-3000:]}"
    calls_after_first = read_calls(root)
    assert any(call.get("kind") == "write" for call in calls_after_first), \
        f"first run wrote nothing to the emulated host: {calls_after_first}"

    assert_reverse_proxy_configured(root, f"http://127.0.0.1:{port}")

    second = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, env, extra)
    assert second.rc == 0, second.failure_report()
    assert second.recap.get(HOST, {}).get("failed") == 0, second.failure_report()
    assert second.recap[HOST]["changed"] == 0, \
        f"second run is not idempotent: {second.recap[HOST]}\n{second.stdout[-6000:]}"
    new_calls = read_calls(root)[len(calls_after_first):]
    assert new_calls, "second run sent no call to the host at all"
    writes = [call for call in new_calls if call.get("kind") == "write"]
    assert not writes, f"second run wrote to the host: {writes}"


def assert_reverse_proxy_configured(root: Path, backend: str = "http://127.0.0.1:50100") -> None:
    """What IIS Manager would have left: proxy on, the variable allowed for the site, the rule in web.config."""
    apphost = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot()
    proxy = apphost.find("system.webServer/proxy")
    assert proxy is not None and proxy.get("enabled") == "true"
    assert proxy.get("includePortInXForwardedFor") == "false"
    location = apphost.find("location[@path='Default Web Site']")
    assert location is not None, "allowed server variables belong in a <location> of applicationHost.config"
    allowed = [a.get("name") for a in location.findall("system.webServer/rewrite/allowedServerVariables/add")]
    assert allowed == ["HTTP_X_ORIGINAL_HOST"]

    web_config = ET.parse(root / "C/inetpub/wwwroot/web.config").getroot()
    rules = web_config.findall("system.webServer/rewrite/rules/rule")
    assert [r.get("name") for r in rules] == ["ReverseProxyInboundRule1"]
    rule = rules[0]
    assert rule.get("stopProcessing") == "true"
    assert rule.find("match").get("url") == "(.*)"
    assert rule.find("action").attrib == {"type": "Rewrite", "url": f"{backend}/{{R:1}}"}
    assert rule.find("serverVariables/set").attrib == {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}
    assert web_config.find("system.webServer/rewrite/allowedServerVariables") is None, \
        "allowedServerVariables in web.config is the HTTP 500.19 mistake"
