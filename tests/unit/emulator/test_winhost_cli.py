"""python -m winhost create / calls / show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from winhost import Host
from winhost_helpers import APPHOST_FILE


def winhost(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "winhost", *args], capture_output=True, text=True, check=False)


def test_create_show_and_calls(tmp_path: Path) -> None:
    root = tmp_path / "h"
    done = winhost("create", "--profile", "win11", "--root", str(root))
    assert done.returncode == 0, done.stderr
    host = Host(root)
    assert host.exists(APPHOST_FILE) and host.load_state()["os"]["product_type"] == 1
    summary = json.loads(winhost("show", "--root", str(root)).stdout)
    assert summary["profile"] == "win11" and summary["iis"]["installed"] is True
    assert summary["sites"][0]["name"] == "Default Web Site" and summary["calls"] == 0
    host.log_call("ansible.windows.win_powershell", "config_read", {"reads": []}, True, "read")
    lines = winhost("calls", "--root", str(root)).stdout.splitlines()
    assert lines == ["read    ansible.windows.win_powershell config_read check_mode"]
    assert json.loads(winhost("calls", "--root", str(root), "--json").stdout)["script"] == "config_read"


def test_create_bare_refuses_existing_unless_forced(tmp_path: Path) -> None:
    root = tmp_path / "h"
    assert winhost("create", "--root", str(root), "--bare").returncode == 0
    assert not Host(root).exists(APPHOST_FILE)
    again = winhost("create", "--root", str(root))
    assert again.returncode == 1 and "not empty" in again.stderr
    assert winhost("create", "--root", str(root), "--force").returncode == 0
    assert Host(root).exists(APPHOST_FILE)
