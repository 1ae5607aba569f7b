"""The stand-in ansible.windows.win_powershell: dispatch, check mode, result shape, call log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from winhost import Host
from winhost.scripts import registered
from winhost.win_powershell import execute, script_name, supports_should_process
from winhost_helpers import APPHOST_FILE, attrs, read

REPO = Path(__file__).resolve().parents[3]
STANDIN = REPO / "tests" / "emulator" / "collections"
READ_SCRIPT = "# winflask.iis target script\n# winflask-script: config_read\n[CmdletBinding(SupportsShouldProcess)]\n" \
              "param([Parameter(Mandatory = $true)][string]$Request)\n"
WRITE_SCRIPT = "# winflask.iis target script\n# winflask-script: config_apply\n[CmdletBinding()]\n" \
               "param([Parameter(Mandatory = $true)][string]$Request)\n"
PROXY_READ = {"reads": [{"section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]}
PROXY_ON = {"operations": [{"op": "set", "section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST",
                            "location": "", "path": [], "attributes": {"enabled": True}}]}


def call(host: Host, script: str, request: dict | str | None, check_mode: bool = False, **params: object) -> dict:
    parameters = None if request is None else {"Request": request if isinstance(request, str) else json.dumps(request)}
    return execute(host, {"script": script, "parameters": parameters, **params}, check_mode)


@pytest.mark.parametrize(("text", "expected"), [
    ("[CmdletBinding(SupportsShouldProcess)]\nparam()", True),
    ("[CmdletBinding(SupportsShouldProcess=$true)]\nparam()", True),
    ("[cmdletbinding(DefaultParameterSetName='x', supportsshouldprocess)]\nPARAM ()", True),
    ("[CmdletBinding(SupportsShouldProcess=$false)]\nparam()", False),
    ("[CmdletBinding()]\nparam()", False),
    ("param()\n[CmdletBinding(SupportsShouldProcess)]", False),  # not on the param block
    ("# [CmdletBinding(SupportsShouldProcess)]\nparam()", False),
    ("<#\n[CmdletBinding(SupportsShouldProcess)]\n#>\nparam()", False),
])
def test_supports_should_process(text: str, expected: bool) -> None:
    assert supports_should_process(text) is expected


def test_repository_scripts_match_their_registered_kind() -> None:
    scripts = registered()
    assert {"config_read", "config_apply", "host_facts"} <= set(scripts)
    for path in sorted((REPO / "powershell").glob("*.ps1")):
        text = path.read_text(encoding="utf-8-sig")
        name = script_name(text)
        assert name == path.stem, f"{path.name}: marker {name!r}"
        if name in scripts:
            assert supports_should_process(text) is (scripts[name].kind == "read"), path.name


def test_read_returns_json_string_and_is_logged(host: Host) -> None:
    result = call(host, READ_SCRIPT, PROXY_READ)
    assert result["changed"] is False and "failed" not in result
    assert result["output"] == [] and result["error"] == [] and result["host_out"] == ""
    payload = json.loads(result["result"])
    assert attrs(payload["sections"][0]["element"])["enabled"] is False
    assert host.calls()[-1] | {"time": 0} == {
        "module": "ansible.windows.win_powershell", "script": "config_read", "request": PROXY_READ,
        "check_mode": False, "kind": "read", "changed": False, "failed": False, "error": None, "time": 0}


def test_write_changes_host_and_reports_changed(host: Host) -> None:
    result = call(host, WRITE_SCRIPT, PROXY_ON)
    assert result["changed"] is True and json.loads(result["result"])["changed"] is True
    assert attrs(read(host, "system.webServer/proxy")["element"])["enabled"] is True
    assert call(host, WRITE_SCRIPT, {"operations": []})["changed"] is False
    assert [(c["kind"], c["changed"]) for c in host.calls()] == [("write", True), ("write", False)]


def test_check_mode_skips_script_without_should_process(host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    result = call(host, WRITE_SCRIPT, PROXY_ON, check_mode=True)
    # exactly what win_powershell.ps1 returns for a skipped script
    assert result == {"changed": True, "msg": "skipped, running in check mode", "result": {}, "host_out": "",
                      "host_err": "", "output": [], "error": [], "warning": [], "verbose": [], "debug": [],
                      "information": []}
    assert host.read_bytes(APPHOST_FILE) == before
    assert host.calls()[-1]["kind"] == "skipped" and host.calls()[-1]["check_mode"] is True


def test_check_mode_runs_read_scripts(host: Host) -> None:
    result = call(host, READ_SCRIPT, PROXY_READ, check_mode=True)
    assert result["changed"] is False and json.loads(result["result"])["sections"]
    assert host.calls()[-1]["kind"] == "read" and host.calls()[-1]["check_mode"] is True


def test_script_error_comes_back_as_error_json(host: Host) -> None:
    request = {"operations": [{"op": "set", "section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST",
                               "location": "", "path": [], "attributes": {"nope": 1}}]}
    result = call(host, WRITE_SCRIPT, request)
    assert result["failed"] is True and result["changed"] is False and result["error"] == []
    error = json.loads(result["result"])["error"]
    assert error["code"] == "UnknownAttribute" and error["attribute"] == "nope" and error["operation"] == 0
    assert host.calls()[-1]["failed"] is True and host.calls()[-1]["error"] == "UnknownAttribute"


def test_unknown_marker_fails_like_a_powershell_exception(host: Host) -> None:
    script = "# winflask-script: no_such_script\nparam([string]$Request)\n"
    result = call(host, script, {})
    assert result["failed"] is True
    assert result["changed"] is True  # $Ansible.Changed starts as $true and an uncaught error leaves it so
    assert result["result"] == {}
    assert "no_such_script" in result["error"][0]["exception"]["message"]
    assert result["error"][0]["exception"]["type"] == "System.Management.Automation.RuntimeException"
    assert call(host, "Write-Output 'hi'", {})["failed"] is True  # no marker at all
    assert host.calls()[-2]["script"] == "no_such_script" and host.calls()[-2]["failed"] is True


def test_invalid_request_json_fails(host: Host) -> None:
    result = call(host, READ_SCRIPT, "{not json")
    assert result["failed"] is True and "ConvertFrom-Json" in result["error"][0]["exception"]["message"]


def test_creates_and_removes_are_checked_on_the_emulated_host(host: Host) -> None:
    result = call(host, WRITE_SCRIPT, PROXY_ON, creates="C:\\inetpub\\wwwroot\\iisstart.htm")
    assert result["changed"] is False and result["msg"] == "skipped, since C:\\inetpub\\wwwroot\\iisstart.htm exists"
    result = call(host, WRITE_SCRIPT, PROXY_ON, removes="C:\\nothing\\here")
    assert result["msg"] == "skipped, since C:\\nothing\\here does not exist"
    assert attrs(read(host, "system.webServer/proxy")["element"])["enabled"] is False


def test_mismatched_should_process_gives_a_warning(host: Host) -> None:
    result = call(host, READ_SCRIPT.replace("config_read", "config_apply"), PROXY_ON)
    assert any("SupportsShouldProcess" in w for w in result["warnings"])


# ---- through ansible-playbook (the way the collection's action plugins reach it) -------------------------------
PLAYBOOK = """
- hosts: win
  gather_facts: false
  tasks:
    - name: Read
      ansible.windows.win_powershell:
        script: "{{ read_script }}"
        parameters: {Request: "{{ read_request | to_json }}"}
      register: read
    - name: Write
      ansible.windows.win_powershell:
        script: "{{ write_script }}"
        parameters: {Request: "{{ write_request | to_json }}"}
      register: write
    - name: Save results
      ansible.builtin.copy:
        content: "{{ {'read': read, 'write': write} | to_json }}"
        dest: "{{ out }}"
      check_mode: false
