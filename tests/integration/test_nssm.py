"""The nssm role and winflask.iis.nssm_service on the emulated host, with round trips counted.

What is measured on the host (state.json, files, calls.jsonl), not only in ansible's summary:
- the brief's service (run_server.bat, logs folder, daily/1 MiB rotation) is installed and runs;
  a second run changes nothing, downloads nothing and makes one nssm_read per module task, no write;
- changing one setting is ONE nssm_apply call holding ONE nssm command, and only that registry value moves;
- check mode writes nothing (no nssm.exe, no service, no write call);
- a service that is not nssm's is refused, then replaced with take_over;
- the role installs from a path on the host (offline) without any download;
- without nssm the module fails saying to run the role, and the host is untouched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, venvs, write_inventory
from winhost import Host, nssm, services

HOST = "emulated-server2022"
VENV_LIST = venvs()
ZIP_SHA = hashlib.sha256(nssm.fake_zip()).hexdigest()
EXE_SHA = hashlib.sha256(nssm.fake_exe()).hexdigest()
APP = "C:\\apps\\myapp\\run_server.bat"

ROLE_VARS = {"nssm_checksum": ZIP_SHA, "nssm_exe_checksum": EXE_SHA}
SERVICE = {
    "name": "myapp", "application": APP, "state": "started",
    "stdout_file": "C:\\apps\\myapp\\logs\\stdout.log", "stderr_file": "C:\\apps\\myapp\\logs\\stderr.log",
    "rotate_files": True, "rotate_online": True, "rotate_seconds": 86400, "rotate_bytes": 1048576,
}


def play(tasks: list[dict[str, Any]], with_role: bool = True, role_vars: dict[str, Any] | None = None) -> str:
    """A playbook (JSON is YAML) for the emulated host: optionally the nssm role, then the tasks."""
    role = [{"name": "Install nssm", "ansible.builtin.include_role": {"name": "winflask.iis.nssm"},
             "vars": {**ROLE_VARS, **(role_vars or {})}}] if with_role else []
    app = [
        {"name": "App folder", "ansible.windows.win_file": {"path": "C:\\apps\\myapp\\logs", "state": "directory"}},
        {"name": "App", "ansible.windows.win_copy": {"dest": APP, "content": "@echo off\r\npython run_server.py\r\n"}},
    ]
    return json.dumps([{"name": "nssm", "hosts": "windows", "gather_facts": False,
                        "tasks": role + app + tasks}])


def service_task(**overrides: Any) -> dict[str, Any]:
    return {"name": "The app's service", "winflask.iis.nssm_service": {**SERVICE, **overrides},
            "register": "svc"}


def run(venv: Path, tmp_path: Path, root: Path, text: str, name: str, *extra: str):
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(text, encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    return run_playbook(venv, playbook, inventory, ansible_env(venv, root, tmp_path), list(extra))


def scripts(calls: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [c for c in calls if c.get("script") == name]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_brief_service_installs_runs_and_is_idempotent(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    text = play([service_task()])

    first = run(venv, tmp_path, root, text, "first")
    assert first.rc == 0, first.failure_report()
    record = services.get(host, "myapp")
    assert record is not None and record["status"] == services.RUNNING
    assert record["values"]["ObjectName"] == "NT SERVICE\\myapp"
    assert record["parameters"]["AppRotateBytes"] == 1048576 and record["parameters"]["AppRotateSeconds"] == 86400
    assert record["parameters"]["AppRotateFiles"] == 1 and record["parameters"]["AppRotateOnline"] == 1
    assert "AppThrottle" not in record["parameters"]  # nssm defaults are not written
    assert host.exists("C:\\apps\\myapp\\logs\\stdout.log")
    assert host.sha256("C:\\Program Files\\nssm\\nssm.exe") == EXE_SHA
    assert "C:\\Program Files\\nssm" in host.load_state()["environment"]["Path"].split(";")
    calls = read_calls(root)
    assert len(scripts(calls, "nssm_read")) == 1 and len(scripts(calls, "nssm_apply")) == 1
    assert [d for c in calls for d in c.get("downloads", [])] == ["https://nssm.cc/ci/nssm-2.24-101-g897c7ad.zip"]

    second = run(venv, tmp_path, root, text, "second")
    assert second.rc == 0, second.failure_report()
    assert second.recap[HOST]["changed"] == 0, second.stdout[-4000:]
    new = read_calls(root)[len(calls):]
    assert [c for c in new if c["kind"] == "write"] == []
    assert [d for c in new for d in c.get("downloads", [])] == []
    assert len(scripts(new, "nssm_read")) == 1 and scripts(new, "nssm_apply") == []

    before = services.get(host, "myapp")
    third = run(venv, tmp_path, root, play([service_task(rotate_bytes=2097152)], with_role=False), "one")
    assert third.rc == 0, third.failure_report()
    applies = scripts(read_calls(root)[len(calls) + len(new):], "nssm_apply")
    assert len(applies) == 1
    assert [c["label"] for c in applies[0]["request"]["commands"]] == ["set myapp AppRotateBytes"]
    after = services.get(host, "myapp")
    changed = {k for k in set(before["parameters"]) | set(after["parameters"])
               if before["parameters"].get(k) != after["parameters"].get(k)}
    assert changed == {"AppRotateBytes"} and after["parameters"]["AppRotateBytes"] == 2097152
    assert after["values"] == before["values"] and after["status"] == services.RUNNING


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    # nssm is installed for real, then the service task runs in check mode.
    text = play([{**service_task(), "check_mode": True},
                 {"name": "Check", "ansible.builtin.assert": {"that": ["svc is changed",
                                                                       "svc.service.rotate_bytes == 1048576"]}}])
    result = run(venv, tmp_path, root, text, "check")
    assert result.rc == 0, result.failure_report()
    calls = read_calls(root)
    assert services.get(host, "myapp") is None
    assert len(scripts(calls, "nssm_read")) == 1 and scripts(calls, "nssm_apply") == []
    assert all(c["check_mode"] for c in scripts(calls, "nssm_read"))

    fresh = create_host(venv, tmp_path / "fresh")
    whole = run(venv, tmp_path, fresh, play([]), "whole-check", "--check")
    assert whole.rc == 0, whole.failure_report()
    assert [c for c in read_calls(fresh) if c["kind"] == "write"] == []
    assert not Host(fresh).exists("C:\\Program Files\\nssm\\nssm.exe")
    assert not Host(fresh).exists("C:\\ProgramData\\winflask\\downloads")


def test_foreign_service_is_refused_then_taken_over(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    services.create(host, "myapp", "C:\\Windows\\system32\\svchost.exe -k netsvcs", "Old service")
    refused = run(venv, tmp_path, root, play([
        {**service_task(), "ignore_errors": True},
        {"name": "Refused", "ansible.builtin.assert": {"that": [
            "svc is failed", "'is not an nssm service' in svc.msg", "'take_over=true' in svc.msg"]}}]), "refuse")
    assert refused.rc == 0, refused.failure_report()
    assert services.get(host, "myapp")["values"]["DisplayName"] == "Old service"
    assert scripts(read_calls(root), "nssm_apply") == []

    taken = run(venv, tmp_path, root, play([service_task(take_over=True)]), "take")
    assert taken.rc == 0, taken.failure_report()
    record = services.get(host, "myapp")
    assert record["values"]["ImagePath"].strip('"').endswith("nssm.exe") and record["status"] == services.RUNNING


def test_role_installs_from_a_path_on_the_host_without_download(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    host.write_bytes("C:\\share\\nssm-2.24-101-g897c7ad.zip", nssm.fake_zip())
    text = play([], role_vars={"nssm_source": "C:\\share\\nssm-2.24-101-g897c7ad.zip"})
    result = run(venv, tmp_path, root, text, "offline")
    assert result.rc == 0, result.failure_report()
    assert host.sha256("C:\\Program Files\\nssm\\nssm.exe") == EXE_SHA
    assert [d for c in read_calls(root) for d in c.get("downloads", [])] == []


def test_without_nssm_the_module_says_to_run_the_role(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    result = run(venv, tmp_path, root, play([
        {**service_task(), "ignore_errors": True},
        {"name": "Failed clearly", "ansible.builtin.assert": {"that": [
            "svc is failed", "'run the winflask.iis.nssm role first' in svc.msg"]}}], with_role=False), "nonssm")
    assert result.rc == 0, result.failure_report()
    calls = read_calls(root)
    assert len(scripts(calls, "nssm_read")) == 1 and scripts(calls, "nssm_apply") == []
    assert services.get(Host(root), "myapp") is None


PASSWORD = "Winflask-Pw-7f3e9a1c"
SECRETS = ["Winflask-Env-1a7c55", "Winflask-Env-2b8d66", "Winflask-Env-3c9e77"]
FAILING_APP = "C:\\apps\\myapp\\crash.bat"


def host_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_password_is_in_no_output_log_or_host_file(tmp_path: Path) -> None:
    """-vvv, --diff, a second run with update_password=always and a start failure: the password appears
    in none of ansible's output, the call log or any file of the emulated host."""
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    services.add_account(host, "CORP\\svc", PASSWORD, ["SeServiceLogonRight"])
    host.write_bytes(FAILING_APP, b"@echo off\r\nrem winhost: stderr boom\r\nrem winhost: exit 1\r\n")
    account = {"username": "CORP\\svc", "password": PASSWORD}
    runs = [
        run(venv, tmp_path, root, play([service_task(**account)]), "install", "-vvv", "--diff"),
        run(venv, tmp_path, root, play([service_task(**account, update_password="always")], with_role=False),
            "again", "-vvv", "--diff"),
        run(venv, tmp_path, root, play([{**service_task(**account, application=FAILING_APP,
                                                        update_password="always"), "ignore_errors": True},
                                        {"name": "Failed", "ansible.builtin.assert": {"that": [
                                            "svc is failed", "'StartFailed' in svc.msg"]}}], with_role=False),
            "fails", "-vvv", "--diff"),
    ]
    for result in runs:
        assert result.rc == 0, result.failure_report()
        assert PASSWORD not in result.stdout and PASSWORD not in result.stderr
    assert "boom" in runs[2].stdout  # the failure path did run and report the log tail
    record = services.get(host, "myapp")
    assert record["values"]["ObjectName"] == "CORP\\svc" and record["status"] == services.RUNNING
    applies = scripts(read_calls(root), "nssm_apply")
    assert len(applies) == 3
    assert all([(p["name"], p["value"]) for p in c["sensitive_parameters"]] == [("Password", "********")]
               for c in applies)
    leaks = [name for name, data in host_files(root).items() if PASSWORD.encode() in data
             or PASSWORD.encode("utf-16-le") in data]
    assert leaks == []


