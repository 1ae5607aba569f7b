"""winflask.iis.rewrite_rule_test: data mode calls no host, live mode reads once, expect fails naming the request."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.winflask.iis.plugins.action.rewrite_rule_test import ActionModule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expect import differences

from replay import FakeHost, make_action
from rewrite_host import allowed_section, read_reply, rules_section, section
from rewrite_xml import WEB_CONFIG

SITE = "Default Web Site"
PROXY = {"name": "ReverseProxyInboundRule1", "stop_processing": True, "match": {"url": "(.*)"},
         "conditions": [{"input": "{CACHE_URL}", "pattern": "^(https?)://"}],
         "server_variables": [{"name": "HTTP_X_FORWARDED_PROTO", "value": "{C:1}"},
                              {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}],
         "action": {"type": "Rewrite", "url": "http://127.0.0.1:50100/{R:1}"}}
HELP = {"url": "/myApp/help?x=1", "host": "www.example.com"}
GOOD = {"final": {"type": "Rewrite", "url": "http://127.0.0.1:50100/myApp/help?x=1", "proxy": True},
        "request_headers": {"X-Original-Host": "www.example.com"}}


def run(args: dict[str, Any], replies: list[dict[str, Any]] = (), check_mode: bool = False):
    host = FakeHost(list(replies))
    result = make_action(ActionModule, args, host, check_mode=check_mode).run(task_vars={})
    return result, host


def live_reply(allowed: list[str]) -> dict[str, Any]:
    maps = section("system.webServer/rewrite/rewriteMaps", f"MACHINE/WEBROOT/APPHOST/{SITE}", "", "x",
                   {"name": "rewriteMaps", "attributes": {}, "children": {}, "items": []})
    return read_reply(rules_section([], model.GLOBAL, site=None), rules_section([PROXY]), allowed_section(allowed),
                      maps)


@pytest.mark.parametrize("check_mode", [False, True])
def test_data_mode_makes_no_host_call_and_meets_expect(check_mode: bool):
    result, host = run({"config": [{"path": "/", "xml": WEB_CONFIG}], "requests": [{**HELP, "expect": GOOD}]},
                       check_mode=check_mode)
    assert host.calls == []
    assert "failed" not in result and result["changed"] is False, result
    (got,) = result["results"]
    assert got["url"] == "/myApp/help?x=1" and got["matched_rules"] == ["ReverseProxyInboundRule1"]
    assert got["final"]["url"] == "http://127.0.0.1:50100/myApp/help?x=1"
    assert got["request_headers"]["x-original-host"] == "www.example.com"
    assert got["server_variables"]["HTTP_X_FORWARDED_PROTO"] == "http"


def test_unmet_expect_fails_naming_the_request_and_each_difference_with_results():
    wrong = {"final": {"url": "http://127.0.0.1:50100/other", "status": None},
             "request_headers": {"x-forwarded-for": "1.2.3.4"}}
    result, host = run({"config": [{"path": "/", "xml": WEB_CONFIG}],
                        "requests": [{"url": "/ok", "expect": {"matched_rules": ["ReverseProxyInboundRule1"]}},
                                     {"url": "/x"}, {**HELP, "expect": wrong}]})
    assert host.calls == [] and result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("1 of 3 request(s) did not do what expect says: requests[2] /myApp/help?x=1: ")
    assert ("final.url: expected 'http://127.0.0.1:50100/other', got 'http://127.0.0.1:50100/myApp/help?x=1'"
            in result["msg"])
    assert "request_headers.x-forwarded-for: expected '1.2.3.4', got nothing" in result["msg"]
    assert "final.status" not in result["msg"]
    assert len(result["results"]) == 3


@pytest.mark.parametrize("check_mode", [False, True])
def test_live_mode_reads_once_and_gives_the_same_answer(check_mode: bool):
    result, host = run({"site": SITE, "requests": [{**HELP, "expect": GOOD}]},
                       [live_reply(["HTTP_X_FORWARDED_PROTO", "HTTP_X_ORIGINAL_HOST"])], check_mode=check_mode)
    assert [c["script"] for c in host.calls] == ["config_read"]
    assert len(host.calls[0]["request"]["reads"]) == 4  # /myApp is not in the request's dirs: not read
    assert "failed" not in result, result
    assert result["results"][0]["final"]["url"] == "http://127.0.0.1:50100/myApp/help?x=1"


def test_live_variable_not_allowed_gives_500_50():
    result, _host = run({"site": SITE, "requests": [HELP]}, [live_reply(["HTTP_X_ORIGINAL_HOST"])])
    final = result["results"][0]["final"]
    assert (final["type"], final["status"], final["sub_status"]) == ("Error", 500, 50), result


def test_live_url_rewrite_not_installed_is_a_clear_message():
    result, _host = run({"site": SITE, "requests": [HELP]},
                        [FakeHost.error("SectionNotRegistered", "missing a section declaration")])
    assert result["failed"] is True and "URL Rewrite is not installed" in result["msg"]


@pytest.mark.parametrize("args, words", [
    ({"config": [{"path": "/", "xml": '<configuration><system.webServer><rewrite>'
                                      '<rules configSource="r.config" /></rewrite></system.webServer>'
                                      '</configuration>'}], "requests": [HELP]},
     ["config[0] (/)", "configSource", "r.config"]),
    ({"config": [{"path": "/", "xml": "<configuration><system.webServer><rewrite><rules>"
                                      '<rule name="r"><match url="(" /></rule>'
                                      "</rules></rewrite></system.webServer></configuration>"}],
      "requests": [HELP]}, ['config[0] (/) <rules> <rule name="r">: <match url> \'(\' is not a valid']),
    ({"config": [{"path": "/", "xml": WEB_CONFIG}], "requests": [{"url": "no-slash"}]},
     ["requests[0].url must be a path starting with '/'", "'no-slash'"]),
    ({"site": SITE, "requests": [{"url": f"/f{n}/page", "dirs": [f"/f{n}"]} for n in range(51)]},
     ["requests lie in 51 distinct folders below '/'; at most 50"]),
    ({"config": [{"path": "/", "xml": "<configuration>\x01</configuration>"}], "requests": [HELP]},
     ["config[0].xml", "U+0001", "position 15"]),
    ({"config": [{"path": "/", "xml": WEB_CONFIG}], "site": SITE, "application": "/app", "requests": [HELP]},
     ["mutually exclusive", "application", "config"]),
    ({"requests": [HELP]}, ["one of the following is required", "site", "config"]),
    ({"site": "a/b", "requests": [HELP]}, ["site", "'/'"]),
    ({"site": SITE, "application": "/../x", "requests": [HELP]}, ["application", "'..'"]),
])
def test_bad_input_fails_before_any_host_call_naming_the_option(args: dict[str, Any], words: list[str]):
    result, host = run(args)
    assert host.calls == [] and result["failed"] is True and result["changed"] is False
    for word in words:
        assert word in result["msg"], (word, result["msg"])


def test_expect_compares_only_given_keys_lists_exactly_and_header_names_caselessly():
    got = {"matched_rules": ["a", "b"], "final": {"type": "None", "status": None, "proxy": False},
           "request_headers": {"x-original-host": "h"}, "server_variables": {"HTTP_X_A": "1"}}
    assert differences({"final": {"type": "None"}, "request_headers": {"X-ORIGINAL-HOST": "h"},
                        "server_variables": {"http_x_a": "1"}}, got) == []
    assert differences({"matched_rules": ["a"]}, got) == ["matched_rules: expected ['a'], got ['a', 'b']"]
    assert differences({"final": {"proxy": 0}}, got) == ["final.proxy: expected 0, got False"]
    assert differences({"final": "None"}, got) == [
        "final: expected 'None', got {'type': 'None', 'status': None, 'proxy': False}"]
    assert differences({"fnal": {}}, got) == ["fnal: expected {}, got nothing (the result has no 'fnal')"]


def test_live_mode_reads_the_folders_of_the_requests_in_the_same_read():
    # a folder is read when the request lists it in dirs (it exists: config_read refuses a URL level without
    # a physical folder); the same config_read as the site's
    blog = {"name": "BlogRule", "match": {"url": "^post$"}, "action": {"type": "Rewrite", "url": "post.aspx"}}
    maps = section("system.webServer/rewrite/rewriteMaps", f"MACHINE/WEBROOT/APPHOST/{SITE}", "", "x",
                   {"name": "rewriteMaps", "attributes": {}, "children": {}, "items": []})
    reply = read_reply(rules_section([], model.GLOBAL, site=None), rules_section([]),
                       rules_section([blog], site=f"{SITE}/blog"), allowed_section([]), maps)
    result, host = run({"site": SITE, "requests": [
        {"url": "/blog/post?x=1", "dirs": ["/blog"]}, {"url": "/post", "dirs": ["/blog"]},
        {"url": "/blog/2024/post", "dirs": ["/Blog/"]}]}, [reply])
    assert [c["script"] for c in host.calls] == ["config_read"]
    assert [r["pspath"] for r in host.calls[0]["request"]["reads"]] == [
        "MACHINE/WEBROOT/APPHOST", f"MACHINE/WEBROOT/APPHOST/{SITE}", f"MACHINE/WEBROOT/APPHOST/{SITE}/blog",
        "MACHINE/WEBROOT/APPHOST", f"MACHINE/WEBROOT/APPHOST/{SITE}"]
    assert "failed" not in result, result
    first, second, third = result["results"]
    assert first["matched_rules"] == ["BlogRule"] and first["final"]["rooted_url"] == "/blog/post.aspx?x=1"
    assert second["matched_rules"] == []  # /post is not in /blog: the blog level's rules do not run for it
    # /blog/2024 is not listed as existing: the deepest listed folder, /blog, is its last level
    assert third["matched_rules"] == [] and third["captures"] == {}


def test_return_samples_are_what_the_first_example_returns():
    import yaml

    from ansible_collections.winflask.iis.plugins.modules import rewrite_rule_test as doc
    example = yaml.safe_load(doc.EXAMPLES)[0]["winflask.iis.rewrite_rule_test"]
    result, host = run(example)
    assert host.calls == [] and "failed" not in result, result
    (got,) = result["results"]
    samples = {k: v["sample"] for k, v in yaml.safe_load(doc.RETURN)["results"]["contains"].items()}
    assert samples["url"] == got["url"] and samples["matched_rules"] == got["matched_rules"]
    assert samples["captures"] == got["captures"]
    assert samples["final"] == got["final"]
    assert samples["server_variables"] == got["server_variables"]
    assert samples["request_headers"] == got["request_headers"]
