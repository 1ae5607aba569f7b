"""nssm log files on the emulated host, in one playbook run: the creation disposition options of
winflask.iis.nssm_service (community.windows#536) and the rotated-log pruning tasks of docs/nssm.md
("Log files"), run exactly as the page shows them.

Measured on the host: truncate empties the old log at the start and leaves only this run's line, append
keeps the old text; the second task with the same options reports no change and makes no write; the
pruning deletes the rotated files older than two weeks and keeps the newer one and the live logs.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import yaml
from playbook_run import REPO, ansible_env, create_host, read_calls, run_playbook, venvs, write_inventory
from winhost import Host, nssm, services

HOST = "emulated-server2022"
VENV = venvs()[0]
APP = "C:\\apps\\myapp\\run_server.bat"
LOGS = "C:\\apps\\myapp\\logs"
OUT, ERR = f"{LOGS}\\stdout.log", f"{LOGS}\\stderr.log"
OLD_ROTATED = [f"{LOGS}\\stdout-20260101T000000.000.log", f"{LOGS}\\stderr-20260101T000000.000.log"]
NEW_ROTATED = f"{LOGS}\\stdout-20261130T000000.000.log"
UNRELATED = f"{LOGS}\\notes-old.txt"
OLD = b"line from the last run\r\n"


def doc_tasks() -> list[dict]:
    text = (REPO / "docs" / "nssm.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- prune-rotated-logs -->\n```yaml\n(.*?)```\n<!-- /prune-rotated-logs -->", text, re.S)
    assert block, "docs/nssm.md lost its prune-rotated-logs block"
    return yaml.safe_load(block.group(1))


def service(**options: str) -> dict:
    return {"name": "myapp", "application": APP, "stdout_file": OUT, "stderr_file": ERR, "state": "started",
            **options}


def test_creation_disposition_and_documented_pruning(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    host = Host(root)
    host.write_bytes("C:\\Program Files\\nssm\\nssm.exe", nssm.fake_exe())
    host.write_bytes(APP, b"@echo off\r\npython run_server.py\r\n")
    two_weeks_ago = time.time() - 15 * 86400
    for path in (OUT, ERR, *OLD_ROTATED, NEW_ROTATED, UNRELATED):
        host.write_bytes(path, OLD)
    for path in (*OLD_ROTATED, UNRELATED):
        os.utime(host.local_path(path), (two_weeks_ago, two_weeks_ago))
    tasks = [
        {"name": "stdout truncated, stderr appended", "winflask.iis.nssm_service":
            service(stdout_creation_disposition="truncate", stderr_creation_disposition="append"),
         "register": "first"},
        {"name": "Same again", "winflask.iis.nssm_service":
            service(stdout_creation_disposition="truncate", stderr_creation_disposition="append"),
         "register": "again"},
        {"name": "The second task changes nothing", "ansible.builtin.assert": {"that": [
            "first is changed", "again is not changed",
            "again.service.stdout_creation_disposition == 'truncate'",
            "again.service.stderr_creation_disposition == 'append'"]}},
        *doc_tasks(),
    ]
    playbook = tmp_path / "logs.yml"
    playbook.write_text(json.dumps([{"name": "logs", "hosts": "windows", "gather_facts": False, "tasks": tasks}]),
                        encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    result = run_playbook(VENV, playbook, inventory, ansible_env(VENV, root, tmp_path))
    assert result.rc == 0, result.failure_report()

    record = services.get(host, "myapp")
    assert record["status"] == services.RUNNING
    assert record["parameters"]["AppStdoutCreationDisposition"] == 2
    assert "AppStderrCreationDisposition" not in record["parameters"]  # the default: nssm keeps no value
    assert host.read_bytes(OUT) == f"winhost: started {APP}\r\n".encode()   # the old line is gone
    assert host.read_bytes(ERR) == OLD                                     # appended to (nothing new)
    applies = [c for c in read_calls(root) if c.get("script") == "nssm_apply"]
    assert len(applies) == 1  # the second task wrote nothing
    assert not any(host.exists(p) for p in OLD_ROTATED)
    assert host.exists(NEW_ROTATED) and host.exists(UNRELATED) and host.exists(OUT) and host.exists(ERR)
