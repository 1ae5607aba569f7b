"""Validation warnings reach the task result; rules IIS loads are written, read back and left alone."""

from ansible_collections.winflask.iis.plugins.action.rewrite_rule import ActionModule
from ansible_collections.winflask.iis.plugins.action.rewrite_rules import ActionModule as RulesModule

from replay import FakeHost, make_action
from rewrite_host import applied, read_reply, rules_section

SITE = "Default Web Site"
CUSTOM = {"name": "deny", "match": {"url": "^admin"}, "action": {"type": "CustomResponse", "status_code": 403,
                                                                 "url": "/kept"}}


def run(module, args, replies):
    host = FakeHost(replies)
    return make_action(module, args, host).run(task_vars={}), host


def test_unused_attribute_is_written_with_a_warning():
    result, host = run(ActionModule, dict(CUSTOM, site=SITE), [read_reply(rules_section([])), applied()])
    assert result["changed"] is True and not result.get("failed"), result
    assert result["warnings"] == ["rule 'deny': action.url ('/kept') is not used by a CustomResponse action; "
                                  "IIS keeps it (attribute url) and ignores it, and so does this module"]
    (op,) = host.calls[1]["request"]["operations"]
    assert op["element"]["children"]["action"]["attributes"] == {"type": "CustomResponse", "url": "/kept",
                                                                 "statusCode": 403}


def test_same_rule_read_back_is_unchanged_and_still_warns():
    result, host = run(ActionModule, dict(CUSTOM, site=SITE), [read_reply(rules_section([CUSTOM]))])
    assert result["changed"] is False and len(host.calls) == 1, result
    assert len(result["warnings"]) == 1


def test_rule_without_pattern_and_list_warnings():
    rules = [{"name": "everything", "action": {"type": "Rewrite", "url": "server.js"}},
             {"name": "drop", "action": {"type": "AbortRequest", "url": "/x"}}]
    result, host = run(RulesModule, {"site": SITE, "rules": rules}, [read_reply(rules_section([])), applied()])
    assert result["changed"] is True and not result.get("failed"), result
    add = host.calls[1]["request"]["operations"][0]
    assert add["element"]["children"]["match"]["attributes"] == {}  # no url="" (IIS refuses it)
    assert [w.split(":")[0] for w in result["warnings"]] == ["rule 'drop'"]


def test_no_warnings_key_without_warnings():
    rule = {"name": "r", "match": {"url": "x"}, "action": {"type": "Rewrite", "url": "/y"}}
    result, _host = run(ActionModule, dict(rule, site=SITE), [read_reply(rules_section([rule]))])
    assert "warnings" not in result and result["changed"] is False
