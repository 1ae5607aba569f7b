"""What running the integration targets on a real Windows host relies on (docs/testing.md).

- every target is a Windows target for ansible-test (alias ``windows``), and every target that
  changes the host carries ``destructive``, so ``ansible-test windows-integration`` leaves it out on
  an inventory host unless asked (``--allow-destructive``); a target without it only reads;
- docs/testing.md's table says what each target starts from and changes: every target has a row;
- tests/integration/inventory.winrm.template is an inventory ansible reads, with the host in group
  ``windows``, and each of its three connection blocks (WinRM, PSRP, SSH) works on its own.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playbook_run import INTEGRATION, REPO, TARGETS, venv_bin, venvs
from test_targets import aliases, runnable_targets

TEMPLATE = INTEGRATION / "inventory.winrm.template"
TESTING_DOC = REPO / "docs" / "testing.md"
MODULE_USE = re.compile(r"^\s*(?:- )?winflask\.iis\.(\w+):", re.MULTILINE)
# the connection settings each block of the template must give
BLOCKS = {
    "winrm": {"ansible_connection": "winrm", "ansible_port": 5986, "ansible_winrm_transport": "ntlm"},
    "psrp": {"ansible_connection": "psrp", "ansible_port": 5986, "ansible_psrp_protocol": "https"},
    "ssh": {"ansible_connection": "ssh", "ansible_port": 22, "ansible_shell_type": "powershell"},
}


def modules_used(target: Path) -> set[str]:
    return {name for tasks in (target / "tasks").glob("*.yml")
            for name in MODULE_USE.findall(tasks.read_text(encoding="utf-8"))}


def test_targets_are_windows_targets_and_destructive_unless_they_only_read() -> None:
    targets = runnable_targets()
    assert targets, f"no targets under {TARGETS}"
    for target in targets:
        names = aliases(target)
        assert "windows" in names, f"{target.name}: ansible-test finds Windows targets by the alias 'windows'"
        if "destructive" not in names:
            writes = sorted(name for name in modules_used(target) if not name.endswith("_info"))
            assert not writes and modules_used(target), (
                f"{target.name} uses {writes or 'no winflask.iis module'} but has no 'destructive' alias: "
                "ansible-test would run it on any inventory host without --allow-destructive")


def test_testing_doc_says_what_each_target_changes() -> None:
    rows = set(re.findall(r"^\| `(\w+)` \|", TESTING_DOC.read_text(encoding="utf-8"), re.MULTILINE))
    missing = sorted(t.name for t in runnable_targets() if t.name not in rows)
    assert not missing, f"docs/testing.md has no row for the targets {missing}"


def block_variant(text: str, keep: str) -> str:
    """The template with only the connection block ``keep`` switched on."""
    out, block = [], None
    for line in text.splitlines():
        header = re.match(r"# --- \d\. .*?\(ansible\.builtin\.(\w+)|# --- \d\. (SSH)", line)
        if header:
            block = (header.group(1) or header.group(2)).lower()
        setting = re.match(r"^(# )?(ansible_\w+=.*)$", line)
        if block and setting and not setting.group(2).startswith(("ansible_ssh_private_key_file",)):
            line = setting.group(2) if block == keep else f"# {setting.group(2)}"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_inventory_template_connection_blocks(block: str, tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    inventory = tmp_path / "inventory.winrm"
    inventory.write_text(text if block == "winrm" else block_variant(text, block), encoding="utf-8")
    venv = venvs()[0]
    done = subprocess.run([str(venv_bin(venv, "ansible-inventory")), "-i", str(inventory), "--list"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "[WARNING]" not in done.stderr, done.stderr
    listing = json.loads(done.stdout)
    hosts = listing["windows"]["hosts"]
    assert len(hosts) == 1, listing
    host_vars = listing["_meta"]["hostvars"][hosts[0]]
    assert {key: host_vars.get(key) for key in BLOCKS[block]} == BLOCKS[block], host_vars
    assert host_vars["ansible_user"] and host_vars["ansible_password"]
