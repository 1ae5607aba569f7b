"""winflask.iis.arr_proxy's action plugin, against replayed win_powershell results."""

import pytest

from ansible_collections.winflask.iis.plugins.action.arr_proxy import ActionModule
from ansible_collections.winflask.iis.plugins.action.arr_proxy_info import ActionModule as InfoModule
from ansible_collections.winflask.iis.plugins.module_utils.arr_proxy import OPTIONS, to_iis

from replay import FakeHost, make_action

FINGERPRINT = {"C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config": "ab" * 32}


def proxy_read(**overrides):
    attributes = {}
    for option, (attr, default) in OPTIONS.items():
        value = overrides.get(option, default)
        attributes[attr] = {"value": to_iis(option, value), "is_default": option not in overrides}
    return FakeHost.ok({"fingerprint": FINGERPRINT, "sections": [{
        "section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": "",
        "file": "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config", "locked": False,
        "element": {"name": "proxy", "attributes": attributes, "children": {}, "items": None}}]})


def test_enable_writes_once_with_only_the_changed_attributes():
    host = FakeHost([proxy_read(), FakeHost.ok({"changed": True, "backups": ["C:\\b\\applicationHost.config"]})])
    result = make_action(ActionModule, {"enabled": True, "timeout": 300, "keep_alive": True}, host).run(task_vars={})
    assert result["changed"] is True
    assert [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    apply = host.calls[1]["request"]
    assert apply["fingerprint"] == FINGERPRINT
    assert apply["operations"] == [{"op": "set", "section": "system.webServer/proxy",
                                    "pspath": "MACHINE/WEBROOT/APPHOST", "location": "", "path": [],
                                    "attributes": {"enabled": True, "timeout": "00:05:00"}}]
    assert result["proxy"]["enabled"] is True and result["proxy"]["timeout"] == 300
    assert result["backups"] == ["C:\\b\\applicationHost.config"]


def test_no_change_makes_no_write():
    host = FakeHost([proxy_read(enabled=True, timeout=300)])
    result = make_action(ActionModule, {"enabled": True, "timeout": 300}, host).run(task_vars={})
    assert result["changed"] is False
    assert len(host.calls) == 1


def test_check_mode_reads_but_never_writes_and_diff_shows_yaml():
    host = FakeHost([proxy_read()])
    result = make_action(ActionModule, {"enabled": True, "http_version": "http11"}, host,
                         check_mode=True, diff=True).run(task_vars={})
    assert result["changed"] is True
    assert [c["script"] for c in host.calls] == ["config_read"]
    assert "enabled: false" in result["diff"]["before"] and "enabled: true" in result["diff"]["after"]
    assert "http_version: http11" in result["diff"]["after"]
    assert "backups" not in result


def test_diff_hidden_without_diff_mode():
    host = FakeHost([proxy_read(), FakeHost.ok({"changed": True, "backups": []})])
    result = make_action(ActionModule, {"enabled": True}, host).run(task_vars={})
    assert "diff" not in result


@pytest.mark.parametrize("args, fragment", [
    ({"timeout": 0}, "timeout must be between 1 and 86400 seconds, got 0"),
    ({"timeout": 86401}, "got 86401"),
    ({"response_buffer_limit": -1}, "response_buffer_limit must be between 0 and 4194303"),
    ({"x_forwarded_for_header_name": "X Forwarded"}, "x_forwarded_for_header_name"),
])
def test_bad_values_fail_before_any_call(args, fragment):
    host = FakeHost([])
    result = make_action(ActionModule, args, host).run(task_vars={})
    assert result["failed"] is True and fragment in result["msg"]
    assert host.calls == []


def test_arr_not_installed_is_a_clear_error():
    host = FakeHost([FakeHost.error("SectionNotRegistered", "missing a section declaration")])
    result = make_action(ActionModule, {"enabled": True}, host).run(task_vars={})
    assert result["failed"] is True
    assert "Install ARR first" in result["msg"] and "winflask.iis.iis_extension" in result["msg"]
    assert len(host.calls) == 1


def test_info_returns_module_shaped_settings():
    host = FakeHost([proxy_read(enabled=True, http_version="http10")])
    result = make_action(InfoModule, {}, host).run(task_vars={})
    assert result["changed"] is False
    assert result["proxy"]["enabled"] is True
    assert result["proxy"]["http_version"] == "http10"
    assert result["proxy"]["timeout"] == 120


@pytest.mark.parametrize("args, fragment", [
    ({"proxy_mode": "reverse"}, "proxy_mode"),
    ({"timeout": "soon"}, "timeout"),
    ({"http_version": "http2"}, "http_version"),
])
def test_unknown_option_or_wrong_type_fails_without_a_call(args, fragment):
    host = FakeHost([])
    result = make_action(ActionModule, args, host).run(task_vars={})
    assert result["failed"] is True and fragment in result["msg"]
    assert host.calls == []
