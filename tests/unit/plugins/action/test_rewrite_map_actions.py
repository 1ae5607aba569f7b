"""rewrite_map(_info), rewrite_outbound_precondition, rewrite_custom_tags, rewrite_outbound_info and
server-level distributed rules, against replayed win_powershell results."""

import pytest

from ansible_collections.winflask.iis.plugins.action.rewrite_custom_tags import ActionModule as TagsModule
from ansible_collections.winflask.iis.plugins.action.rewrite_map import ActionModule as MapModule
from ansible_collections.winflask.iis.plugins.action.rewrite_map_info import ActionModule as MapInfoModule
from ansible_collections.winflask.iis.plugins.action.rewrite_outbound_info import ActionModule as OutInfoModule
from ansible_collections.winflask.iis.plugins.action.rewrite_outbound_precondition import ActionModule as PreModule
from ansible_collections.winflask.iis.plugins.action.rewrite_rule import ActionModule as RuleModule
from ansible_collections.winflask.iis.plugins.action.rewrite_rule_info import ActionModule as RuleInfoModule

from replay import FakeHost, make_action
from rewrite_host import APPHOST_FILE, SITE_FILE, allowed_section, applied, read_reply, section

SITE = "Default Web Site"
SITE_PATH = f"MACHINE/WEBROOT/APPHOST/{SITE}"


def run(module, args, replies, check_mode=False, diff=False):
    host = FakeHost(replies)
    return make_action(module, args, host, check_mode=check_mode, diff=diff).run(task_vars={}), host


def _a(value):
    return {"value": value, "is_default": False}


def maps_section(*maps, inherited=()):
    def node(name, entries, local):
        return {"name": "rewriteMap", "locally_stored": local, "children": {},
                "attributes": {"name": _a(name), "defaultValue": {"value": "", "is_default": True},
                               "ignoreCase": {"value": True, "is_default": True}},
                "items": [{"name": "add", "attributes": {"key": _a(k), "value": _a(v)}, "locally_stored": local}
                          for k, v in entries.items()]}
    items = [node(n, e, False) for n, e in inherited] + [node(n, e, True) for n, e in maps]
    return section("system.webServer/rewrite/rewriteMaps", SITE_PATH, "", SITE_FILE,
                   {"name": "rewriteMaps", "attributes": {}, "children": {}, "items": items})


def outbound_section(preconditions=(), tags=(), rules=()):
    pre = [{"name": "preCondition", "locally_stored": True,
            "attributes": {"name": _a(n), "logicalGrouping": _a("MatchAll"), "patternSyntax": _a("ECMAScript")},
            "items": [{"name": "add", "attributes": {"input": _a(i), "pattern": _a(p), "matchType": _a("Pattern"),
                                                     "ignoreCase": _a(True), "negate": _a(False)}}
                      for i, p in conds]} for n, conds in preconditions]
    tag_sets = [{"name": "tags", "locally_stored": True, "attributes": {"name": _a(n)},
                 "items": [{"name": "tag", "attributes": {"name": _a(t), "attribute": _a(a)}} for t, a in pairs]}
                for n, pairs in tags]
    rule_items = [{"name": "rule", "locally_stored": True,
                   "attributes": {"name": _a(n), "preCondition": _a(p)},
                   "children": {"match": {"name": "match", "attributes": {"customTags": _a(t)}}}}
                  for n, p, t in rules]
    element = {"name": "outboundRules", "attributes": {}, "items": rule_items, "children": {
        "preConditions": {"name": "preConditions", "attributes": {}, "items": pre},
        "customTags": {"name": "customTags", "attributes": {}, "items": tag_sets}}}
    return section("system.webServer/rewrite/outboundRules", SITE_PATH, "", SITE_FILE, element)


MAP = {"name": "Backends", "site": SITE, "entries": {"a.example": "http://localhost:50100/"}}


