"""The config-writing modules' backup option and the messages of a failed write (issue 8 section 7)."""

import json

import pytest

from ansible_collections.winflask.iis.plugins.action.arr_proxy import ActionModule as ArrProxy
from ansible_collections.winflask.iis.plugins.module_utils import arr_proxy, rewrite_rule, server_variable

from replay import FakeHost, make_action
from test_arr_proxy import proxy_read

BACKUP = "C:\\ProgramData\\winflask\\backup\\20260101-120000-000\\C\\Windows\\System32\\inetsrv\\config" \
         "\\applicationHost.config"


def failed_apply(code, message, **details):
    return {"changed": False, "failed": True, "msg": message, "output": [], "error": [],
            "result": json.dumps({"error": {"code": code, "message": message, **details}})}


@pytest.mark.parametrize("spec", [arr_proxy.SPEC, rewrite_rule.SPEC, rewrite_rule.RULES_SPEC, server_variable.SPEC])
def test_every_config_writing_module_has_backup_keep(spec):
    assert spec.argument_spec["backup_keep"] == {"type": "int", "default": 20}


@pytest.mark.parametrize(("args", "keep"), [({}, 20), ({"backup_keep": 5}, 5), ({"backup_keep": 0}, 0)])
def test_apply_request_carries_backup_keep(args, keep):
    host = FakeHost([proxy_read(), FakeHost.ok({"changed": True, "backups": [BACKUP]})])
    result = make_action(ArrProxy, {"enabled": True, **args}, host).run(task_vars={})
    assert result["changed"] is True
    assert host.calls[1]["script"] == "config_apply"
    assert host.calls[1]["request"]["backup"] is True and host.calls[1]["request"]["backup_keep"] == keep


def test_negative_backup_keep_fails_before_any_write():
    host = FakeHost([proxy_read()])
    result = make_action(ArrProxy, {"enabled": True, "backup_keep": -1}, host).run(task_vars={})
    assert result["failed"] is True and result["changed"] is False
    assert "backup_keep" in result["msg"] and "-1" in result["msg"]
    assert [c["script"] for c in host.calls if c["script"] == "config_apply"] == []


def test_failed_write_says_where_the_backup_is():
    host = FakeHost([proxy_read(), failed_apply("ConfigFileError", "Cannot commit configuration changes: "
                                                "access denied", backups=[BACKUP])])
    result = make_action(ArrProxy, {"enabled": True}, host).run(task_vars={})
    assert result["failed"] is True and result["error_code"] == "ConfigFileError"
    assert "access denied" in result["msg"] and BACKUP in result["msg"]
    assert "backed up" in result["msg"]


def test_failed_write_without_backup_names_none():
    host = FakeHost([proxy_read(), failed_apply("FingerprintMismatch", "The configuration file 'x' changed "
                                                "since it was read", backups=[])])
    result = make_action(ArrProxy, {"enabled": True}, host).run(task_vars={})
    assert result["error_code"] == "FingerprintMismatch" and "backed up" not in result["msg"]
    assert "run the task again" in result["msg"]


def test_config_changing_says_what_to_do():
    host = FakeHost([failed_apply("ConfigChanging", "The configuration files changed while they were read, "
                                  "2 times in a row: C:\\inetpub\\wwwroot\\web.config.", files=[])])
    result = make_action(ArrProxy, {"enabled": True}, host).run(task_vars={})
    assert result["failed"] is True and result["error_code"] == "ConfigChanging"
    assert "another program" in result["msg"].lower() and "run the task again" in result["msg"]


def test_commit_failed_part_way_does_not_say_nothing_was_written():
    host = FakeHost([proxy_read(), failed_apply("FingerprintMismatch", "Cannot commit configuration changes "
                                                "because the file has changed on disk", backups=[BACKUP],
                                                moved=["C:\\inetpub\\wwwroot\\web.config"])])
    result = make_action(ArrProxy, {"enabled": True}, host).run(task_vars={})
    assert result["failed"] is True and result["error_code"] == "FingerprintMismatch"
    assert "failed part-way" in result["msg"] and "C:\\inetpub\\wwwroot\\web.config" in result["msg"]
    assert "nothing was written" not in result["msg"] and BACKUP in result["msg"]
