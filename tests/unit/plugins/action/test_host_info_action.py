"""winflask.iis.host_info's action plugin, against a replayed host_facts result."""

import re


from ansible_collections.winflask.iis.plugins.action.host_info import ActionModule

from replay import FakeHost, make_action

FACTS = {"os": {"product_type": 1, "caption": "Microsoft Windows 11 Pro", "version": "10.0.22631",
                "installation_type": "Client"},
         "powershell_version": "5.1.22621.4391",
         "iis": {"installed": True, "version": "10.0",
                 "config_file": "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"},
         "sections": ["system.webServer/rewrite/rules", "system.webServer/rewrite/globalRules",
                      "system.webServer/rewrite/allowedServerVariables"],
         "global_modules": ["RewriteModule"],
         "sites": [{"name": "Default Web Site", "id": 1, "physical_path": "%SystemDrive%\\inetpub\\wwwroot"}]}


def test_one_read_returns_facts_and_derived_values():
    host = FakeHost([FakeHost.ok(FACTS)])
    result = make_action(ActionModule, {}, host).run(task_vars={})
    assert [c["script"] for c in host.calls] == ["host_facts"]
    assert host.calls[0]["request"] == {}
    assert result["changed"] is False
    assert result["sku"] == "client" and result["server_core"] is False
    assert result["extensions"] == {"url_rewrite": True, "arr": False}
    assert result["os"]["caption"] == "Microsoft Windows 11 Pro"
    assert result["sites"][0]["id"] == 1


def test_check_mode_still_reads():
    host = FakeHost([FakeHost.ok(FACTS)])
    result = make_action(ActionModule, {}, host, check_mode=True).run(task_vars={})
    assert result["changed"] is False and result["iis"]["installed"] is True
    assert len(host.calls) == 1


def test_unknown_option_fails_without_a_call():
    host = FakeHost([])
    action = make_action(ActionModule, {"gather": "all"}, host)
    action._load_name = "winflask.iis.host_info"  # set by the plugin loader in a real run
    result = action.run(task_vars={})
    assert result["failed"] is True
    assert re.search("gather", result["msg"])
    assert host.calls == []


def test_script_error_is_reported():
    host = FakeHost([FakeHost.error("ScriptError", "Access is denied")])
    result = make_action(ActionModule, {}, host).run(task_vars={})
    assert result["failed"] is True and "Access is denied" in result["msg"]
