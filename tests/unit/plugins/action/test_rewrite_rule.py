"""winflask.iis.rewrite_rule, rewrite_rules and rewrite_rule_info against replayed win_powershell results."""

import re

import pytest

from ansible_collections.winflask.iis.plugins.action.rewrite_rule import ActionModule
from ansible_collections.winflask.iis.plugins.action.rewrite_rule_info import ActionModule as InfoModule
from ansible_collections.winflask.iis.plugins.action.rewrite_rules import ActionModule as RulesModule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model

from replay import FakeHost, make_action
from rewrite_host import (APPHOST_FILE, FINGERPRINT, REVERSE_PROXY, allowed_section, applied, read_reply,
                          rules_section)

SITE = "Default Web Site"


def run(module, args, replies, **kwargs):
    host = FakeHost(replies)
    return make_action(module, args, host, **kwargs).run(task_vars=kwargs.pop("task_vars", {})), host


def test_brief_rule_written_once_with_variable_allowed():
    result, host = run(ActionModule, dict(REVERSE_PROXY, site=SITE),
                       [read_reply(rules_section([]), allowed_section(["HTTP_X_ORIGINAL_HOST"])), applied()])
    assert result["changed"] is True, result
    assert [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    reads = host.calls[0]["request"]["reads"]
    assert reads == [{"section": "system.webServer/rewrite/rules", "pspath": f"MACHINE/WEBROOT/APPHOST/{SITE}",
                      "location": ""},
                     {"section": "system.webServer/rewrite/allowedServerVariables",
                      "pspath": "MACHINE/WEBROOT/APPHOST", "location": SITE}]
    (op,) = host.calls[1]["request"]["operations"]
    assert op["op"] == "add" and op["index"] == 0 and op["element"]["attributes"]["name"] == "ReverseProxyInboundRule1"
    assert host.calls[1]["request"]["fingerprint"] == FINGERPRINT
    assert result["rule"]["action"]["url"] == "http://localhost:50100/{R:1}"
    assert result["backups"]


def test_second_run_reports_no_change_and_makes_no_write():
    result, host = run(ActionModule, dict(REVERSE_PROXY, site=SITE),
                       [read_reply(rules_section([REVERSE_PROXY]), allowed_section(["HTTP_X_ORIGINAL_HOST"]))])
    assert result["changed"] is False and len(host.calls) == 1


def test_variable_not_allowed_is_refused_before_any_write():
    result, host = run(ActionModule, dict(REVERSE_PROXY, site=SITE),
                       [read_reply(rules_section([]), allowed_section([]))])
    assert result["failed"] is True
    assert "HTTP_X_ORIGINAL_HOST" in result["msg"] and "winflask.iis.server_variable" in result["msg"]
    assert [c["script"] for c in host.calls] == ["config_read"]


def test_variable_allowed_at_server_level_counts_for_the_site():
    result, _host = run(ActionModule, dict(REVERSE_PROXY, site=SITE),
                        [read_reply(rules_section([]), allowed_section([], inherited=["HTTP_X_ORIGINAL_HOST"])),
                         applied()])
    assert result["changed"] is True and "failed" not in result


def test_variable_allowed_by_the_play_fact_counts_in_check_mode():
    facts = {"ansible_facts": {"winflask_iis_allowed_server_variables": {SITE: ["HTTP_X_ORIGINAL_HOST"]}}}
    host = FakeHost([read_reply(rules_section([]), allowed_section([]))])
    result = make_action(ActionModule, dict(REVERSE_PROXY, site=SITE), host, check_mode=True).run(task_vars=facts)
    assert result["changed"] is True and "failed" not in result
    assert len(host.calls) == 1


def test_allow_server_variables_registers_them_in_the_same_write():
    result, host = run(ActionModule, dict(REVERSE_PROXY, site=SITE, allow_server_variables=True),
                       [read_reply(rules_section([]), allowed_section([])), applied()])
    ops = host.calls[1]["request"]["operations"]
    assert [o["op"] for o in ops] == ["add", "add"]
    assert ops[0]["section"] == "system.webServer/rewrite/allowedServerVariables"
    assert ops[0]["location"] == SITE
    assert ops[0]["element"] == {"name": "add", "attributes": {"name": "HTTP_X_ORIGINAL_HOST"}}
    assert result["server_variables_allowed"] == ["HTTP_X_ORIGINAL_HOST"]
    assert result["ansible_facts"]["winflask_iis_allowed_server_variables"] == {SITE: ["HTTP_X_ORIGINAL_HOST"]}


def test_check_mode_and_diff():
    result, host = run(ActionModule, dict(REVERSE_PROXY, site=SITE, stop_processing=False),
                       [read_reply(rules_section([REVERSE_PROXY]), allowed_section(["HTTP_X_ORIGINAL_HOST"]))],
                       check_mode=True, diff=True)
    assert result["changed"] is True and len(host.calls) == 1 and "backups" not in result
    assert "stop_processing: true" in result["diff"]["before"]
    assert "stop_processing: false" in result["diff"]["after"]


def test_server_scope_uses_global_rules_and_needs_no_allow_list():
    result, host = run(ActionModule, dict(REVERSE_PROXY),
                       [read_reply(rules_section([], model.GLOBAL, site=None)), applied()])
    assert result["changed"] is True, result
    assert host.calls[0]["request"]["reads"] == [{"section": "system.webServer/rewrite/globalRules",
                                                  "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]
    assert result["file"] == APPHOST_FILE


def test_application_scope_reads_the_application_web_config():
    result, host = run(ActionModule, {"name": "r", "site": SITE, "application": "/myApp", "match": {"url": "x"}},
                       [FakeHost.error("PathNotFound", "no application /myApp")])
    assert host.calls[0]["request"]["reads"][0]["pspath"] == f"MACHINE/WEBROOT/APPHOST/{SITE}/myApp"
    assert result["failed"] is True and "application '/myApp' does not exist in site" in result["msg"]


@pytest.mark.parametrize("args, fragment", [
    ({"match": {"url": "(.*"}}, "is not a valid ECMAScript pattern"),
    ({"match": {"url": "(.*)"}, "action": {"type": "Proxy"}}, "action.type must be one of"),
    ({"match": {"url": "(.*)"}, "action": {"type": "Redirect", "url": "/x", "redirect_type": 308}}, "no 308"),
    ({"match": {"url": "(.*)"}, "action": {"type": "CustomResponse", "status_code": 302}}, "outside 300 to 307"),
    ({"match": {"url": "(.*)"}, "server_variables": [{"name": "X-Y", "value": "1"}]}, "server variable name"),
    ({"match": {"url": "(.*)"}, "action": {"type": "Rewrite", "url": "/{C:1}"}}, "{C:1}"),
    ({"match": {"url": "(.*)"}, "action": {"type": "Rewrite", "url": "http://{HTTP_HOST}/{R:1}"}}, "open proxy"),
    ({"match": {"url": "x"}, "relative_to": "a"}, "relative_to ('a') is only used with position=before"),
])
def test_bad_input_fails_before_any_call(args, fragment):
    result, host = run(ActionModule, dict({"name": "r", "site": SITE}, **args), [])
    assert result["failed"] is True and fragment in result["msg"]
    assert host.calls == []


@pytest.mark.parametrize("args, fragment", [
    ({"name": "r", "match": {"url": "x"}, "application": "/app"}, "required by .application.: site"),
    ({"name": "r", "site": SITE, "match": {"url": "x"}, "position": "before"}, "missing: relative_to"),
])
def test_argument_spec_errors_fail_before_any_call(args, fragment):
    host = FakeHost([])
    result = make_action(ActionModule, args, host).run(task_vars={})
    assert result["failed"] is True
    assert re.search(fragment, result["msg"])
    assert host.calls == []


@pytest.mark.parametrize("code, fragment", [
    ("SectionNotRegistered", "URL Rewrite is not installed"),
    ("SiteNotFound", "site 'Default Web Site' does not exist"),
])
def test_host_errors_become_clear_messages(code, fragment):
    result, host = run(ActionModule, {"name": "r", "site": SITE, "match": {"url": "x"}},
                       [FakeHost.error(code, "boom")])
    assert result["failed"] is True and fragment in result["msg"] and len(host.calls) == 1


def test_locked_section_is_refused():
    result, host = run(ActionModule, {"name": "r", "site": SITE, "match": {"url": "x"}},
                       [read_reply(rules_section([], locked=True))])
    assert result["failed"] is True and "locked" in result["msg"] and len(host.calls) == 1


def test_absent_removes_the_rule():
    result, host = run(ActionModule, {"name": "reverseproxyinboundrule1", "site": SITE, "state": "absent"},
                       [read_reply(rules_section([REVERSE_PROXY])), applied()])
    assert result["changed"] is True and result["rule"] is None
    assert host.calls[1]["request"]["operations"][0]["key"] == {"name": "ReverseProxyInboundRule1"}


def test_outbound_precondition_must_exist():
    args = {"name": "o", "site": SITE, "direction": "outbound", "precondition": "IsHtml",
            "match": {"pattern": "x", "server_variable": "RESPONSE_Location"}}
    result, _host = run(ActionModule, args, [read_reply(rules_section([], model.OUTBOUND))])
    assert result["failed"] is True and "precondition 'IsHtml' is not defined" in result["msg"]
    result, host = run(ActionModule, args, [read_reply(rules_section([], model.OUTBOUND, preconditions=["IsHtml"])),
                                            applied()])
    assert result["changed"] is True
    assert host.calls[1]["request"]["operations"][0]["section"] == "system.webServer/rewrite/outboundRules"


def test_rules_list_one_read_one_write_for_200_rules():
    rules = [{"name": f"r{n}", "match": {"url": f"^p{n}/(.*)"}, "action": {"type": "Rewrite", "url": "/{R:1}"}}
             for n in range(200)]
    result, host = run(RulesModule, {"site": SITE, "rules": rules}, [read_reply(rules_section([])), applied()])
    assert [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    assert len(host.calls[1]["request"]["operations"]) == 200 and result["operations"] == 200
    result, host = run(RulesModule, {"site": SITE, "rules": rules}, [read_reply(rules_section(rules))])
    assert result["changed"] is False and len(host.calls) == 1


def test_rules_list_duplicate_name_refused():
    rules = [{"name": "a", "match": {"url": "x"}}, {"name": "A", "match": {"url": "y"}}]
    result, host = run(RulesModule, {"site": SITE, "rules": rules}, [])
    assert result["failed"] is True and "given twice" in result["msg"] and host.calls == []


def test_info_returns_rules_that_feed_back_unchanged():
    reply = read_reply(rules_section([REVERSE_PROXY], inherited=[{"name": "p", "match": {"url": "x"}}]),
                       allowed_section(["HTTP_X_ORIGINAL_HOST"]))
    info, _host = run(InfoModule, {"site": SITE}, [reply])
    assert [r["name"] for r in info["rules"]] == ["ReverseProxyInboundRule1"]
    assert [r["name"] for r in info["inherited_rules"]] == ["p"]
    assert info["allowed_server_variables"] == ["HTTP_X_ORIGINAL_HOST"]
    again, host = run(RulesModule, {"site": SITE, "rules": info["rules"]}, [reply])
    assert again["changed"] is False and "failed" not in again and len(host.calls) == 1


def test_play_fact_is_ignored_outside_check_mode():
    """Outside check mode the earlier task wrote the names, so only the host's list counts."""
    facts = {"ansible_facts": {"winflask_iis_allowed_server_variables": {SITE: ["HTTP_X_ORIGINAL_HOST"]}}}
    host = FakeHost([read_reply(rules_section([]), allowed_section([])), applied()])
    result = make_action(ActionModule, dict(REVERSE_PROXY, site=SITE, allow_server_variables=True),
                         host).run(task_vars=facts)
    assert result["server_variables_allowed"] == ["HTTP_X_ORIGINAL_HOST"]
    host = FakeHost([read_reply(rules_section([]), allowed_section([]))])
    result = make_action(ActionModule, dict(REVERSE_PROXY, site=SITE), host).run(task_vars=facts)
    assert result["failed"] is True and len(host.calls) == 1