def test_bad_service_name_and_environment_line_break_change_nothing(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    installed = run(venv, tmp_path, root, play([service_task(environment={"A": "1"})]), "install")
    assert installed.rc == 0, installed.failure_report()
    before, calls = host_files(root), read_calls(root)
    bad = [({"name": "my/app"}, ["'name must not contain' in svc.msg", "'my/app' in svc.msg"]),
           ({"name": "my\\app"}, ["'name must not contain' in svc.msg"]),
           ({"environment": {"A": "1\r\nB=2"}}, ["'environment.A' in svc.msg", "'U+000D' in svc.msg"]),
           ({"environment": {"A=B": "1"}}, ["'environment names' in svc.msg", "'A=B' in svc.msg"]),
           ({"arguments": ['a" & whoami > C:\\x.txt & "b']},
            ["'arguments[0]' in svc.msg", "'batch file' in svc.msg"]),
           ({"environment": {"TOKEN": "1"}, "secret_environment": {"token": SECRETS[0]}},
            ["'secret_environment and environment both name the variable' in svc.msg", "\"'token'\" in svc.msg"])]
    tasks = []
    for overrides, checks in bad:
        tasks += [{**service_task(**overrides), "ignore_errors": True},
                  {"name": f"Refused {sorted(overrides)}",  # option names only: no value in the output
                   "ansible.builtin.assert": {"that": ["svc is failed", *checks]}}]
    refused = run(venv, tmp_path, root, play(tasks, with_role=False), "bad", "-vvv")
    assert refused.rc == 0, refused.failure_report()
    assert SECRETS[0] not in refused.stdout and SECRETS[0] not in refused.stderr
    new = read_calls(root)[len(calls):]  # the play's app folder/file tasks call too; the service tasks do not
    assert [c for c in new if c.get("script")] == [] and [c for c in new if c.get("changed")] == []
    after = host_files(root)
    assert {k: v for k, v in after.items() if k != "calls.jsonl"} == {k: v for k, v in before.items()
                                                                      if k != "calls.jsonl"}
    assert services.get(Host(root), "myapp")["parameters"]["AppEnvironmentExtra"] == ["A=1"]


def env_value(root: Path) -> list[str]:
    """AppEnvironmentExtra as nssm reads it at the service's start (the emulated registry value)."""
    host = Host(root)
    return services.parameters(host, services.get(host, "myapp"))["AppEnvironmentExtra"]


def test_secret_environment_is_in_no_output_log_or_host_file_and_compared_by_hash(tmp_path: Path) -> None:
    """secret_environment at -vvv --diff: install, the same again (no change, no write), check mode with a new
    value (changed, no write), the new value (one write), a start failure (rolled back): no value in any
    output, the call log or any host file but the emulated registry value itself."""
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host")
    host = Host(root)
    host.write_bytes(FAILING_APP, b"@echo off\r\nrem winhost: stderr boom\r\nrem winhost: exit 1\r\n")

    def task(secret: str, **extra: Any) -> dict[str, Any]:
        return service_task(environment={"A": "1"}, secret_environment={"TOKEN": secret}, **extra)

    def checked(name: str, tasks: list[dict[str, Any]], *extra: str, role: bool = False):
        result = run(venv, tmp_path, root, play(tasks, with_role=role), name, "-vvv", "--diff", *extra)
        assert result.rc == 0, result.failure_report()
        for secret in SECRETS:
            assert secret not in result.stdout and secret not in result.stderr, name
        return result

    first = checked("install", [task(SECRETS[0])], role=True)
    assert env_value(root) == ["A=1", f"TOKEN={SECRETS[0]}"]
    assert "TOKEN: (secret, changed)" in first.stdout
    calls = read_calls(root)

    same = checked("same", [task(SECRETS[0])])
    assert same.recap[HOST]["changed"] == 0, same.stdout[-4000:]
    new = read_calls(root)[len(calls):]
    assert len(scripts(new, "nssm_read")) == 1 and scripts(new, "nssm_apply") == []
    assert [(p["name"], p["value"]) for p in scripts(new, "nssm_read")[0]["sensitive_parameters"]] == \
        [("DigestKey", "********")]
    assert scripts(new, "nssm_read")[0]["request"]["secret_names"] == ["TOKEN"]

    files = host_files(root)
    calls = read_calls(root)
    # tasks that do not name TOKEN (only environment; not the environment at all): its value stays on the host
    check = checked("check", [{**task(SECRETS[1]), "check_mode": True},
                              {"name": "Would change", "ansible.builtin.assert": {"that": [
                                  "svc is changed", "svc.service.environment.TOKEN == '(secret)'"]}},
                              {**service_task(environment={"A": "2"}), "check_mode": True, "register": "plain"},
                              {**service_task(), "check_mode": True, "register": "untouched"},
                              {"name": "Not named, not shown", "ansible.builtin.assert": {"that": [
                                  "plain is changed", "plain.service.environment == {'A': '2'}",
                                  "untouched is not changed",
                                  "untouched.service.environment == {'A': '(not shown)', 'TOKEN': '(not shown)'}"]}}])
    assert "TOKEN: (secret, changed)" in check.stdout and "TOKEN: (not shown)" in check.stdout
    assert [c for c in read_calls(root)[len(calls):] if c["kind"] == "write"] == []
    assert {k: v for k, v in host_files(root).items() if k != "calls.jsonl"} == \
        {k: v for k, v in files.items() if k != "calls.jsonl"}

    calls = read_calls(root)
    changed = checked("change", [task(SECRETS[1])])
    assert "TOKEN: (secret, changed)" in changed.stdout and "A: '1'" in changed.stdout
    applies = scripts(read_calls(root)[len(calls):], "nssm_apply")
    assert len(applies) == 1
    assert [c for c in applies[0]["request"]["commands"] if "environment" in c] == [
        {"environment": [{"text": "A=1"}, {"secret": "TOKEN"}], "label": "set myapp AppEnvironmentExtra"}]
    assert sorted(p["name"] for p in applies[0]["sensitive_parameters"]) == ["DigestKey", "SecretEnvironment"]
    assert env_value(root) == ["A=1", f"TOKEN={SECRETS[1]}"]

    checked("fails", [{**task(SECRETS[2], application=FAILING_APP), "ignore_errors": True},
                      {"name": "Failed", "ansible.builtin.assert": {"that": [
                          "svc is failed", "'StartFailed' in svc.msg", "'boom' in svc.msg"]}}])
    assert env_value(root) == ["A=1", f"TOKEN={SECRETS[1]}"]  # the host put its saved value back
    assert services.get(host, "myapp")["parameters"]["Application"] == APP

    log = (root / "calls.jsonl").read_bytes()
    assert all(secret.encode() not in log for secret in SECRETS)
    leaks = [name for name, data in host_files(root).items() for secret in SECRETS
             if name != services.PROTECTED_FILE and (secret.encode() in data or secret.encode("utf-16-le") in data)]
    assert leaks == []
    assert SECRETS[1].encode() in (root / services.PROTECTED_FILE).read_bytes()
