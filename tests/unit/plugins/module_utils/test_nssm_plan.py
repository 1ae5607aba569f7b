"""Settings diff and plan of winflask.iis.nssm_service (pure functions, no host)."""

import re

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import (
    SPEC, apply_request, needs_secrets, plan, read_request, validate)
from ansible_collections.winflask.iis.plugins.module_utils.nssm_settings import current_settings

from nssm_reads import APP, read, service

BRIEF_ROTATION = {"rotate_files": True, "rotate_online": True, "rotate_seconds": 86400, "rotate_bytes": 1048576}


def args(**given):
    """Module arguments with the spec's defaults, as validate_argument_spec would pass them."""
    result = {name: spec.get("default") for name, spec in SPEC.argument_spec.items()}
    result.update(given)
    return result


def test_registry_values_become_settings_with_nssm_defaults():
    svc = service(values={"Start": 2, "DelayedAutostart": 1, "DependOnService": ["Tcpip"],
                          "ObjectName": "NT Service\\myapp"},
                  AppEnvironmentExtra=["B=2", "A=x=y"], AppRotateFiles=1, AppExit={"Default": "Ignore"})
    settings = current_settings(svc)
    assert settings["start_mode"] == "delayed"
    assert settings["environment"] == {"A": "x=y", "B": "2"}
    assert settings["dependencies"] == ["Tcpip"]
    assert settings["rotate_files"] is True and settings["rotate_online"] is False
    assert settings["throttle"] == 1500 and settings["kill_process_tree"] is True   # absent -> nssm default
    assert settings["exit_action"] == "ignore"
    assert settings["username"] == "NT Service\\myapp"


def test_new_service_installs_then_sets_only_what_differs_from_nssm_install():
    p = plan(args(name="myapp", application=APP, stdout_file="C:\\apps\\myapp\\logs\\out.log",
                  throttle=1500, **BRIEF_ROTATION), read())
    assert p.created and p.before is None
    assert p.commands == [
        ["install", "myapp", APP],
        ["set", "myapp", "ObjectName", "NT SERVICE\\myapp"],
        ["set", "myapp", "AppStdout", "C:\\apps\\myapp\\logs\\out.log"],
        ["set", "myapp", "AppRotateFiles", "1"],
        ["set", "myapp", "AppRotateOnline", "1"],
        ["set", "myapp", "AppRotateSeconds", "86400"],
        ["set", "myapp", "AppRotateBytes", "1048576"],
    ]  # throttle equals nssm's default: no command
    assert p.after["working_directory"] == "C:\\apps\\myapp"
    assert p.after["username"] == "NT SERVICE\\myapp"
    assert p.control is None and p.status == "SERVICE_STOPPED"


def test_existing_service_changes_one_setting_with_one_command():
    svc = service(AppRotateFiles=1, AppRotateOnline=1, AppRotateSeconds=86400, AppRotateBytes=1048576)
    p = plan(args(name="myapp", application=APP, **{**BRIEF_ROTATION, "rotate_bytes": 2097152}), read(svc))
    assert p.commands == [["set", "myapp", "AppRotateBytes", "2097152"]]
    assert p.changed_options == ["rotate_bytes"]
    assert p.before["rotate_bytes"] == 1048576 and p.after["rotate_bytes"] == 2097152
    assert p.rollback == [["set", "myapp", "AppRotateBytes", "1048576"]]


def test_same_settings_plan_nothing():
    svc = service(status="SERVICE_RUNNING", AppRotateFiles=1, AppRotateOnline=1, AppRotateSeconds=86400,
                  AppRotateBytes=1048576, AppParameters='-m waitress "C:\\my app"',
                  AppEnvironmentExtra=["A=1", "B=two"])
    p = plan(args(name="myapp", state="started", application=APP.upper(), arguments=["-m", "waitress", "C:\\my app"],
                  environment={"B": "two", "A": 1}, **BRIEF_ROTATION), read(svc, application=APP.upper()))
    assert not p.changed and p.commands == [] and p.control is None


