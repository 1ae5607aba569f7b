"""The emulated nssm.exe and service control manager (winhost.nssm, winhost.services)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess

import pytest
from test_winhost_processes import APP_DIR, install
# svc_host is a fixture: pytest finds it by name, so the import looks unused
from test_winhost_processes import svc_host  # noqa: F401 pylint: disable=unused-import
from test_winhost_processes import NSSM as PROCESS_NSSM
from winhost import Host, cmdline, nssm, services
from winhost.errors import HostError
from winhost.nssm_scripts import LOGON_RIGHT, nssm_apply, nssm_read
from winhost.win_powershell import SecureString

EXE = "C:\\Program Files\\nssm\\nssm.exe"
APP = "C:\\apps\\my app\\run_server.bat"


@pytest.fixture
def exe(host: Host) -> nssm.Nssm:
    host.write_bytes(EXE, nssm.fake_exe())
    host.write_bytes(APP, b"@echo off\r\npython -m waitress app:app\r\n")
    return nssm.Nssm(host, EXE)


def out(run: nssm.Run) -> str:
    return nssm.decode_output(run.stdout) + nssm.decode_output(run.stderr)


@pytest.mark.parametrize("args", [
    ["set", "my svc", "AppParameters", '--conf "C:\\a b\\c.toml" x\\'],
    ["", 'a"b', "c\\\\", "\\\\server\\share\\", "tab\there"],
])
def test_cmdline_split_reverses_list2cmdline(args):
    assert cmdline.split(subprocess.list2cmdline(args)) == args


def test_install_writes_what_nssm_install_writes(host, exe):
    run = exe.run_line(subprocess.list2cmdline(["install", "myapp", APP]))
    assert run.exit_code == 0 and 'Service "myapp" installed successfully!' in out(run)
    record = services.get(host, "MYAPP")  # names are case-insensitive
    assert record["values"]["ImagePath"] == f"\"{EXE}\"" and record["values"]["ObjectName"] == "LocalSystem"
    assert record["parameters"]["AppDirectory"] == "C:\\apps\\my app"
    assert record["parameters"]["AppExit"] == {"Default": "Restart"}
    again = exe.run(["install", "myapp", APP])
    assert again.exit_code == 5 and "already exists" in out(again)


def test_set_semantics_defaults_and_exit_codes(host, exe):
    exe.run(["install", "myapp", APP])
    assert exe.run(["set", "myapp", "AppRotateBytes", "1048576"]).exit_code == 0
    assert services.get(host, "myapp")["parameters"]["AppRotateBytes"] == 1048576
    assert exe.run(["set", "myapp", "AppThrottle", "1500"]).exit_code == 0   # the default: value deleted
    assert "AppThrottle" not in services.get(host, "myapp")["parameters"]
    assert exe.run(["set", "myapp", "AppRotateBytes", "lots"]).exit_code == 6
    assert exe.run(["set", "myapp", "Start", "SERVICE_DELAYED_START"]).exit_code == 6   # README's wrong name
    assert exe.run(["set", "myapp", "Start", "SERVICE_DELAYED_AUTO_START"]).exit_code == 0
    assert services.get(host, "myapp")["values"]["DelayedAutostart"] == 1
    assert exe.run(["set", "myapp", "NoSuchThing", "1"]).exit_code == 1
    assert exe.run(["set", "nosvc", "AppThrottle", "1"]).exit_code == 3
    assert exe.run(["set", "myapp", "AppEnvironmentExtra", "A=1", "B=2 3"]).exit_code == 0
    assert services.get(host, "myapp")["parameters"]["AppEnvironmentExtra"] == ["A=1", "B=2 3"]
    assert exe.run(["set", "myapp", "ObjectName", "CORP\\nobody", "pw"]).exit_code == 6   # unknown account
    assert out(exe.run(["get", "myapp", "Start"])).strip() == "SERVICE_DELAYED_AUTO_START"


def test_release_224_prints_utf16_and_lacks_prerelease_features(host):
    host.write_bytes(EXE, nssm.fake_exe(nssm.RELEASE))
    old = nssm.Nssm(host, EXE)
    run = old.run(["status", "nosvc"])
    assert b"\x00" in run.stderr and "Can't open service!" in nssm.decode_output(run.stderr)
    assert old.run(["version"]).exit_code == 1
    host.write_bytes(APP, b"x")
    old.run(["install", "s", APP])
    assert old.run(["set", "s", "ObjectName", "NT SERVICE\\s"]).exit_code == 6
    assert old.run(["set", "s", "AppTimestampLog", "1"]).exit_code == 1


def test_remove_needs_confirm(host, exe):
    exe.run(["install", "myapp", APP])
    assert exe.run(["remove", "myapp"]).exit_code == 1          # would open a dialog
    assert exe.run(["remove", "myapp", "please"]).exit_code == 100
    assert exe.run(["remove", "myapp", "confirm"]).exit_code == 0 and services.get(host, "myapp") is None


def test_start_crashing_app_pauses_and_writes_stderr(host, exe):
    host.write_bytes(APP, b"@echo off\r\nrem winhost: stderr ImportError: no module named app\r\n"
                          b"rem winhost: exit 1\r\n")
    host.local_path("C:\\apps\\my app\\logs").mkdir(parents=True)
    exe.run(["install", "myapp", APP])
    exe.run(["set", "myapp", "AppStderr", "C:\\apps\\my app\\logs\\err.log"])
    assert exe.run(["start", "myapp"]).exit_code == 0
    assert services.get(host, "myapp")["status"] == services.PAUSED
    assert "ImportError" in host.read_bytes("C:\\apps\\my app\\logs\\err.log").decode()
    assert exe.run(["start", "myapp"]).exit_code == 1   # not stopped: start fails


def test_start_needs_log_folder_and_logon_right(host, exe):
    exe.run(["install", "myapp", APP])
    exe.run(["set", "myapp", "AppStdout", "C:\\nowhere\\out.log"])
    assert exe.run(["start", "myapp"]).exit_code == 1
    assert services.get(host, "myapp")["status"] == services.STOPPED
    exe.run(["reset", "myapp", "AppStdout"])
    sid = services.add_account(host, "CORP\\svc", "pw")
    exe.run(["set", "myapp", "ObjectName", "CORP\\svc", "pw"])
    failed = exe.run(["start", "myapp"])
    assert failed.exit_code == 1 and "logon failure" in out(failed)
    services.grant_right(host, sid, "SeServiceLogonRight")
    assert exe.run(["start", "myapp"]).exit_code == 0
    assert exe.run(["stop", "myapp"]).exit_code == 0 and exe.run(["stop", "myapp"]).exit_code == 0


def test_read_and_apply_scripts_round_trip(host, exe):
    line = subprocess.list2cmdline
    apply = {"name": "myapp", "executable": EXE, "created": True, "commands": [
        {"line": line(["install", "myapp", APP]), "label": "install myapp"},
        {"line": line(["set", "myapp", "AppParameters", line(["--x", "a b"])]), "label": "set myapp AppParameters"}],
        "control": "start", "control_lines": {v: line([v, "myapp"]) for v in ("start", "stop", "restart")}
        | {"remove": line(["remove", "myapp", "confirm"])}, "rollback": [], "logs": []}
    assert nssm_apply(host, apply, False)["status"] == services.RUNNING
    read = nssm_read(host, {"name": "myapp", "application": APP}, False)
    assert read["service"]["parameters"]["AppParameters"] == '--x "a b"'
    assert read["nssm"] == {"path": EXE, "version": "2.24.101.0"}
    assert services.get(host, "myapp")["process"]["command_line"] == f'{APP} --x "a b"'


def apply_request(commands: list[dict], **extra) -> dict:
    line = subprocess.list2cmdline
    return {"name": "myapp", "executable": EXE, "created": False, "commands": commands, "control": None,
            "control_lines": {v: line([v, "myapp"]) for v in ("start", "stop", "restart")}
            | {"remove": line(["remove", "myapp", "confirm"])}, "rollback": [], "logs": [], **extra}


def host_files(host: Host) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in host.root.rglob("*") if p.is_file() and p.name != "calls.jsonl"}


def test_a_setting_changed_since_the_read_is_refused_and_nothing_written(host, exe):
    exe.run(["install", "myapp", APP])
    exe.run(["set", "myapp", "AppRotateBytes", "1048576"])
    expected = {"values": {"Start": 2, "DelayedAutostart": None}, "parameters": {"AppRotateBytes": 1048576}}
    request = apply_request([{"line": "set myapp AppRotateBytes 4096", "label": "set myapp AppRotateBytes"},
                             {"line": "set myapp Start SERVICE_DEMAND_START", "label": "set myapp Start"}],
                            expected=expected)
    exe.run(["set", "myapp", "AppRotateBytes", "2097152"])  # someone else, between the read and the write
    before = host_files(host)
    with pytest.raises(HostError) as caught:
        nssm_apply(host, request, False)
    assert caught.value.code == "ServiceChanged" and caught.value.details["settings"] == ["Parameters\\AppRotateBytes"]
    assert host_files(host) == before
    # as read: the write goes through
    exe.run(["set", "myapp", "AppRotateBytes", "1048576"])
    assert nssm_apply(host, request, False)["commands_run"] == 2
    assert services.get(host, "myapp")["parameters"]["AppRotateBytes"] == 4096


def test_account_with_password_is_set_through_the_scm_and_only_its_hash_kept(host, exe):
    exe.run(["install", "myapp", APP])
    sid = services.add_account(host, "CORP\\svc", "Kx-9931-pw", [LOGON_RIGHT])
    assert sid
    request = apply_request([{"account": "CORP\\svc", "password": True, "label": "set myapp ObjectName"}],
                            control="start")
    assert nssm_apply(host, request, False, secure={"Password": SecureString("Kx-9931-pw")})["status"] == \
        services.RUNNING
    assert services.get(host, "myapp")["values"]["ObjectName"] == "CORP\\svc"
    assert not any(b"Kx-9931" in data for data in host_files(host).values())
    # a wrong password is accepted by ChangeServiceConfig; the logon fails at the next start
    exe.run(["stop", "myapp"])
    nssm_apply(host, apply_request(request["commands"]), False, secure={"Password": SecureString("wrong")})
    assert exe.run(["start", "myapp"]).exit_code == 1
    with pytest.raises(HostError) as caught:  # unknown account: ERROR_INVALID_SERVICE_ACCOUNT
        nssm_apply(host, apply_request([{"account": "CORP\\nobody", "password": True, "label": "set myapp "
                                         "ObjectName"}]), False, secure={"Password": SecureString("x")})
    assert caught.value.code == "NssmFailed" and caught.value.details["exit_code"] == 1057


# -- secret environment variables (nssm_service secret_environment) ----------------------------------------
TOKEN = "Tk-31c9-emulated-secret"
KEY = "ab" * 32


def hmac_of(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def env_command(*entries: dict) -> dict:
    return {"environment": list(entries), "label": "set myapp AppEnvironmentExtra"}


def secure_env(**values: str) -> dict:
    return {"SecretEnvironment": SecureString(json.dumps(values)), "DigestKey": SecureString(KEY)}


def test_secret_environment_is_written_directly_and_read_back_only_as_a_digest(host, exe):
    exe.run(["install", "myapp", APP])
    request = apply_request([env_command({"text": "A=1"}, {"secret": "TOKEN"})], secret_names=["TOKEN"])
    assert nssm_apply(host, request, False, secure=secure_env(TOKEN=TOKEN))["commands_run"] == 1
    # the registry value nssm reads at start holds the real entries
    record = services.get(host, "myapp")
    assert services.parameters(host, record)["AppEnvironmentExtra"] == ["A=1", f"TOKEN={TOKEN}"]
    assert out(exe.run(["get", "myapp", "AppEnvironmentExtra"])) == f"A=1\r\nTOKEN={TOKEN}\r\n"
    # ... but no host file other than the protected store holds it
    leaks = [p for p, data in host_files(host).items() if TOKEN.encode() in data]
    assert leaks == [str(host.root / services.PROTECTED_FILE)]
    assert (host.root / services.PROTECTED_FILE).stat().st_mode & 0o777 == 0o600
    read = nssm_read(host, {"name": "myapp", "secret_names": ["token"]}, True,
                     secure={"DigestKey": SecureString(KEY)})
    assert read["service"]["parameters"]["AppEnvironmentExtra"] == [
        "A=1", {"name": "TOKEN", "hmac_sha256": hmac_of(TOKEN)}]
    assert TOKEN not in json.dumps(read)
    # without secret names the read shows the registry as it is (what nssm_service_info gets)
    plain = nssm_read(host, {"name": "myapp"}, True)
    assert plain["service"]["parameters"]["AppEnvironmentExtra"] == ["A=1", f"TOKEN={TOKEN}"]


def test_secret_environment_guard_compares_digests_and_rollback_restores_the_old_value(host, exe):
    exe.run(["install", "myapp", APP])
    nssm_apply(host, apply_request([env_command({"secret": "TOKEN"})], secret_names=["TOKEN"]), False,
               secure=secure_env(TOKEN="old"))
    expected = {"values": {}, "parameters": {"AppEnvironmentExtra": [
        {"name": "TOKEN", "hmac_sha256": hmac_of("old")}]}}
    # someone else changed the secret between the read and the write: refused, nothing written
    nssm_apply(host, apply_request([env_command({"secret": "TOKEN"})], secret_names=["TOKEN"]), False,
               secure=secure_env(TOKEN="theirs"))
    before = host_files(host)
    change = apply_request([env_command({"secret": "TOKEN"})], secret_names=["TOKEN"], expected=expected)
    with pytest.raises(HostError) as caught:
        nssm_apply(host, change, False, secure=secure_env(TOKEN=TOKEN))
    assert caught.value.code == "ServiceChanged"
    assert caught.value.details["settings"] == ["Parameters\\AppEnvironmentExtra"]
    assert host_files(host) == before
    # the start fails after the write: the rollback puts the value the host saved back (the controller
    # never had it)
    host.write_bytes(APP, b"@echo off\r\nrem winhost: exit 1\r\n")
    failing = apply_request([env_command({"secret": "TOKEN"})], secret_names=["TOKEN"], control="start",
                            rollback=[{"restore": "AppEnvironmentExtra",
                                       "label": "set myapp AppEnvironmentExtra"}],
                            expected={"values": {}, "parameters": {"AppEnvironmentExtra": [
                                {"name": "TOKEN", "hmac_sha256": hmac_of("theirs")}]}})
    with pytest.raises(HostError) as caught:
        nssm_apply(host, failing, False, secure=secure_env(TOKEN=TOKEN))
    assert caught.value.code == "StartFailed"
    assert services.parameters(host, services.get(host, "myapp"))["AppEnvironmentExtra"] == ["TOKEN=theirs"]


def test_the_service_app_gets_the_secret_in_its_environment(svc_host):  # noqa: F811 (the fixture)
    svc_host.write_bytes(f"{APP_DIR}\\env.py", b"import hashlib, os, time\n"
                         b"print(hashlib.sha256(os.environ['TOKEN'].encode()).hexdigest(), flush=True)\n"
                         b"time.sleep(60)\n")
    install(svc_host, "env.py")
    request = {**apply_request([env_command({"secret": "TOKEN"})], secret_names=["TOKEN"], control="start"),
               "name": "svc", "executable": PROCESS_NSSM,
               "control_lines": {v: subprocess.list2cmdline([v, "svc"]) for v in ("start", "stop", "restart")}}
    assert nssm_apply(svc_host, request, False, secure=secure_env(TOKEN=TOKEN))["status"] == services.RUNNING
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    assert svc_host.read_bytes(f"{APP_DIR}\\logs\\out.log").decode().strip() == digest
    assert services.get(svc_host, "svc")["process"]["environment"] == ["TOKEN"]
    assert TOKEN.encode() not in svc_host.state_file.read_bytes()


def test_with_plain_names_only_those_values_come_back_and_the_guard_reads_alike(host, exe):
    """nssm_service's read names its `environment` variables as plain_names: every other entry (an earlier
    task's secret, a variable set by hand) is a digest, case-insensitively as Windows names; [] masks all."""
    exe.run(["install", "myapp", APP])
    nssm_apply(host, apply_request([env_command({"text": "A=1"}, {"secret": "TOKEN"})], secret_names=["TOKEN"]),
               False, secure=secure_env(TOKEN=TOKEN))
    key = {"DigestKey": SecureString(KEY)}
    read = nssm_read(host, {"name": "myapp", "secret_names": [], "plain_names": ["a"]}, True, secure=key)
    masked = ["A=1", {"name": "TOKEN", "hmac_sha256": hmac_of(TOKEN)}]
    assert read["service"]["parameters"]["AppEnvironmentExtra"] == masked
    none = nssm_read(host, {"name": "myapp", "plain_names": []}, True, secure=key)
    assert none["service"]["parameters"]["AppEnvironmentExtra"] == [
        {"name": "A", "hmac_sha256": hmac_of("1")}, masked[1]]
    # the field's presence decides (as Test-PlainNames): null masks every entry too, absence none
    assert nssm_read(host, {"name": "myapp", "plain_names": None}, True, secure=key) == none
    assert nssm_read(host, {"name": "myapp"}, True)["service"]["parameters"]["AppEnvironmentExtra"] == [
        "A=1", f"TOKEN={TOKEN}"]
    assert TOKEN not in json.dumps(read) + json.dumps(none)
    # the write's guard re-reads with the same names: the masked value as read is no change, a moved one is
    expected = {"values": {}, "parameters": {"AppEnvironmentExtra": masked}}
    command = {"line": "set myapp AppEnvironmentExtra A=2", "label": "set myapp AppEnvironmentExtra"}
    moved = {"values": {}, "parameters": {"AppEnvironmentExtra": [
        "A=1", {"name": "TOKEN", "hmac_sha256": hmac_of("before")}]}}
    with pytest.raises(HostError) as caught:
        nssm_apply(host, apply_request([command], plain_names=["A"], expected=moved), False, secure=key)
    assert caught.value.code == "ServiceChanged"
    plain_write = apply_request([command], secret_names=[], plain_names=["A"], expected=expected)
    assert nssm_apply(host, plain_write, False, secure=key)["commands_run"] == 1
    assert services.parameters(host, services.get(host, "myapp"))["AppEnvironmentExtra"] == ["A=2"]
