"""winflask.iis.nssm_service's action plugin, against replayed win_powershell results."""

import hashlib
import hmac
import json

from ansible_collections.winflask.iis.plugins.action.nssm_service import ActionModule
from ansible_collections.winflask.iis.plugins.action.nssm_service_info import ActionModule as InfoModule

from nssm_reads import APP, NSSM, read, service
from replay import FakeHost, make_action
from winhost.nssm_scripts import plain_names, protect_environment


class SecretHost(FakeHost):
    """FakeHost that also keeps every module_args as sent (sensitive_parameters included)."""

    def __call__(self, module_name, module_args, task_vars=None):
        self.sent = [*getattr(self, "sent", []), module_args]
        return super().__call__(module_name, module_args, task_vars)


ROTATION = {"rotate_files": True, "rotate_online": True, "rotate_seconds": 86400, "rotate_bytes": 1048576}


def test_install_and_start_is_one_read_and_one_write_with_quoted_lines():
    host = FakeHost([FakeHost.ok(read()), FakeHost.ok({"changed": True, "status": "SERVICE_RUNNING"})])
    result = make_action(ActionModule, {"name": "my app", "application": APP, "state": "started",
                                        "arguments": ["--conf", "C:\\my dir\\a.toml"], **ROTATION},
                         host).run(task_vars={})
    assert result["changed"] is True and result["status"] == "SERVICE_RUNNING"
    assert [c["script"] for c in host.calls] == ["nssm_read", "nssm_apply"]
    apply = host.calls[1]["request"]
    assert apply["executable"] == NSSM["path"] and apply["created"] is True and apply["control"] == "start"
    lines = [c["line"] for c in apply["commands"]]
    assert lines[0] == 'install "my app" C:\\apps\\myapp\\run_server.bat'
    assert 'set "my app" AppParameters "--conf \\"C:\\my dir\\a.toml\\""' in lines
    assert apply["control_lines"]["remove"] == 'remove "my app" confirm'
    assert apply["settle_ms"] == 2000
    assert result["service"]["arguments"] == '--conf "C:\\my dir\\a.toml"'


def test_second_run_with_same_settings_reads_only():
    svc = service(status="SERVICE_RUNNING", AppRotateFiles=1, AppRotateOnline=1, AppRotateSeconds=86400,
                  AppRotateBytes=1048576)
    host = FakeHost([FakeHost.ok(read(svc))])
    result = make_action(ActionModule, {"name": "myapp", "application": APP, "state": "started", **ROTATION},
                         host).run(task_vars={})
    assert result["changed"] is False and len(host.calls) == 1
    assert result["nssm_commands"] == []


def test_check_mode_for_a_new_service_shows_every_setting_and_writes_nothing():
    host = FakeHost([FakeHost.ok(read())])
    result = make_action(ActionModule, {"name": "myapp", "application": APP, **ROTATION}, host,
                         check_mode=True, diff=True).run(task_vars={})
    assert result["changed"] is True and len(host.calls) == 1
    assert result["diff"]["before"] == ""
    assert "rotate_bytes: 1048576" in result["diff"]["after"]
    assert "username: NT SERVICE\\myapp" in result["diff"]["after"]
    assert result["service"]["throttle"] == 1500


def test_diff_names_only_what_changes():
    svc = service(AppRotateBytes=1048576)
    host = FakeHost([FakeHost.ok(read(svc, application=None)), FakeHost.ok({"changed": True,
                                                                           "status": "SERVICE_STOPPED"})])
    result = make_action(ActionModule, {"name": "myapp", "rotate_bytes": 2097152}, host, diff=True).run(task_vars={})
    assert "rotate_bytes: 1048576" in result["diff"]["before"] and "rotate_bytes: 2097152" in result["diff"]["after"]
    assert [c["label"] for c in host.calls[1]["request"]["commands"]] == ["set myapp AppRotateBytes"]
    assert host.calls[1]["request"]["rollback"][0]["line"] == "set myapp AppRotateBytes 1048576"


def test_bad_input_never_reaches_the_host():
    host = FakeHost([])
    result = make_action(ActionModule, {"name": "x", "throttle": -5}, host).run(task_vars={})
    assert result["failed"] is True and "throttle must be between 0 and 4294967295, got -5" in result["msg"]
    assert host.calls == []


