"""winflask.iis.iis_features' action plugin: one host_facts read, then ONE win_feature / win_optional_feature call."""

import pytest

from ansible_collections.winflask.iis.plugins.action.iis_features import ActionModule

from replay import FakeHost, make_action

SERVER = {"os": {"product_type": 3, "caption": "Microsoft Windows Server 2022 Datacenter", "version": "10.0.20348",
                 "installation_type": "Server"}, "iis": {"installed": False}, "sections": [], "global_modules": [],
          "sites": []}
CORE = {**SERVER, "os": {**SERVER["os"], "installation_type": "Server Core"}}
CLIENT = {"os": {"product_type": 1, "caption": "Microsoft Windows 11 Pro", "version": "10.0.22631",
                 "installation_type": "Client"}, "iis": {"installed": False}, "sections": [], "global_modules": [],
          "sites": []}


class Host(FakeHost):
    """Replays win_powershell (scripts) and other modules (win_feature, ...) in call order."""

    def __call__(self, module_name, module_args, task_vars=None):
        if module_name == "ansible.windows.win_powershell":
            return super().__call__(module_name, module_args, task_vars)
        self.calls.append({"module": module_name, "args": module_args})
        return self.replies.pop(0)


def feature_entry(display_name, reboot=False):
    return {"id": 1, "display_name": display_name, "message": [], "reboot_required": reboot,
            "skip_reason": "NotApplicable", "success": True}


def test_server_uses_win_feature_once_with_the_whole_list():
    answer = {"changed": True, "failed": False, "reboot_required": False, "exitcode": "Success", "success": True,
              "feature_result": [feature_entry("Web Server (IIS)"), feature_entry("WebSocket Protocol")]}
    host = Host([FakeHost.ok(SERVER), answer])
    result = make_action(ActionModule, {"name": ["web_server", "websockets"]}, host, diff=True).run(task_vars={})
    assert [c.get("script") or c["module"] for c in host.calls] == ["host_facts", "ansible.windows.win_feature"]
    assert host.calls[1]["args"] == {"name": ["Web-Server", "Web-WebServer", "Web-App-Dev", "Web-WebSockets"],
                                     "state": "present"}
    assert result["changed"] is True and result["sku"] == "server"
    assert result["module"] == "ansible.windows.win_feature"
    assert result["changed_features"] == ["Web Server (IIS)", "WebSocket Protocol"]
    assert "WebSocket Protocol: absent" in result["diff"]["before"]
    assert "WebSocket Protocol: present" in result["diff"]["after"]
    assert result["feature_result"][1]["display_name"] == "WebSocket Protocol"


def test_client_uses_win_optional_feature_with_parents():
    host = Host([FakeHost.ok(CLIENT), {"changed": True, "reboot_required": True}])
    result = make_action(ActionModule, {"name": ["web_server", "Web-WebSockets"]}, host).run(task_vars={})
    assert host.calls[1]["module"] == "ansible.windows.win_optional_feature"
    assert host.calls[1]["args"] == {"name": ["IIS-WebServerRole", "IIS-WebServer", "IIS-ApplicationDevelopment",
                                              "IIS-WebSockets"], "state": "present", "include_parent": True}
    assert result["changed"] is True and result["reboot_required"] is True and result["sku"] == "client"
    assert "feature_result" not in result and "diff" not in result


def test_nothing_to_do_is_not_changed():
    answer = {"changed": False, "reboot_required": False, "exitcode": "NoChangeNeeded", "feature_result": []}
    host = Host([FakeHost.ok(SERVER), answer])
    result = make_action(ActionModule, {}, host).run(task_vars={})
    assert result["changed"] is False and result["changed_features"] == []
    assert host.calls[1]["args"]["name"][:2] == ["Web-Server", "Web-WebServer"]


def test_check_mode_passes_through_to_the_module_and_reports_its_prediction():
    answer = {"changed": True, "reboot_required": False, "feature_result": [feature_entry("Web Server (IIS)")]}
    host = Host([FakeHost.ok(SERVER), answer])
    action = make_action(ActionModule, {"name": ["web_server"]}, host, check_mode=True)
    result = action.run(task_vars={})
    assert result["changed"] is True and action.writes == 0
    assert len(host.calls) == 2  # the module itself runs -WhatIf in check mode


def test_absent_passes_only_the_named_features():
    host = Host([FakeHost.ok(CLIENT), {"changed": True, "reboot_required": False}])
    result = make_action(ActionModule, {"name": ["websockets"], "state": "absent"}, host).run(task_vars={})
    assert host.calls[1]["args"] == {"name": ["IIS-WebSockets"], "state": "absent"}
    assert result["changed"] is True


@pytest.mark.parametrize("names, fragment", [
    (["websocket"], "unknown feature 'websocket'"),
    ([], "at least one"),
])
def test_bad_friendly_names_fail_before_any_call(names, fragment):
    host = Host([])
    result = make_action(ActionModule, {"name": names}, host).run(task_vars={})
    assert result["failed"] is True and fragment in result["msg"]
    assert host.calls == []


def test_unknown_raw_name_failure_names_the_sku_and_valid_names():
    failure = {"failed": True, "changed": False,
               "msg": "Unhandled exception while executing module: ArgumentNotValid: The role, role service, or "
                      "feature name is not valid: 'Web-Nope'. The name was not found."}
    host = Host([FakeHost.ok(SERVER), failure])
    result = make_action(ActionModule, {"name": ["web_server", "Web-Nope"]}, host).run(task_vars={})
    assert result["failed"] is True and result["changed"] is False
    assert "Windows Server (Microsoft Windows Server 2022 Datacenter)" in result["msg"]
    assert "'Web-Nope'" in result["msg"] and "websockets" in result["msg"]


def test_wrong_kind_of_raw_name_fails_after_the_read_without_module_call():
    host = Host([FakeHost.ok(CLIENT)])
    result = make_action(ActionModule, {"name": ["Web-Ftp-Server"]}, host).run(task_vars={})
    assert result["failed"] is True and "client Windows (Microsoft Windows 11 Pro)" in result["msg"]
    assert len(host.calls) == 1


def test_server_core_refuses_the_console_before_the_module():
    host = Host([FakeHost.ok(CORE)])
    result = make_action(ActionModule, {"name": ["management_console"]}, host).run(task_vars={})
    assert result["failed"] is True and "Server Core" in result["msg"]
    assert len(host.calls) == 1
