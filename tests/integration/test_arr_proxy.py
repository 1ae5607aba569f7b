"""winflask.iis.arr_proxy on an emulated host, checked on the host itself: XML, files, call log.

- a change is one config_read and one config_apply; a second run one read and no write;
- check mode and bad input leave every file of the host byte-identical and send no write;
- without ARR installed the task fails with "Install ARR first" and nothing is written.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"

ENABLE = """
    - name: Enable the proxy
      winflask.iis.arr_proxy:
        enabled: true
        timeout: 300
        http_version: http11
        include_port_in_x_forwarded_for: false
"""


def write_playbook(path: Path, tasks: str) -> Path:
    path.write_text(f"---\n- name: arr_proxy test\n  hosts: windows\n  gather_facts: false\n  tasks:{tasks}",
                    encoding="utf-8")
    return path


def play(venv: Path, root: Path, tmp_path: Path, tasks: str, *extra: str):
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    book = write_playbook(tmp_path / "play.yml", tasks)
    return run_playbook(venv, book, inventory, ansible_env(venv, root, tmp_path), list(extra))


def scripts(calls: list[dict]) -> list[tuple[str, str]]:
    return [(c.get("script"), c.get("kind")) for c in calls]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_enable_round_trips_and_idempotence(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    first = play(venv, root, tmp_path, ENABLE)
    assert first.rc == 0, first.failure_report()
    assert scripts(read_calls(root)) == [("config_read", "read"), ("config_apply", "write")]
    proxy = ET.parse(root / APPHOST).getroot().find("system.webServer/proxy")
    assert proxy.attrib == {"enabled": "true", "timeout": "00:05:00", "httpVersion": "Http11",
                            "includePortInXForwardedFor": "false"}
    backups = list((root / "C/ProgramData/winflask/backup").rglob("applicationHost.config"))
    assert len(backups) == 1

    before = snapshot(root)
    count = len(read_calls(root))
    second = play(venv, root, tmp_path, ENABLE)
    assert second.rc == 0 and second.recap[HOST]["changed"] == 0, second.failure_report()
    assert scripts(read_calls(root)[count:]) == [("config_read", "read")]
    assert snapshot(root) == before


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_check_mode_and_bad_input_write_nothing(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    before = snapshot(root)
    checked = play(venv, root, tmp_path, ENABLE, "--check", "--diff")
    assert checked.rc == 0 and checked.recap[HOST]["changed"] == 1, checked.failure_report()
    assert "+enabled: true" in checked.stdout and "-enabled: false" in checked.stdout
    bad = play(venv, root, tmp_path, """
    - name: Out of range
      winflask.iis.arr_proxy:
        enabled: true
        response_buffer_limit: 5000000
""")
    assert bad.rc != 0
    assert "response_buffer_limit must be between 0 and 4194303 (KB), got 5000000" in bad.stdout
    assert snapshot(root) == before
    assert all(c.get("kind") != "write" for c in read_calls(root))


@pytest.mark.parametrize("venv", VENV_LIST[:1], ids=[v.name for v in VENV_LIST[:1]])
def test_without_arr_or_iis_the_error_says_what_to_install(venv: Path, tmp_path: Path) -> None:
    from winhost.host import Host
    from winhost.iis import uninstall_arr

    root = create_host(venv, tmp_path / "host")
    uninstall_arr(Host(root))  # IIS and URL Rewrite stay, as after removing only ARR's MSI
    before = snapshot(root)
    run = play(venv, root, tmp_path, ENABLE)
    assert run.rc != 0
    assert "Application Request Routing (ARR) is not installed" in run.stdout
    assert "Install ARR first" in run.stdout
    assert snapshot(root) == before

    bare = create_host(venv, tmp_path / "bare", bare=True)
    before = snapshot(bare)
    run = play(venv, bare, tmp_path, ENABLE)
    assert run.rc != 0
    assert "IIS is not installed on the host: run winflask.iis.iis_features first" in run.stdout
    assert snapshot(bare) == before