def test_missing_nssm_says_to_run_the_role():
    host = FakeHost([FakeHost.ok(read(nssm=None))])
    result = make_action(ActionModule, {"name": "myapp", "application": APP}, host).run(task_vars={})
    assert result["failed"] is True and "winflask.iis.nssm role" in result["msg"]
    assert len(host.calls) == 1


def test_start_failure_reports_log_lines_and_masks_the_password():
    account = {"name": "CORP\\svc", "sid": "S-1-5-21-9", "logon_right": True}
    error = FakeHost.error("StartFailed", "service myapp did not stay running after nssm start "
                                          "(status SERVICE_PAUSED) s3cret")
    error["result"] = error["result"].replace('"message"', '"removed": true, "log_tail": ["C:\\\\l\\\\e.log: '
                                              'ImportError: no module named app"], "message"')
    host = FakeHost([FakeHost.ok(read(account=account)), error])
    result = make_action(ActionModule, {"name": "myapp", "application": APP, "state": "started",
                                        "username": "CORP\\svc", "password": "s3cret"}, host).run(task_vars={})
    assert result["failed"] is True
    assert "ImportError: no module named app" in result["msg"] and "the new service was removed" in result["msg"]
    assert "s3cret" not in result["msg"]
    apply = host.calls[1]["request"]
    assert apply["grant_logon_right"] is None


def test_info_returns_settings_of_an_nssm_service():
    host = FakeHost([FakeHost.ok(read(service(status="SERVICE_RUNNING", AppStdout="C:\\l\\o.log"),
                                      application=None))])
    result = make_action(InfoModule, {"name": "myapp"}, host, check_mode=True).run(task_vars={})
    assert result["exists"] and result["is_nssm"] and result["status"] == "SERVICE_RUNNING"
    assert result["service"]["stdout_file"] == "C:\\l\\o.log" and result["changed"] is False
    assert host.calls[0]["script"] == "nssm_read"


def test_password_goes_as_a_sensitive_parameter_never_in_the_request():
    account = {"name": "CORP\\svc", "sid": "S-1-5-21-9", "logon_right": True}
    host = SecretHost([FakeHost.ok(read(account=account)),
                       FakeHost.ok({"changed": True, "status": "SERVICE_STOPPED"})])
    result = make_action(ActionModule, {"name": "myapp", "application": APP, "username": "CORP\\svc",
                                        "password": "Zq-7731-secret"}, host, diff=True).run(task_vars={})
    assert result["changed"] is True and "Zq-7731" not in repr(result)
    read_args, apply_args = host.sent
    # the read gets only the task's digest key (unnamed variables come back as digests), never the password
    assert [p["name"] for p in read_args["sensitive_parameters"]] == ["DigestKey"]
    assert "Zq-7731" not in repr(read_args)
    assert apply_args["sensitive_parameters"] == [{"name": "Password", "value": "Zq-7731-secret"}]
    assert "Zq-7731" not in apply_args["parameters"]["Request"]
    assert ["set", "myapp", "ObjectName", "CORP\\svc", "********"] in result["nssm_commands"]


def test_a_concurrent_change_is_reported_and_nothing_written():
    svc = service(AppRotateBytes=1048576)
    host = FakeHost([FakeHost.ok(read(svc, application=None)),
                     FakeHost.error("ServiceChanged", "service myapp changed since this task read it: "
                                                      "Parameters\\AppRotateBytes")])
    result = make_action(ActionModule, {"name": "myapp", "rotate_bytes": 2097152}, host).run(task_vars={})
    assert result["failed"] is True and "Parameters\\AppRotateBytes" in result["msg"]
    assert "(ServiceChanged); nothing was written" in result["msg"] and "run the task again" in result["msg"]
    assert host.calls[1]["request"]["expected"] == {"values": {}, "parameters": {"AppRotateBytes": 1048576}}


def test_service_names_the_scm_refuses_never_reach_the_host():
    for bad, fragment in (("a/b", "name must not contain '/'"), ("a\\b", "name must not contain '\\\\'"),
                          ("x" * 257, "name is 257 characters long; the limit is 256")):
        host = FakeHost([])
        result = make_action(ActionModule, {"name": bad, "application": APP}, host).run(task_vars={})
        assert result["failed"] is True and fragment in result["msg"], result["msg"]
        assert host.calls == []


SECRET_ENV = "Tok-Zq88-very-secret"


