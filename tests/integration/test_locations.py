"""Location tags as IIS applies them, through the modules on an emulated host (docs/emulator.md "Locations").

The site's web.config is the one ASP.NET Core's publish step writes: everything inside
``<location path="." inheritInChildApplications="false">``. A child application does not inherit its rules,
so the rule module may add one of the same name there (the emulator used to refuse it as a duplicate), and
the info module of the application does not list the parent's rule. An undeclared element in the rewrite
group (``<rewrite><foo/>``) makes IIS refuse the file: the task fails, nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory
from winhost import Host
from winhost.iis import add_application

HOST = "emulated-server2022"
VENV_LIST = venvs()
SITE_CONFIG = "C/inetpub/wwwroot/web.config"
APP_CONFIG = "C/apps/app/web.config"
PUBLISHED = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <location path="." inheritInChildApplications="false">
    <system.webServer>
      <handlers>
        <add name="aspNetCore" path="*" verb="*" modules="AspNetCoreModuleV2" resourceType="Unspecified" />
      </handlers>
      <aspNetCore processPath="dotnet" arguments=".\\site.dll" stdoutLogEnabled="false" hostingModel="inprocess" />
      <rewrite>
        {extra}<rules>
          <rule name="spa" stopProcessing="true">
            <match url=".*" />
            <action type="Rewrite" url="/index.html" />
          </rule>
        </rules>
      </rewrite>
    </system.webServer>
  </location>
</configuration>
"""
TASKS = """
    - name: The application's own spa rule
      winflask.iis.rewrite_rule:
        site: Default Web Site
        application: /app
        name: spa
        stop_processing: true
        match:
          url: .*
        action:
          type: Rewrite
          url: /app/index.html
      register: added
    - name: The application's rules
      winflask.iis.rewrite_rule_info:
        site: Default Web Site
        application: /app
      register: info
    - name: What IIS would show
      ansible.builtin.assert:
        that:
          - info.rules | map(attribute='name') | list == ['spa']
          - info.rules[0].action.url == '/app/index.html'
"""


def setup(venv: Path, tmp_path: Path, extra: str = "") -> Path:
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    add_application(host, "Default Web Site", "/app", "C:\\apps\\app")
    (root / SITE_CONFIG).write_bytes(PUBLISHED.format(extra=extra).encode("utf-8"))
    (root / "calls.jsonl").unlink(missing_ok=True)
    return root


def play(tmp_path: Path) -> Path:
    book = tmp_path / "play.yml"
    book.write_text(f"---\n- name: locations\n  hosts: windows\n  gather_facts: false\n  tasks:{TASKS}",
                    encoding="utf-8")
    return book


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_child_application_of_a_published_site_gets_its_own_rule(venv: Path, tmp_path: Path) -> None:
    root = setup(venv, tmp_path)
    site_before = (root / SITE_CONFIG).read_bytes()
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    env = ansible_env(venv, root, tmp_path)
    first = run_playbook(venv, play(tmp_path), inventory, env)
    assert first.rc == 0, first.failure_report()
    assert first.recap[HOST]["changed"] == 1
    assert (root / SITE_CONFIG).read_bytes() == site_before
    assert 'url="/app/index.html"' in (root / APP_CONFIG).read_text(encoding="utf-8")
    again = run_playbook(venv, play(tmp_path), inventory, env)
    assert again.rc == 0 and again.recap[HOST]["changed"] == 0, again.failure_report()


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_undeclared_element_in_the_rewrite_group_fails_without_a_write(venv: Path, tmp_path: Path) -> None:
    root = setup(venv, tmp_path, extra="<foo />\n        ")
    before = snapshot(root)
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    result = run_playbook(venv, play(tmp_path), inventory, ansible_env(venv, root, tmp_path))
    assert result.rc != 0 and result.recap[HOST]["failed"] == 1
    report = " ".join(result.failure_report().split())  # the YAML callback folds long messages
    assert "'foo'" in report and "missing a section declaration" in report
    assert snapshot(root) == before
    assert [c["kind"] for c in read_calls(root) if c.get("script") == "config_apply"] == []