@pytest.mark.parametrize("option, value, command", [
    ("arguments", ["--listen", "127.0.0.1:5000", "a b"], ["set", "myapp", "AppParameters",
                                                          '--listen 127.0.0.1:5000 "a b"']),
    ("arguments", [], None),  # already empty: nothing to do
    ("environment", {"Z": "1", "A": "2"}, ["set", "myapp", "AppEnvironmentExtra", "A=2", "Z=1"]),
    ("start_mode", "delayed", ["set", "myapp", "Start", "SERVICE_DELAYED_AUTO_START"]),
    ("start_mode", "manual", ["set", "myapp", "Start", "SERVICE_DEMAND_START"]),
    ("exit_action", "exit", ["set", "myapp", "AppExit", "Default", "Exit"]),
    ("dependencies", ["W3SVC", "Tcpip"], ["set", "myapp", "DependOnService", "W3SVC", "Tcpip"]),
    ("no_console", True, ["set", "myapp", "AppNoConsole", "1"]),
    ("kill_process_tree", False, ["set", "myapp", "AppKillProcessTree", "0"]),
    ("description", "Flask app", ["set", "myapp", "Description", "Flask app"]),
    ("username", "LocalSystem", None),  # what nssm install wrote
    ("username", "NT AUTHORITY\\NetworkService", ["set", "myapp", "ObjectName", "NT AUTHORITY\\NetworkService"]),
])
def test_each_option_maps_to_its_nssm_command(option, value, command):
    p = plan(args(name="myapp", **{option: value}), read(service(), application=None))
    assert p.commands == ([command] if command else [])


def test_clearing_environment_and_stdout_uses_reset():
    svc = service(AppEnvironmentExtra=["A=1"], AppStdout="C:\\l\\o.log")
    p = plan(args(name="myapp", environment={}, stdout_file=""), read(svc, application=None))
    assert p.commands == [["reset", "myapp", "AppEnvironmentExtra"], ["reset", "myapp", "AppStdout"]]


@pytest.mark.parametrize("state, status, control, expected", [
    ("started", "SERVICE_STOPPED", "start", "SERVICE_RUNNING"),
    ("started", "SERVICE_PAUSED", "restart", "SERVICE_RUNNING"),  # nssm start fails unless stopped
    ("started", "SERVICE_RUNNING", None, "SERVICE_RUNNING"),
    ("stopped", "SERVICE_RUNNING", "stop", "SERVICE_STOPPED"),
    ("stopped", "SERVICE_STOPPED", None, "SERVICE_STOPPED"),
    ("restarted", "SERVICE_RUNNING", "restart", "SERVICE_RUNNING"),
    ("restarted", "SERVICE_STOPPED", "start", "SERVICE_RUNNING"),
    ("present", "SERVICE_RUNNING", None, "SERVICE_RUNNING"),
])
def test_state_controls(state, status, control, expected):
    p = plan(args(name="myapp", state=state), read(service(status=status), application=None))
    assert p.control == control and p.status == expected
    assert p.changed is (control is not None)


def test_started_restarts_a_running_service_whose_settings_changed():
    p = plan(args(name="myapp", state="started", throttle=3000),
             read(service(status="SERVICE_RUNNING"), application=None))
    assert p.control == "restart"


def test_absent_stops_then_removes_and_missing_is_no_change():
    p = plan(args(name="myapp", state="absent"), read(service(status="SERVICE_RUNNING"), application=None))
    assert p.commands == [["stop", "myapp"], ["remove", "myapp", "confirm"]]
    assert p.after is None and p.before["application"] == APP
    assert not plan(args(name="myapp", state="absent"), read(None, nssm=None, application=None)).changed


def test_foreign_service_is_refused_unless_take_over():
    foreign = service(image="C:\\Windows\\system32\\svchost.exe -k netsvcs")
    with pytest.raises(ModuleError, match="exists but is not an nssm service.*take_over=true"):
        plan(args(name="myapp", application=APP), read(foreign))
    p = plan(args(name="myapp", application=APP, take_over=True), read(foreign))
    assert p.delete_existing and p.created and p.commands[0] == ["install", "myapp", APP]


def test_quoted_nssm_image_path_is_recognised():
    svc = service(image='"C:\\Program Files\\nssm\\nssm.exe"')
    assert not plan(args(name="myapp"), read(svc, application=None)).changed


@pytest.mark.parametrize("given, read_kwargs, fragment", [
    ({"application": APP}, {"nssm": None}, "nssm was not found on the host"),
    ({"application": "C:\\nope\\app.exe"}, {"app_exists": False, "application": "C:\\nope\\app.exe"},
     "application 'C:\\nope\\app.exe' does not exist on the host"),
    ({}, {"application": None}, "application is required to create the service"),
])
def test_plan_errors(given, read_kwargs, fragment):
    with pytest.raises(ModuleError, match=re.escape(fragment)):
        plan(args(name="myapp", **given), read(None, **read_kwargs))