class DigestHost(SecretHost):
    """Answers nssm_read as the host does for secret names: the HMAC under the DigestKey the action sent."""

    def __init__(self, stored: str, replies):
        super().__init__(replies)
        self.stored = stored

    def __call__(self, module_name, module_args, task_vars=None):
        if "nssm_read" in module_args["script"].splitlines()[1] and module_args.get("sensitive_parameters"):
            key = {p["name"]: p["value"] for p in module_args["sensitive_parameters"]}["DigestKey"]
            digest = hmac.new(key.encode(), self.stored.encode(), hashlib.sha256).hexdigest()
            svc = service(status="SERVICE_RUNNING",
                          AppEnvironmentExtra=["A=1", {"name": "TOKEN", "hmac_sha256": digest}])
            self.replies.insert(0, FakeHost.ok(read(svc, application=None)))
        return super().__call__(module_name, module_args, task_vars)


def secret_task(**extra):
    return {"name": "myapp", "state": "started", "environment": {"A": "1"},
            "secret_environment": {"TOKEN": SECRET_ENV}, **extra}


def test_same_secret_is_no_change_and_travels_only_as_the_digest_key():
    host = DigestHost(SECRET_ENV, [])
    result = make_action(ActionModule, secret_task(), host, diff=True).run(task_vars={})
    assert result["changed"] is False and len(host.sent) == 1, result
    (read_args,) = host.sent
    assert [p["name"] for p in read_args["sensitive_parameters"]] == ["DigestKey"]
    assert host.calls[0]["request"]["secret_names"] == ["TOKEN"]
    assert result["service"]["environment"] == {"A": "1", "TOKEN": "(secret)"}
    assert SECRET_ENV not in repr(result) and SECRET_ENV not in repr(read_args)


def test_changed_secret_is_one_write_hidden_in_diff_result_and_request():
    host = DigestHost("old-token", [FakeHost.ok({"changed": True, "status": "SERVICE_RUNNING"})])
    result = make_action(ActionModule, secret_task(), host, diff=True).run(task_vars={})
    assert result["changed"] is True, result
    assert "TOKEN: (secret, changed)" in result["diff"]["after"] and "TOKEN: (secret)" in result["diff"]["before"]
    read_args, apply_args = host.sent
    sensitive = {p["name"]: p["value"] for p in apply_args["sensitive_parameters"]}
    assert json.loads(sensitive["SecretEnvironment"]) == {"TOKEN": SECRET_ENV}
    assert sensitive["DigestKey"] == {p["name"]: p["value"] for p in read_args["sensitive_parameters"]}["DigestKey"]
    apply = host.calls[1]["request"]
    assert [c for c in apply["commands"] if "environment" in c] == [
        {"environment": [{"text": "A=1"}, {"secret": "TOKEN"}], "label": "set myapp AppEnvironmentExtra"}]
    assert SECRET_ENV not in apply_args["parameters"]["Request"] and "old-token" not in repr(apply_args)
    assert SECRET_ENV not in repr(result)


def test_check_mode_with_a_changed_secret_reads_only():
    host = DigestHost("old-token", [])
    result = make_action(ActionModule, secret_task(), host, check_mode=True, diff=True).run(task_vars={})
    assert result["changed"] is True and [c["script"] for c in host.calls] == ["nssm_read"]
    assert SECRET_ENV not in repr(result)


def test_a_host_error_quoting_a_secret_is_masked():
    host = DigestHost("old-token", [FakeHost.error("NssmFailed", f"could not set TOKEN={SECRET_ENV}")])
    result = make_action(ActionModule, secret_task(), host).run(task_vars={})
    assert result["failed"] is True and "TOKEN=********" in result["msg"] and SECRET_ENV not in result["msg"]


def test_a_line_break_in_a_secret_value_is_refused_without_echoing_it():
    host = FakeHost([])
    result = make_action(ActionModule, secret_task(secret_environment={"TOKEN": f"{SECRET_ENV}\r\nX=1"}),
                         host).run(task_vars={})
    assert result["failed"] is True and "secret_environment.TOKEN" in result["msg"] and "U+000D" in result["msg"]
    assert SECRET_ENV not in result["msg"] and host.calls == []


def test_info_hides_the_named_secret_variables():
    host = DigestHost(SECRET_ENV, [])
    result = make_action(InfoModule, {"name": "myapp", "secret_names": ["TOKEN"]}, host,
                         check_mode=True).run(task_vars={})
    assert result["service"]["environment"] == {"A": "1", "TOKEN": "(secret)"}, result
    assert host.calls[0]["request"]["secret_names"] == ["TOKEN"]
    assert [p["name"] for p in host.sent[0]["sensitive_parameters"]] == ["DigestKey"]