def test_map_created_in_one_read_and_one_write():
    result, host = run(MapModule, MAP, [read_reply(maps_section()), applied()], diff=True)
    assert result["changed"] is True and "failed" not in result, result
    assert [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    assert host.calls[0]["request"]["reads"] == [
        {"section": "system.webServer/rewrite/rewriteMaps", "pspath": SITE_PATH, "location": ""}]
    (op,) = host.calls[1]["request"]["operations"]
    assert op["op"] == "add" and op["element"]["name"] == "rewriteMap"
    assert result["map"]["entries"] == [{"key": "a.example", "value": "http://localhost:50100/"}]
    assert "a.example" in result["diff"]["after"] and result["diff"]["before"] == ""


def test_map_unchanged_makes_no_write_and_check_mode_none():
    current = maps_section(("Backends", {"a.example": "http://localhost:50100/"}))
    result, host = run(MapModule, MAP, [read_reply(current)])
    assert result["changed"] is False and len(host.calls) == 1
    result, host = run(MapModule, {**MAP, "entries": {"b": "c"}}, [read_reply(current)], check_mode=True)
    assert result["changed"] is True and [c["script"] for c in host.calls] == ["config_read"]


@pytest.mark.parametrize("args, words", [
    ({**MAP, "entries": [{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]}, ["entries[1]", "'k'"]),
    ({**MAP, "entries": "k=v"}, ["entries", "'k=v'"]),
    ({**MAP, "state": "absent"}, ["entries", "state=absent"]),
    ({**MAP, "entries": {"k": "a\x01b"}}, ["entries.k", "U+0001"]),
    ({**MAP, "entries": [{"key": "k\x02", "value": "v"}]}, ["entries[0]", "U+0002"]),
    ({**MAP, "name": ""}, ["name", "non-empty"]),
])
def test_bad_map_input_fails_before_any_call(args, words):
    result, host = run(MapModule, args, [])
    assert result["failed"] is True and host.calls == []
    assert all(w in result["msg"] for w in words), result["msg"]


def test_inherited_map_name_is_refused_without_write():
    result, host = run(MapModule, MAP, [read_reply(maps_section(inherited=[("backends", {})]))])
    assert result["failed"] is True and "inherited" in result["msg"] and len(host.calls) == 1


def test_map_info_output_feeds_back_unchanged():
    current = maps_section(("Backends", {"a.example": "http://localhost:50100/", "b": ""}))
    info, _host = run(MapInfoModule, {"site": SITE}, [read_reply(current)])
    (found,) = info["maps"]
    result, host = run(MapModule, {**found, "site": SITE}, [read_reply(current)])
    assert result["changed"] is False and len(host.calls) == 1, result


PRE = {"name": "IsHTML", "site": SITE, "conditions": [{"input": "{RESPONSE_CONTENT_TYPE}", "pattern": "^text/html"}]}


def test_precondition_created_under_preconditions():
    result, host = run(PreModule, PRE, [read_reply(outbound_section()), applied()])
    assert result["changed"] is True, result
    assert host.calls[0]["request"]["reads"][0]["section"] == "system.webServer/rewrite/outboundRules"
    (op,) = host.calls[1]["request"]["operations"]
    assert op["path"] == ["preConditions"] and op["element"]["name"] == "preCondition"


def test_precondition_and_tags_round_trip_through_outbound_info():
    current = outbound_section(preconditions=[("IsHTML", [("{RESPONSE_CONTENT_TYPE}", "^text/html")])],
                               tags=[("Media", [("video", "src")])])
    info, _h = run(OutInfoModule, {"site": SITE}, [read_reply(current)])
    (pre,), (tags,) = info["preconditions"], info["custom_tags"]
    for module, item in ((PreModule, pre), (TagsModule, tags)):
        result, host = run(module, {**item, "site": SITE}, [read_reply(current)])
        assert result["changed"] is False and len(host.calls) == 1, result


def test_precondition_in_use_is_not_removed():
    current = outbound_section(preconditions=[("IsHTML", [])], rules=[("Fix", "IsHTML", "")])
    result, host = run(PreModule, {"name": "IsHTML", "site": SITE, "state": "absent"}, [read_reply(current)])
    assert result["failed"] is True and "'Fix'" in result["msg"] and len(host.calls) == 1


def test_custom_tags_in_use_are_not_removed_and_unused_ones_are():
    current = outbound_section(tags=[("Media", [("video", "src")]), ("Old", [])], rules=[("Fix", "", "Media")])
    result, host = run(TagsModule, {"name": "media", "site": SITE, "state": "absent"}, [read_reply(current)])
    assert result["failed"] is True and "'Fix'" in result["msg"] and len(host.calls) == 1
    result, host = run(TagsModule, {"name": "old", "site": SITE, "state": "absent"}, [read_reply(current), applied()])
    assert result["changed"] is True
    assert host.calls[1]["request"]["operations"] == [
        {"op": "remove", "section": "system.webServer/rewrite/outboundRules", "pspath": SITE_PATH, "location": "",
         "path": ["customTags"], "key": {"name": "Old"}}]


def test_custom_tags_need_tags():
    result, host = run(TagsModule, {"name": "Media", "site": SITE}, [])
    assert result["failed"] is True and "tags is required" in result["msg"] and host.calls == []


# -- server-level distributed rules -----------------------------------------------------------------
def server_rules(names=()):
    items = [{"name": "rule", "locally_stored": True, "attributes": {"name": _a(n)}, "children": {}} for n in names]
    return section("system.webServer/rewrite/rules", "MACHINE/WEBROOT/APPHOST", "", APPHOST_FILE,
                   {"name": "rules", "attributes": {}, "children": {}, "items": items})


def test_distributed_server_rule_written_to_applicationhost_rules():
    rule = {"name": "Block", "server_rules": "distributed", "match": {"url": "^secret"},
            "conditions": [{"input": "{REQUEST_FILENAME}", "match_type": "IsFile"}],
            "action": {"type": "AbortRequest"}}
    result, host = run(RuleModule, rule, [read_reply(server_rules()), applied()])
    assert result["changed"] is True, result
    assert host.calls[0]["request"]["reads"] == [
        {"section": "system.webServer/rewrite/rules", "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]
    (op,) = host.calls[1]["request"]["operations"]
    assert op["section"] == "system.webServer/rewrite/rules"
    assert op["location"] == "" and op["pspath"] == "MACHINE/WEBROOT/APPHOST"


def test_distributed_server_rule_setting_a_variable_reads_the_server_allow_list():
    rule = {"name": "Proxy", "server_rules": "distributed", "match": {"url": "(.*)"},
            "server_variables": [{"name": "HTTP_X_A", "value": "1"}], "action": {"type": "None"}}
    result, host = run(RuleModule, rule, [read_reply(server_rules(), allowed_section([], location=""))])
    assert result["failed"] is True and "HTTP_X_A" in result["msg"] and "at the server level" in result["msg"]
    assert host.calls[0]["request"]["reads"][1] == {
        "section": "system.webServer/rewrite/allowedServerVariables", "pspath": "MACHINE/WEBROOT/APPHOST",
        "location": ""}


def test_rule_info_reads_distributed_server_rules():
    result, host = run(RuleInfoModule, {"server_rules": "distributed"},
                       [read_reply(server_rules(["A"]), allowed_section([], location=""))])
    assert [r["name"] for r in result["rules"]] == ["A"] and result["section"] == "system.webServer/rewrite/rules"
