"""IIS shared configuration through whole playbooks on the emulated host (issue 9, item 13).

``redirection.config`` with ``<configurationRedirection enabled="true" path="D:\\SharedConfig">`` moves
applicationHost.config: arr_proxy_info reads the shared file, arr_proxy writes and backs up the shared file and
leaves the local one alone. A redirection to a share the connection cannot open (every UNC path on the emulated
host) fails the task with SharedConfiguration naming the file; nothing is written and no write is logged
(docs/powershell.md "Shared configuration", docs/emulator.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playbook_run import create_host, read_calls, run_tasks, venvs

HOST = "emulated-server2022"
CONFIG_DIR = "C/Windows/System32/inetsrv/config"
LOCAL = f"{CONFIG_DIR}/applicationHost.config"
SHARED = "D/SharedConfig/applicationHost.config"
VENV_LIST = venvs()


def redirect(root: Path, path: str) -> None:
    (root / CONFIG_DIR / "redirection.config").write_bytes((
        '<configuration>\r\n    <configSections>\r\n        <section name="configurationRedirection" />\r\n'
        f'    </configSections>\r\n    <configurationRedirection enabled="true" path="{path}" />\r\n'
        '</configuration>\r\n').encode())


def run(venv: Path, root: Path, tmp_path: Path) -> dict:
    """Read, write, read again: the three results by name."""
    tasks = [("arr_proxy_info", {}), ("arr_proxy", {"enabled": True, "timeout": 300}), ("arr_proxy_info", {})]
    return dict(zip(("before", "written", "after"), run_tasks(venv, root, tmp_path, tasks, HOST), strict=True))


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "calls.jsonl" and p.suffix != ".lock"}


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_the_redirected_file_is_read_written_and_backed_up(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    local = (root / LOCAL).read_bytes()
    (root / SHARED).parent.mkdir(parents=True)
    (root / SHARED).write_bytes(local.replace(b"<system.webServer>", b'<system.webServer>\r\n'
                                              b'        <proxy enabled="false" timeout="00:00:45" />', 1))
    shared = (root / SHARED).read_bytes()
    redirect(root, "D:\\SharedConfig")
    result = run(venv, root, tmp_path)
    assert result["before"]["proxy"]["timeout"] == 45  # the shared file's value
    assert result["written"]["changed"] is True
    [backup] = result["written"]["backups"]
    assert backup.endswith("\\D\\SharedConfig\\applicationHost.config")
    assert result["after"]["proxy"]["enabled"] is True and result["after"]["proxy"]["timeout"] == 300
    assert (root / LOCAL).read_bytes() == local
    assert (root / SHARED).read_bytes() != shared
    [write] = [c for c in read_calls(root) if c.get("script") == "config_apply"]
    assert list(write["request"]["fingerprint"]) == ["D:\\SharedConfig\\applicationHost.config"]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_an_unreachable_share_fails_naming_the_file_and_writes_nothing(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    redirect(root, "\\\\fileserver\\iisconfig")
    before = digests(root)
    result = run(venv, root, tmp_path)
    for name in ("before", "written", "after"):
        task = result[name]
        assert task["failed"] is True and task.get("changed") is False, task
        assert "SharedConfiguration" in task["msg"], task["msg"]
        assert "\\\\fileserver\\iisconfig\\applicationHost.config" in task["msg"], task["msg"]
    assert digests(root) == before
    assert not [c for c in read_calls(root) if c.get("kind") == "write"]