class EnvHost(SecretHost):
    """A service holding AppEnvironmentExtra ``stored`` (an earlier task's secret among it): nssm_read is
    answered as the emulated host's Get-ServiceConfig masks it, from the request's secret_names/plain_names
    and the DigestKey sent; writes answer ok."""

    def __init__(self, stored: list[str]):
        super().__init__([])
        self.stored = stored

    def __call__(self, module_name, module_args, task_vars=None):
        request = json.loads(module_args["parameters"]["Request"])
        if "nssm_read" in module_args["script"].splitlines()[1]:
            key = {p["name"]: p["value"] for p in module_args.get("sensitive_parameters") or []}.get("DigestKey", "")
            env = protect_environment(self.stored, request.get("secret_names") or [], key, plain_names(request))
            svc = service(status="SERVICE_RUNNING", AppEnvironmentExtra=env)
            self.replies.append(FakeHost.ok(read(svc, application=None)))
        else:
            self.replies.append(FakeHost.ok({"changed": True, "status": "SERVICE_RUNNING"}))
        return super().__call__(module_name, module_args, task_vars)


def no_value_leaves(host: EnvHost, result: dict) -> None:
    """The earlier secret is in no result, diff or request (the write's `expected` included)."""
    assert SECRET_ENV not in repr(result) and SECRET_ENV not in repr(host.sent), result


def test_an_environment_only_task_shows_no_value_it_did_not_give():
    host = EnvHost(["A=1", f"TOKEN={SECRET_ENV}"])
    result = make_action(ActionModule, {"name": "myapp", "environment": {"A": "2"}}, host,
                         diff=True).run(task_vars={})
    assert result["changed"] is True, result
    no_value_leaves(host, result)
    assert host.calls[0]["request"]["plain_names"] == ["A"]
    assert "TOKEN: (not shown)" in result["diff"]["before"] and "A: '1'" in result["diff"]["before"]
    assert "TOKEN" not in result["diff"]["after"]  # environment is the whole value: removed, as before
    assert result["service"]["environment"] == {"A": "2"}
    apply = host.calls[1]["request"]
    assert [c["line"] for c in apply["commands"]] == ["set myapp AppEnvironmentExtra A=2"]
    assert apply["plain_names"] == ["A"]
    assert apply["expected"]["parameters"]["AppEnvironmentExtra"][1]["name"] == "TOKEN"


def test_a_task_that_does_not_manage_the_environment_shows_names_only():
    host = EnvHost(["A=1", f"TOKEN={SECRET_ENV}"])
    result = make_action(ActionModule, {"name": "myapp", "rotate_bytes": 2097152}, host,
                         diff=True).run(task_vars={})
    assert result["changed"] is True, result
    no_value_leaves(host, result)
    assert host.calls[0]["request"]["plain_names"] == []
    assert result["service"]["environment"] == {"A": "(not shown)", "TOKEN": "(not shown)"}
    assert [c["label"] for c in host.calls[1]["request"]["commands"]] == ["set myapp AppRotateBytes"]


def test_unnamed_variables_keep_idempotence_and_check_mode():
    same = EnvHost(["A=1", f"TOKEN={SECRET_ENV}"])
    result = make_action(ActionModule, {"name": "myapp", "state": "started"}, same, diff=True).run(task_vars={})
    assert result["changed"] is False and len(same.calls) == 1, result
    no_value_leaves(same, result)
    check = EnvHost(["A=1", f"TOKEN={SECRET_ENV}"])
    result = make_action(ActionModule, {"name": "myapp", "environment": {"A": "1"}}, check, check_mode=True,
                         diff=True).run(task_vars={})
    assert result["changed"] is True and [c["script"] for c in check.calls] == ["nssm_read"]
    no_value_leaves(check, result)
    named = EnvHost(["A=1", f"TOKEN={SECRET_ENV}"])
    result = make_action(ActionModule, secret_task(), named, diff=True).run(task_vars={})
    assert result["changed"] is False and result["service"]["environment"] == {"A": "1", "TOKEN": "(secret)"}


def test_info_still_returns_values_it_is_not_told_to_hide():
    host = EnvHost(["A=1", "B=2"])
    result = make_action(InfoModule, {"name": "myapp"}, host, check_mode=True).run(task_vars={})
    assert result["service"]["environment"] == {"A": "1", "B": "2"}, result
    assert "plain_names" not in host.calls[0]["request"]