"""


def run_playbook(tmp_path: Path, root: Path | None, check: bool) -> tuple[subprocess.CompletedProcess, dict | None]:
    (tmp_path / "inventory.yml").write_text(
        "all:\n  hosts:\n    win:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    out = tmp_path / "out.json"
    extra = {"read_script": READ_SCRIPT, "write_script": WRITE_SCRIPT, "read_request": PROXY_READ,
             "write_request": PROXY_ON, "out": str(out)}
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(STANDIN), "ANSIBLE_NOCOLOR": "1"}
    env.pop("WINFLASK_EMULATOR_ROOT", None)
    if root is not None:
        env["WINFLASK_EMULATOR_ROOT"] = str(root)
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(tmp_path / "inventory.yml"),
               str(tmp_path / "site.yml"), "-e", json.dumps(extra)] + (["--check"] if check else [])
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=tmp_path)
    return done, json.loads(out.read_text()) if out.exists() else None


def test_playbook_check_mode_writes_nothing(tmp_path: Path, host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    done, results = run_playbook(tmp_path, host.root, check=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert results is not None
    assert results["read"]["changed"] is False
    assert json.loads(results["read"]["result"])["sections"][0]["section"] == "system.webServer/proxy"
    assert results["write"]["changed"] is True and results["write"]["msg"] == "skipped, running in check mode"
    assert host.read_bytes(APPHOST_FILE) == before
    assert [(c["script"], c["kind"], c["check_mode"]) for c in host.calls()] == [
        ("config_read", "read", True), ("config_apply", "skipped", True)]


def test_playbook_run_changes_the_host(tmp_path: Path, host: Host) -> None:
    done, results = run_playbook(tmp_path, host.root, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert results is not None and results["write"]["changed"] is True
    assert attrs(read(host, "system.webServer/proxy")["element"])["enabled"] is True
    assert [(c["script"], c["kind"], c["changed"]) for c in host.calls()] == [
        ("config_read", "read", False), ("config_apply", "write", True)]


def test_playbook_without_emulator_root_fails_clearly(tmp_path: Path) -> None:
    done, _state = run_playbook(tmp_path, None, check=False)
    assert done.returncode != 0
    assert "WINFLASK_EMULATOR_ROOT is not set" in done.stdout


NSSM_APPLY = "# winflask.iis target script\n# winflask-script: nssm_apply\nparam(\n" \
             "    [Parameter(Mandatory = $true)]\n    [string]$Request,\n    [SecureString]$Password\n)\n"


def test_sensitive_parameters_reach_the_script_as_securestring_and_the_log_masks_them(host: Host):
    request = {"name": "nosuch", "executable": "C:\\nssm.exe", "commands": [], "control": None,
               "control_lines": {}, "rollback": [], "logs": []}
    sensitive = [{"name": "Password", "value": "Wq-5521-secret"}]
    result = call(host, NSSM_APPLY, request, sensitive_parameters=sensitive)
    assert not result.get("failed"), result
    log = host.calls_file.read_text(encoding="utf-8")
    assert "Wq-5521" not in log
    assert host.calls()[-1]["sensitive_parameters"] == [{"name": "Password", "value": "********"}]
    # a script that does not declare the parameter fails the way PowerShell binding fails
    refused = call(host, WRITE_SCRIPT, PROXY_ON, sensitive_parameters=sensitive)
    assert refused["failed"] is True
    assert "A parameter cannot be found that matches parameter name 'Password'" in refused["error"][0]["exception"][
        "message"]
    assert "Wq-5521" not in host.calls_file.read_text(encoding="utf-8")


def test_securestring_stand_in_never_prints_its_text():
    from winhost.win_powershell import PSCredential, SecureString, secure_values

    values = secure_values([{"name": "P", "value": "abc"}, {"name": "C", "username": "u", "password": "def"},
                            {"name": "N"}])
    assert set(values) == {"P", "C"} and values["P"].reveal() == "abc"
    assert isinstance(values["C"], PSCredential) and values["C"].password.reveal() == "def"
    assert "abc" not in f"{values['P']} {values['P']!r}"
    assert str(values["C"]) == "System.Management.Automation.PSCredential"
    assert isinstance(values["C"].password, SecureString)
