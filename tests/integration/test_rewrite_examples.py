"""The EXAMPLES of the URL Rewrite modules run, as written, against an emulated host.

The examples of server_variable, rewrite_rule, rewrite_rule_info, rewrite_rules,
server_variable_info and rewrite_rule_test are played in that order in one play (a "Staging" site exists for the copy
example); every task must succeed, and the brief's proxy rule must be on the host at the end.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from playbook_run import REPO, ansible_env, create_host, run_playbook, venvs, write_inventory

MODULES = ("server_variable", "rewrite_rule", "rewrite_rule_info", "rewrite_rules", "server_variable_info",
           "rewrite_rule_test")
HOST = "emulated-server2022"
VENV_LIST = venvs()


def examples(module: str) -> list[dict]:
    tree = ast.parse((REPO / "plugins" / "modules" / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXAMPLES" for t in node.targets):
            tasks = yaml.safe_load(node.value.value)
            assert isinstance(tasks, list) and tasks, f"{module}: EXAMPLES is not a task list"
            return tasks
    raise AssertionError(f"{module}: no EXAMPLES")


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_examples_run_on_the_emulated_host(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    sys.path.insert(0, str(REPO / "tests" / "emulator"))
    from winhost import iis
    from winhost.host import Host

    iis.add_site(Host(root), "Staging", 2, "C:\\inetpub\\staging")
    tasks = [task for module in MODULES for task in examples(module)]
    book = tmp_path / "examples.yml"
    book.write_text(yaml.safe_dump([{"name": "module examples", "hosts": "windows", "gather_facts": False,
                                     "tasks": tasks}], sort_keys=False), encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    run = run_playbook(venv, book, inventory, ansible_env(venv, root, tmp_path))
    assert run.rc == 0, run.failure_report()
    assert run.recap[HOST]["ok"] == len(tasks), run.stdout[-3000:]

    names = [r.get("name") for r in ET.parse(root / "C/inetpub/wwwroot/web.config").getroot()
             .findall("system.webServer/rewrite/rules/rule")]
    assert "ReverseProxyInboundRule1" in names
    staging = ET.parse(root / "C/inetpub/staging/web.config").getroot()
    assert [r.get("name") for r in staging.findall("system.webServer/rewrite/rules/rule")] == names