def test_user_account_needs_the_logon_right():
    account = {"name": "CORP\\svc", "sid": "S-1-5-21-1-2-3-1001", "logon_right": False}
    given = args(name="myapp", application=APP, username="CORP\\svc", password="pw")
    p = plan(given, read(account=account))
    assert p.grant_logon_right == "S-1-5-21-1-2-3-1001"
    assert ["set", "myapp", "ObjectName", "CORP\\svc", "********"] in p.commands  # never the password
    with pytest.raises(ModuleError, match="lacks the right to log on as a service"):
        plan({**given, "grant_logon_right": False}, read(account=account))
    with pytest.raises(ModuleError, match="not an account the host knows"):
        plan(given, read(account={"name": "CORP\\svc", "sid": None, "logon_right": False}))


def test_read_request_asks_about_accounts_only_when_needed():
    assert read_request(args(name="myapp", application=APP))["account"] is None  # virtual account
    assert read_request(args(name="myapp", username="CORP\\svc", password="x"))["account"] == "CORP\\svc"
    assert read_request(args(name="myapp", state="absent", application=APP))["application"] is None


@pytest.mark.parametrize("given, fragment", [
    ({"name": "  "}, "name must be a service name, not only spaces"),
    ({"name": "x", "throttle": -1}, "throttle must be between 0 and 4294967295, got -1"),
    ({"name": "x", "rotate_bytes": 2**32}, "rotate_bytes must be between"),
    ({"name": "x", "environment": {"A=B": "1"}}, "environment names"),
    ({"name": "x", "application": 'C:\\a "b".exe'}, "application must be a path without quotes"),
    ({"name": "x", "username": "CORP\\svc"}, "password is required for username 'CORP\\svc'"),
    ({"name": "x", "password": "p"}, "password is given but username is not"),
])
def test_validation_names_option_and_value(given, fragment):
    with pytest.raises(ModuleError, match=re.escape(fragment)):
        validate(args(**given))


def test_virtual_and_gmsa_accounts_need_no_password():
    validate(args(name="x", username="NT SERVICE\\x"))
    validate(args(name="x", username="CORP\\gmsa$"))
    validate(args(name="x", username="NT AUTHORITY\\LocalService"))


def test_missing_log_folder_is_refused_before_any_write():
    given = args(name="myapp", application=APP, stdout_file="C:\\apps\\myapp\\logs\\out.log")
    assert read_request(given)["folders"] == ["C:\\apps\\myapp\\logs"]
    with pytest.raises(ModuleError, match="the folder C:.*logs does not exist on the host"):
        plan(given, {**read(), "folders": {"C:\\apps\\myapp\\logs": False}})
    assert plan(given, {**read(), "folders": {"C:\\apps\\myapp\\logs": True}}).created


def test_the_password_is_in_no_command_line_nor_request():
    account = {"name": "CORP\\svc", "sid": "S-1-5-21-1-2-3-1001", "logon_right": True}
    given = args(name="myapp", application=APP, username="CORP\\svc", password="Pw-9f1c&<>")
    p = plan(given, read(account=account))
    request = apply_request(given, read(account=account), p)
    assert "Pw-9f1c" not in repr(p) and "Pw-9f1c" not in repr(request)
    entry = next(c for c in request["commands"] if c.get("account"))
    assert entry == {"account": "CORP\\svc", "password": True, "label": "set myapp ObjectName"}
    assert needs_secrets(request)
    assert not needs_secrets(apply_request(args(name="myapp", application=APP), read(), plan(
        args(name="myapp", application=APP), read())))


def test_apply_request_carries_the_read_values_of_what_it_changes():
    svc = service(AppRotateBytes=1048576, values={"Start": 3})
    given = args(name="myapp", rotate_bytes=2097152, start_mode="delayed")
    request = apply_request(given, read(svc, application=None), plan(given, read(svc, application=None)))
    assert request["expected"] == {"values": {"Start": 3, "DelayedAutostart": None},
                                   "parameters": {"AppRotateBytes": 1048576}}
    new = args(name="myapp", application=APP)
    assert apply_request(new, read(), plan(new, read()))["expected"] == {"values": {}, "parameters": {}}
