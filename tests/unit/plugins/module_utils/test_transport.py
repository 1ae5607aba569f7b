import json

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import transport


class Recorder:
    def __init__(self, reply):
        self.reply = reply
        self.args = None

    def _execute_module(self, module_name, module_args, task_vars):
        self.args = (module_name, module_args, task_vars)
        return self.reply


def test_run_script_sends_script_and_json_request():
    rec = Recorder({"result": json.dumps({"os": {"product_type": 3}}), "changed": False})
    assert transport.run_script(rec, {}, "host_facts", {"a": 1}) == {"os": {"product_type": 3}}
    name, args, _kwargs = rec.args
    assert name == "ansible.windows.win_powershell"
    assert args["script"].splitlines()[1] == "# winflask-script: host_facts"
    assert json.loads(args["parameters"]["Request"]) == {"a": 1}


def test_script_error_json_becomes_target_error():
    reply = {"failed": True, "result": json.dumps({"error": {"code": "SectionLocked", "message": "locked",
                                                             "file": "web.config"}})}
    with pytest.raises(transport.TargetError) as err:
        transport.parse_result("config_apply", reply)
    assert (err.value.code, err.value.message, err.value.details) == (
        "SectionLocked", "locked", {"file": "web.config"})


def test_powershell_exception_without_json():
    reply = {"failed": True, "result": None, "error": [{"exception": {"message": "boom"}}]}
    with pytest.raises(transport.TargetError, match="boom") as err:
        transport.parse_result("config_read", reply)
    assert err.value.code == "ScriptError"


def test_empty_or_invalid_result_is_an_error():
    with pytest.raises(transport.TargetError, match="no JSON object"):
        transport.parse_result("config_read", {"result": ""})
    with pytest.raises(transport.TargetError, match="invalid JSON"):
        transport.parse_result("config_read", {"result": "{not json"})


def test_missing_script():
    with pytest.raises(transport.TargetError) as err:
        transport.load_script("no_such_script")
    assert err.value.code == "ScriptMissing"
