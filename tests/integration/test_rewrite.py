"""URL Rewrite modules on an emulated host, checked on the host itself: files, XML, call log.

- check mode leaves every config file byte-identical;
- a task managing 200 rules makes one read and one write; its second run one read and no write;
- the brief's proxy rule lands in the site's web.config as IIS Manager writes it, and the allowed
  variable in applicationHost.config under <location path="Default Web Site">, not in web.config;
- a real IIS application (not only a folder) gets its own web.config.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
SITE_CONFIG = "C/inetpub/wwwroot/web.config"

PROXY_RULE = """
    - name: Allow the variable
      winflask.iis.server_variable:
        name: HTTP_X_ORIGINAL_HOST
        site: Default Web Site
    - name: The brief's reverse proxy rule
      winflask.iis.rewrite_rule:
        site: Default Web Site
        name: ReverseProxyInboundRule1
        stop_processing: true
        match:
          url: (.*)
        server_variables:
          - name: HTTP_X_ORIGINAL_HOST
            value: "{HTTP_HOST}"
        action:
          type: Rewrite
          url: http://localhost:50100/{R:1}
"""


def playbook(path: Path, tasks: str) -> Path:
    path.write_text(f"---\n- name: rewrite test\n  hosts: windows\n  gather_facts: false\n  tasks:{tasks}",
                    encoding="utf-8")
    return path


def run(venv: Path, root: Path, tmp_path: Path, book: Path, *extra: str):
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    result = run_playbook(venv, book, inventory, ansible_env(venv, root, tmp_path), list(extra))
    assert result.rc == 0, result.failure_report()
    return result


def config_calls(calls: list[dict]) -> list[tuple[str, str]]:
    return [(c["script"], c["kind"]) for c in calls if c.get("script") in ("config_read", "config_apply")]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_proxy_rule_on_disk_check_mode_and_idempotence(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    book = playbook(tmp_path / "play.yml", PROXY_RULE)
    before = snapshot(root)

    check = run(venv, root, tmp_path, book, "--check")
    assert check.recap[HOST]["changed"] == 2
    assert snapshot(root) == before, "check mode changed a file on the host"
    assert all(c["kind"] == "read" for c in read_calls(root)), read_calls(root)

    first = run(venv, root, tmp_path, book)
    assert first.recap[HOST]["changed"] == 2
    rule = ET.parse(root / SITE_CONFIG).getroot().find("system.webServer/rewrite/rules/rule")
    assert rule is not None and rule.attrib == {"name": "ReverseProxyInboundRule1", "stopProcessing": "true"}
    assert rule.find("match").attrib == {"url": "(.*)"}
    assert rule.find("serverVariables/set").attrib == {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}
    assert rule.find("action").attrib == {"type": "Rewrite", "url": "http://localhost:50100/{R:1}"}
    assert "allowedServerVariables" not in (root / SITE_CONFIG).read_text(encoding="utf-8")
    apphost = ET.parse(root / APPHOST).getroot()
    location = apphost.find("location[@path='Default Web Site']")
    assert location is not None
    assert [a.get("name") for a in location.iter("add")] == ["HTTP_X_ORIGINAL_HOST"]

    calls_before = len(read_calls(root))
    files_before = snapshot(root)
    second = run(venv, root, tmp_path, book)
    assert second.recap[HOST]["changed"] == 0
    assert config_calls(read_calls(root)[calls_before:]) == [("config_read", "read"), ("config_read", "read")]
    assert snapshot(root) == files_before


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_two_hundred_rules_one_read_one_write(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    rules = "".join(f"""
          - name: rule{n:03d}
            match:
              url: ^section{n}/(.*)
            action:
              type: Rewrite
              url: /app/{n}/{{R:1}}""" for n in range(200))
    book = playbook(tmp_path / "play.yml", f"""
    - name: 200 rules
      winflask.iis.rewrite_rules:
        site: Default Web Site
        rules:{rules}
""")
    run(venv, root, tmp_path, book)
    assert config_calls(read_calls(root)) == [("config_read", "read"), ("config_apply", "write")]
    rules_xml = ET.parse(root / SITE_CONFIG).getroot().findall("system.webServer/rewrite/rules/rule")
    assert [r.get("name") for r in rules_xml] == [f"rule{n:03d}" for n in range(200)]

    count = len(read_calls(root))
    again = run(venv, root, tmp_path, book)
    assert again.recap[HOST]["changed"] == 0
    assert config_calls(read_calls(root)[count:]) == [("config_read", "read")]


@pytest.mark.parametrize("venv", VENV_LIST[:1], ids=[v.name for v in VENV_LIST[:1]])
def test_rules_of_a_real_application(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))
    from winhost import iis
    from winhost.host import Host

    iis.add_application(Host(root), "Default Web Site", "/myApp", "C:\\apps\\myApp")
    book = playbook(tmp_path / "play.yml", """
    - name: Rule of the application
      winflask.iis.rewrite_rule:
        site: Default Web Site
        application: /myApp
        name: Help
        match:
          url: ^help$
        action:
          type: Rewrite
          url: help.html
      register: app_rule
    - name: The application's own web.config
      ansible.builtin.assert:
        that:
          - app_rule is changed
          - app_rule.file is search('^C:.apps.myApp.web[.]config$')
""")
    run(venv, root, tmp_path, book)
    rule = ET.parse(root / "C/apps/myApp/web.config").getroot().find("system.webServer/rewrite/rules/rule")
    assert rule is not None and rule.get("name") == "Help"
    assert not (root / SITE_CONFIG).exists()


@pytest.mark.parametrize("venv", VENV_LIST[:1], ids=[v.name for v in VENV_LIST[:1]])
def test_url_rewrite_missing_is_a_clear_error_and_writes_nothing(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))
    from winhost import iis
    from winhost.host import Host

    iis.uninstall_arr(Host(root))
    iis.uninstall_url_rewrite(Host(root))
    before = snapshot(root)
    book = playbook(tmp_path / "play.yml", """
    - name: A rule without URL Rewrite
      winflask.iis.rewrite_rule:
        site: Default Web Site
        name: r
        match:
          url: (.*)
      register: missing
      failed_when: missing.msg is not search('URL Rewrite is not installed')
    - name: A variable without URL Rewrite
      winflask.iis.server_variable:
        name: HTTP_X_ORIGINAL_HOST
      register: missing_var
      failed_when: missing_var.msg is not search('URL Rewrite is not installed')
""")
    run(venv, root, tmp_path, book)
    assert snapshot(root) == before
    assert [c["kind"] for c in read_calls(root) if c.get("script")] == ["read", "read"]
