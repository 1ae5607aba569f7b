"""winflask.iis.rewrite_rule_test: a request's response_headers go through the outbound rules of its path.

Sources: Microsoft, "URL Rewrite Module 2.0 Configuration Reference" (outbound rules, pre-conditions, RESPONSE_*
server variables) and "Modifying HTTP Response Headers" (the inbound rule stores {HTTP_HOST} in ORIGINAL_HOST,
the outbound rule rewrites RESPONSE_Location with it)."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.winflask.iis.plugins.action.rewrite_rule_test import ActionModule
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expect import differences

from replay import FakeHost, make_action
from rewrite_host import allowed_section, read_reply, rules_section, section

SITE = "Default Web Site"
OUTBOUND_SECTION = "system.webServer/rewrite/outboundRules"
INBOUND = """
    <rules>
      <rule name="ReverseProxyInboundRule1" stopProcessing="true">
        <match url="(.*)" />
        <serverVariables><set name="ORIGINAL_HOST" value="{HTTP_HOST}" /></serverVariables>
        <action type="Rewrite" url="http://127.0.0.1:50100/{R:1}" />
      </rule>
    </rules>"""
OUTBOUND = r"""
    <outboundRules>
      <preConditions>
        <preCondition name="IsRedirection"><add input="{RESPONSE_STATUS}" pattern="3\d\d" /></preCondition>
      </preConditions>
      <rule name="ReverseProxyOutboundRule1" preCondition="IsRedirection">
        <match serverVariable="RESPONSE_Location" pattern="^http://127\.0\.0\.1:50100/(.*)" />
        <action type="Rewrite" value="https://{ORIGINAL_HOST}/{R:1}" />
      </rule>
      <rule name="AddHsts">
        <match serverVariable="RESPONSE_Strict_Transport_Security" pattern=".*" />
        <conditions><add input="{HTTPS}" pattern="on" ignoreCase="true" /></conditions>
        <action type="Rewrite" value="max-age=31536000" />
      </rule>
    </outboundRules>"""
BODY_RULE = """
    <outboundRules>
      <rule name="RewriteLinks"><match filterByTags="A" pattern="^http://127\\.0\\.0\\.1:50100/(.*)" />
        <action type="Rewrite" value="/{R:1}" /></rule>
    </outboundRules>"""
REDIRECT = {"url": "/login", "host": "www.example.com", "https": True,
            "server_variables": {"RESPONSE_STATUS": "302"},
            "response_headers": {"Content-Type": "text/html", "Location": "http://127.0.0.1:50100/login?next=/"}}


def web_config(*parts: str) -> str:
    return f"<configuration><system.webServer><rewrite>{''.join(parts)}</rewrite></system.webServer></configuration>"


def run(args: dict[str, Any], replies: list[dict[str, Any]] = (), check_mode: bool = False):
    host = FakeHost(list(replies))
    result = make_action(ActionModule, args, host, check_mode=check_mode).run(task_vars={})
    return result, host


def config(*levels: tuple[str, str]) -> list[dict[str, str]]:
    return [{"path": path, "xml": xml} for path, xml in levels]


@pytest.mark.parametrize("check_mode", [False, True])
def test_response_headers_go_through_the_outbound_rules_and_expect_checks_them(check_mode: bool):
    expect = {"outbound_matched_rules": ["ReverseProxyOutboundRule1", "AddHsts"],
              "response_headers": {"location": "https://www.example.com/login?next=/",
                                   "Strict-Transport-Security": "max-age=31536000", "X-Powered-By": None}}
    result, host = run({"config": config(("/", web_config(INBOUND, OUTBOUND))),
                        "requests": [{**REDIRECT, "expect": expect}]}, check_mode=check_mode)
    assert host.calls == [] and "failed" not in result and result["changed"] is False, result
    (got,) = result["results"]
    assert got["matched_rules"] == ["ReverseProxyInboundRule1"]  # the inbound result is unchanged
    assert got["outbound_matched_rules"] == ["ReverseProxyOutboundRule1", "AddHsts"]
    assert got["response_headers"] == {"Content-Type": "text/html",
                                       "Location": "https://www.example.com/login?next=/",
                                       "Strict-Transport-Security": "max-age=31536000"}


def test_precondition_and_conditions_decide_per_request():
    plain = {**REDIRECT, "https": False, "server_variables": {"RESPONSE_STATUS": "200"}}
    result, _host = run({"config": config(("/", web_config(INBOUND, OUTBOUND))), "requests": [plain]})
    (got,) = result["results"]
    assert got["outbound_matched_rules"] == [] and got["response_headers"] == plain["response_headers"]


def test_without_response_headers_the_result_is_what_it_was_even_with_rules_the_engine_cannot_run():
    result, _host = run({"config": config(("/", web_config(INBOUND, OUTBOUND, BODY_RULE.replace(
        "<outboundRules>", "<outboundRules><clear />")))), "requests": [{"url": "/x"}]})
    assert "failed" not in result, result
    assert set(result["results"][0]) == {"url", "matched_rules", "captures", "final", "server_variables",
                                         "request_headers"}


def test_a_rule_the_engine_cannot_evaluate_fails_the_request_that_needs_it_naming_the_rule():
    result, host = run({"config": config(("/", web_config(BODY_RULE))),
                        "requests": [{"url": "/x"},
                                     {"url": "/page", "response_headers": {"Content-Type": "text/html"}}]})
    assert host.calls == [] and result["failed"] is True
    msg = result["msg"]
    assert msg.startswith("requests[1] /page: the outbound rules cannot be evaluated: "), msg
    assert 'config[0] (/) <outboundRules> <rule name="RewriteLinks">: match without server_variable' in msg
    assert "rewrites the response body" in msg and "filter_by_tags ['A']" in msg


def test_outbound_rules_of_a_folder_apply_below_it_only_and_clear_removes_the_parents():
    blog = web_config("""<outboundRules><clear /><rule name="BlogHeader">
        <match serverVariable="RESPONSE_X_Blog" pattern=".*" /><action type="Rewrite" value="yes" />
        </rule></outboundRules>""")
    result, _host = run({"config": config(("/", web_config(OUTBOUND)), ("/blog", blog)), "requests": [
        {"url": "/blog/post", "https": True, "response_headers": {}},
        {"url": "/about", "https": True, "response_headers": {}}]})
    assert "failed" not in result, result
    in_blog, outside = result["results"]
    assert in_blog["outbound_matched_rules"] == ["BlogHeader"] and in_blog["response_headers"] == {"X-Blog": "yes"}
    assert outside["outbound_matched_rules"] == ["AddHsts"]
    assert outside["response_headers"] == {"Strict-Transport-Security": "max-age=31536000"}


def test_unmet_response_header_expectations_name_each_difference():
    wrong = {"response_headers": {"Location": "https://other/", "Content-Type": None, "X-Missing": "1"},
             "outbound_matched_rules": ["AddHsts"]}
    result, _host = run({"config": config(("/", web_config(INBOUND, OUTBOUND))),
                         "requests": [{**REDIRECT, "expect": wrong}]})
    assert result["failed"] is True and len(result["results"]) == 1
    msg = result["msg"]
    assert msg.startswith("1 of 1 request(s) did not do what expect says: requests[0] /login: "), msg
    assert ("response_headers.Location: expected 'https://other/', got 'https://www.example.com/login?next=/'"
            in msg)
    assert "response_headers.Content-Type: expected absent (null), got 'text/html'" in msg
    assert "response_headers.X-Missing: expected '1', got nothing" in msg
    assert "outbound_matched_rules: expected ['AddHsts'], got ['ReverseProxyOutboundRule1', 'AddHsts']" in msg


def test_null_means_absent_only_in_header_and_variable_dictionaries():
    got = {"final": {"status": None}, "response_headers": {"Server": "x"}, "request_headers": {}}
    assert differences({"request_headers": {"x-a": None}, "response_headers": {"x-a": None}}, got) == []
    assert differences({"response_headers": {"SERVER": None}}, got) == [
        "response_headers.SERVER: expected absent (null), got 'x'"]
    assert differences({"final": {"status": None}}, got) == []
    assert differences({"final": {"url": None}}, got) == [
        "final.url: expected None, got nothing (the result has no 'url')"]


@pytest.mark.parametrize("given, words", [
    ("Location: x", ["requests[0].response_headers", "dictionary", "'Location: x'"]),
    ({"Bad Name": "x"}, ["requests[0].response_headers key 'Bad Name'", "HTTP header name", "' '"]),
    ({"Location": ["a"]}, ["requests[0].response_headers.Location", "as text", "['a']"]),
    ({"Location": "a\x01b"}, ["requests[0].response_headers.Location", "U+0001"]),
])
def test_bad_response_headers_fail_before_any_host_call_naming_the_option(given: Any, words: list[str]):
    result, host = run({"site": SITE, "requests": [{"url": "/x", "response_headers": given}]})
    assert host.calls == [] and result["failed"] is True and result["changed"] is False
    for word in words:
        assert word in result["msg"], (word, result["msg"])


def live_reply(*extra: dict[str, Any]) -> dict[str, Any]:
    """The site's inbound sections (no rules), then ``extra`` (the blog folder's rules, outboundRules)."""
    maps = section("system.webServer/rewrite/rewriteMaps", f"MACHINE/WEBROOT/APPHOST/{SITE}", "", "x",
                   {"name": "rewriteMaps", "attributes": {}, "children": {}, "items": []})
    return read_reply(rules_section([], model.GLOBAL, site=None), rules_section([]), allowed_section([]), maps,
                      *extra)


HSTS = {"name": "AddHsts", "match": {"server_variable": "RESPONSE_Strict_Transport_Security", "pattern": ".*"},
        "action": {"type": "Rewrite", "value": "max-age=31536000"}}


@pytest.mark.parametrize("check_mode", [False, True])
def test_live_mode_adds_the_outbound_rules_to_the_one_read(check_mode: bool):
    reply = live_reply(rules_section([HSTS], model.OUTBOUND))
    result, host = run({"site": SITE, "requests": [
        {"url": "/a", "response_headers": {"Content-Type": "text/plain"}}, {"url": "/b"}]}, [reply],
        check_mode=check_mode)
    assert [c["script"] for c in host.calls] == ["config_read"]
    reads = host.calls[0]["request"]["reads"]
    assert [(r["section"], r["pspath"]) for r in reads if r["section"] == OUTBOUND_SECTION] == [
        (OUTBOUND_SECTION, f"MACHINE/WEBROOT/APPHOST/{SITE}")]  # one per folder of the requests: '/'
    assert "failed" not in result, result
    first, second = result["results"]
    assert first["outbound_matched_rules"] == ["AddHsts"]
    assert first["response_headers"] == {"Content-Type": "text/plain", "Strict-Transport-Security": "max-age=31536000"}
    assert "response_headers" not in second


def test_live_mode_a_body_rule_of_the_requests_folder_fails_naming_it():
    body = {"name": "Links", "match": {"filter_by_tags": ["A"], "pattern": "x"}, "action": {"type": "Rewrite"}}
    reply = live_reply(rules_section([], site=f"{SITE}/blog"),
                       rules_section([body], model.OUTBOUND, site=f"{SITE}/blog"))
    result, host = run({"site": SITE, "requests": [
        {"url": "/blog/a", "response_headers": {}, "dirs": ["/blog"]}]}, [reply])
    assert len(host.calls) == 1 and result["failed"] is True
    assert result["msg"].startswith("requests[0] /blog/a: the outbound rules cannot be evaluated: "), result["msg"]
    assert "outbound_rules[0] 'Links': match without server_variable rewrites the response body" in result["msg"]


def test_the_outbound_example_meets_its_expect_and_gives_the_return_samples():
    import yaml

    from ansible_collections.winflask.iis.plugins.modules import rewrite_rule_test as doc
    example = next(t for t in yaml.safe_load(doc.EXAMPLES) if "outbound" in t["name"])
    result, host = run(example["winflask.iis.rewrite_rule_test"])
    assert host.calls == [] and "failed" not in result, result
    (got,) = result["results"]
    samples = {k: v["sample"] for k, v in yaml.safe_load(doc.RETURN)["results"]["contains"].items()}
    assert samples["outbound_matched_rules"] == got["outbound_matched_rules"]
    assert samples["response_headers"] == got["response_headers"]


def test_live_mode_reads_outbound_rules_only_for_the_folders_of_requests_with_response_headers():
    reply = live_reply(rules_section([], site=f"{SITE}/blog"), rules_section([HSTS], model.OUTBOUND))
    result, host = run({"site": SITE, "requests": [
        {"url": "/blog/a", "dirs": ["/blog"]}, {"url": "/a", "response_headers": {}}]}, [reply])
    assert "failed" not in result, result
    reads = host.calls[0]["request"]["reads"]
    assert [r["pspath"] for r in reads if r["section"] == OUTBOUND_SECTION] == [f"MACHINE/WEBROOT/APPHOST/{SITE}"]
    assert result["results"][1]["outbound_matched_rules"] == ["AddHsts"]


ABORT = """
    <rules>
      <rule name="Drop" stopProcessing="true"><match url="^drop" /><action type="AbortRequest" /></rule>
    </rules>"""


def test_no_outbound_rule_runs_when_the_inbound_rules_leave_no_response():
    # AbortRequest drops the connection: the back end's response given never exists, nothing is sent.
    result, _host = run({"config": config(("/", web_config(ABORT, OUTBOUND))), "requests": [
        {"url": "/drop", "https": True, "response_headers": {"Content-Type": "text/html"}}]})
    assert "failed" not in result, result
    (got,) = result["results"]
    assert got["final"]["type"] == "AbortRequest"
    assert (got["response_headers"], got["outbound_matched_rules"]) == ({}, [])


def test_a_header_named_twice_in_different_case_is_refused_before_any_read():
    result, host = run({"site": SITE, "requests": [
        {"url": "/a", "response_headers": {"X-Seen": "a", "x-seen": "b"}}]})
    assert host.calls == [] and result["failed"] is True
    assert "requests[0].response_headers names the header 'X-Seen' twice ('x-seen')" in result["msg"], result["msg"]
