"""The site playbook (winflask.iis.site) on a bare emulated Windows Server 2022 host (no IIS).

- check mode on the bare host succeeds, says what it cannot predict, and sends only reads;
- `assert_reverse_proxy_configured` is what IIS Manager would have left after a real run
  (used by test_site_app.py, which converges the host, runs the app and checks idempotence).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playbook_run import (
    EMULATED_INVENTORY, ansible_env, app_port, create_host, read_calls, run_playbook, snapshot, venvs)

HOST = "emulated-server2022"
VENV_LIST = venvs()


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_check_mode_on_a_bare_host_writes_nothing(venv: Path, tmp_path: Path) -> None:
    from test_site_app import extra_vars

    root = create_host(venv, tmp_path / "host", bare=True)
    before = snapshot(root)
    run = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, ansible_env(venv, root, tmp_path),
                       [*extra_vars(venv, app_port()), "--check"])
    assert run.rc == 0, run.failure_report()
    assert run.recap[HOST]["changed"] > 0, "check mode on a bare host predicted no change"
    assert "the proxy, server variable and rule tasks are skipped" in " ".join(run.stdout.split())
    calls = read_calls(root)
    assert calls and {c["kind"] for c in calls} <= {"read", "skipped"}, calls
    assert snapshot(root) == before


def assert_reverse_proxy_configured(root: Path, backend: str = "http://127.0.0.1:50100") -> None:
    """What IIS Manager would have left: proxy on, the variable allowed for the site, the rule in web.config."""
    apphost = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot()
    proxy = apphost.find("system.webServer/proxy")
    assert proxy is not None and proxy.get("enabled") == "true"
    assert proxy.get("includePortInXForwardedFor") == "false"
    location = apphost.find("location[@path='Default Web Site']")
    assert location is not None, "allowed server variables belong in a <location> of applicationHost.config"
    allowed = [a.get("name") for a in location.findall("system.webServer/rewrite/allowedServerVariables/add")]
    assert sorted(allowed) == ["HTTP_X_FORWARDED_PROTO", "HTTP_X_ORIGINAL_HOST"]

    web_config = ET.parse(root / "C/inetpub/wwwroot/web.config").getroot()
    rules = web_config.findall("system.webServer/rewrite/rules/rule")
    assert [r.get("name") for r in rules] == ["ReverseProxyInboundRule1"]
    rule = rules[0]
    assert rule.get("stopProcessing") == "true"
    assert rule.find("match").get("url") == "(.*)"
    assert rule.find("action").attrib == {"type": "Rewrite", "url": f"{backend}/{{R:1}}"}
    # site.yml's host header is X-Original-Host; X-Forwarded-Proto is http/https from the request's URL.
    assert [c.attrib for c in rule.findall("conditions/add")] == [{"input": "{CACHE_URL}", "pattern": "^(https?)://"}]
    assert [s.attrib for s in rule.findall("serverVariables/set")] == [
        {"name": "HTTP_X_FORWARDED_PROTO", "value": "{C:1}"}, {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}]
    assert web_config.find("system.webServer/rewrite/allowedServerVariables") is None, \
        "allowedServerVariables in web.config is the HTTP 500.19 mistake"
