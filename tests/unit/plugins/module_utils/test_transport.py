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


def write_scripts(root, files):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


MAIN = ("# header\n# winflask-script: main\nparam(\n    [string]$Request\n)\n"
        "# winflask-include: common/a.ps1\n# winflask-include: common/b.ps1\n\ntry { A; B }\n")


def test_load_script_inlines_each_include(tmp_path, monkeypatch):
    write_scripts(tmp_path, {"main.ps1": MAIN + "# winflask-include: common/a.ps1\n",
                             "common/a.ps1": "function A {\n}\n", "common/b.ps1": "function B {\n}"})
    monkeypatch.setattr(transport, "SCRIPTS_DIR", str(tmp_path))
    text = transport.load_script("main")
    assert text == ("# header\n# winflask-script: main\nparam(\n    [string]$Request\n)\n"
                    "function A {\n}\nfunction B {\n}\n\ntry { A; B }\n")
    assert "winflask-include" not in text


def test_real_scripts_are_sent_expanded():
    text = transport.load_script("config_read")
    assert text.splitlines()[1] == "# winflask-script: config_read"
    assert transport.INCLUDE.search(text) is None
    assert text.count("function Get-IisPaths {") == 1 and text.count("function New-WinflaskError {") == 1
    assert text.index("function Get-IisPaths {") > text.index("param(")


def test_missing_include(tmp_path, monkeypatch):
    write_scripts(tmp_path, {"main.ps1": MAIN, "common/a.ps1": "function A {\n}\n"})
    monkeypatch.setattr(transport, "SCRIPTS_DIR", str(tmp_path))
    with pytest.raises(transport.TargetError, match=r"include 'common/b.ps1' of script 'main' not found") as err:
        transport.load_script("main")
    assert err.value.code == "ScriptMissing"


@pytest.mark.parametrize("include", ["../outside.ps1", "common/../../outside.ps1", "/etc/passwd", "link/x.ps1"])
def test_include_must_stay_under_powershell(tmp_path, monkeypatch, include):
    scripts = tmp_path / "powershell"
    write_scripts(tmp_path, {"outside.ps1": "function X {\n}\n", "elsewhere/x.ps1": "function X {\n}\n",
                             "powershell/main.ps1": f"# h\n# winflask-script: main\n# winflask-include: {include}\n"})
    (scripts / "link").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setattr(transport, "SCRIPTS_DIR", str(scripts))
    with pytest.raises(transport.TargetError, match="is outside") as err:
        transport.load_script("main")
    assert err.value.code == "ScriptMissing"


def test_nested_include_is_refused(tmp_path, monkeypatch):
    write_scripts(tmp_path, {"main.ps1": MAIN, "common/a.ps1": "# winflask-include: common/b.ps1\nfunction A {\n}\n",
                             "common/b.ps1": "function B {\n}\n"})
    monkeypatch.setattr(transport, "SCRIPTS_DIR", str(tmp_path))
    with pytest.raises(transport.TargetError, match="includes do not nest") as err:
        transport.load_script("main")
    assert err.value.code == "ScriptMissing"
