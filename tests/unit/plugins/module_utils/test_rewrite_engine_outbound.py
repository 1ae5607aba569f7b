"""Outbound rules on response headers; each case quotes the Microsoft page and section it follows.

RW2: "URL Rewrite Module 2.0 Configuration Reference" (learn.microsoft.com/iis/extensions/url-rewrite-module/
url-rewrite-module-20-configuration-reference); MRH: "Modifying HTTP Response Headers" (same site).
docs/rewrite-engine.md, "Outbound rules", lists the behaviours.
"""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.outbound import (
    OutboundRuleSet, evaluate_outbound, header_of, variable_of)
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request

RW2_HEADERS = "RW2 'Accessing Response Headers from Rewrite Rules'"
RW2_SET = "RW2 'Setting Response Headers'"
RW2_PRE = "RW2 'Pre-conditions'"
RW2_EXEC = "RW2 'Rules Execution'"
MRH = "MRH 'Modifying HTTP Response Headers' (RESPONSE_Location rule)"

# The rule roles/reverse_proxy/tasks/https.yml writes on IIS without native HSTS (max-age 31536000, no directives).
HSTS_RULE = {"name": "RESPONSE_Strict_Transport_Security",
             "match": {"server_variable": "RESPONSE_Strict_Transport_Security", "pattern": ".*"},
             "conditions": [{"input": "{HTTPS}", "pattern": "^ON$"}],
             "action": {"type": "Rewrite", "value": "max-age=31536000"}}


def out_rule(name: str, variable: str, pattern: str, value: str | None = None, **extra: Any) -> dict[str, Any]:
    action = {"type": "Rewrite", "value": value} if value is not None else {"type": "None"}
    return {"name": name, "match": {"server_variable": variable, "pattern": pattern, **extra.pop("match", {})},
            "action": action, **extra}


def run(rules: list[dict[str, Any]], headers: list[tuple[str, str]], https: bool = True,
        preconditions: list[dict[str, Any]] | None = None, **request: Any) -> dict[str, Any]:
    return evaluate_outbound(OutboundRuleSet(rules, preconditions or []),
                             Request(https=https, **request), headers)


CASES = [
    # (source, rules, https, response headers, headers after, matched)
    (f"{RW2_SET}: a rule on an absent header adds it (the HSTS rule over https)", [HSTS_RULE], True,
     [("Content-Type", "text/html")],
     [("Content-Type", "text/html"), ("Strict-Transport-Security", "max-age=31536000")],
     ["RESPONSE_Strict_Transport_Security"]),
    ("RW1 'Rule conditions' with {HTTPS}: over http the condition ^ON$ fails, no header", [HSTS_RULE], False,
     [("Content-Type", "text/html")], [("Content-Type", "text/html")], []),
    (f"{MRH}: {{R:1}} of the header's own value",
     [out_rule("loc", "RESPONSE_Location", "^http://back:8080/(.*)", "https://www.example.com/{R:1}")], True,
     [("Location", "http://back:8080/a?b=1")], [("Location", "https://www.example.com/a?b=1")], ["loc"]),
    (f"{RW2_HEADERS}: header names compare case-insensitively, underscores for dashes",
     [out_rule("x", "response_x_powered_by", ".+", "hidden")], True,
     [("X-Powered-By", "Flask")], [("X-Powered-By", "hidden")], ["x"]),
    ("RW1 'Rule pattern properties': negate; a pattern that does not match leaves the header",
     [out_rule("neg", "RESPONSE_Server", "^IIS", "none", match={"negate": True}),
      out_rule("no", "RESPONSE_Server", "^nginx", "other")], True,
     [("Server", "IIS")], [("Server", "IIS")], []),
    (f"{RW2_EXEC}: the output of a rule is the input of the next one",
     [out_rule("a", "RESPONSE_X_A", ".*", "one"), out_rule("b", "RESPONSE_X_A", "^one$", "{R:0}-two")], True,
     [], [("X-A", "one-two")], ["a", "b"]),
    ("RW1 'Rules Evaluation': stopProcessing ends the rule set",
     [out_rule("a", "RESPONSE_X_A", ".*", "one", stop_processing=True), out_rule("b", "RESPONSE_X_B", ".*", "two")],
     True, [], [("X-A", "one")], ["a"]),
    ("RW1 'Rules Evaluation': a disabled rule is not evaluated; action None changes nothing",
     [out_rule("off", "RESPONSE_X_A", ".*", "one", enabled=False), out_rule("none", "RESPONSE_X_A", ".*")], True,
     [], [], ["none"]),
    ("RW2 'Tracking Capture Groups Across Conditions' (trackAllCaptures default true in outbound rules)",
     [out_rule("c", "RESPONSE_X_A", ".*", "{C:1}/{C:2}",
               conditions=[{"input": "{HTTP_HOST}", "pattern": "^([^.]+)"},
                           {"input": "{URL}", "pattern": "^/(\\w+)"}])],
     True, [], [("X-A", "www/app")], ["c"]),
]


@pytest.mark.parametrize(("source", "rules", "https", "before", "after", "matched"), CASES,
                         ids=[c[0][:60] for c in CASES])
def test_outbound_cases(source: str, rules: list[dict[str, Any]], https: bool, before: list[tuple[str, str]],
                        after: list[tuple[str, str]], matched: list[str]) -> None:
    result = run(rules, before, https, host="www.example.com", url="/app/page")
    assert result["headers"] == after, source
    assert result["matched_rules"] == matched, source


def test_header_variable_mapping() -> None:
    # RW2_HEADERS: "RESPONSE_" + the header name, dashes as underscores
    assert header_of("RESPONSE_Strict_Transport_Security") == "Strict-Transport-Security"
    assert header_of("HTTP_HOST") is None
    assert variable_of("Content-Type") == "RESPONSE_CONTENT_TYPE"


def test_precondition_on_the_response_content_type() -> None:
    """RW2_PRE: a preCondition checks the response (here {RESPONSE_CONTENT_TYPE}) before the rule runs."""
    pre = [{"name": "IsHtml", "conditions": [{"input": "{RESPONSE_CONTENT_TYPE}", "pattern": "^text/html"}]}]
    rules = [out_rule("tag", "RESPONSE_X_Html", ".*", "yes", precondition="IsHtml")]
    html = run(rules, [("Content-Type", "text/html; charset=utf-8")], preconditions=pre)
    assert html["headers"][-1] == ("X-Html", "yes")
    image = run(rules, [("Content-Type", "image/png")], preconditions=pre)
    assert image["headers"] == [("Content-Type", "image/png")]
    assert image["trace"] == [{"rule": "tag", "result": "precondition false"}]


def test_empty_value_keeps_a_present_header_and_adds_no_absent_one() -> None:
    """UNCONFIRMED (docs/rewrite-engine.md): the docs do not say whether an empty value removes the header."""
    rules = [out_rule("blank", "RESPONSE_Server", ".*", ""), out_rule("none", "RESPONSE_X_New", ".*", "")]
    result = run(rules, [("Server", "Microsoft-IIS/10.0")])
    assert result["headers"] == [("Server", "")]


@pytest.mark.parametrize(("rule", "message"), [
    ({"name": "body", "match": {"filter_by_tags": ["A"], "pattern": "^/old/(.*)"},
      "action": {"type": "Rewrite", "value": "/new/{R:1}"}}, "rewrites the response body"),
    (out_rule("req", "HTTP_HOST", ".*", "x"), "is not a response header"),
    (out_rule("occ", "RESPONSE_X", ".*", "x", match={"occurrences": 2}), "match.occurrences 2"),
])
def test_body_rules_and_unmodelled_options_are_unsupported(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(Unsupported, match=message):
        OutboundRuleSet([rule])


def test_unknown_precondition_and_bad_pattern_name_the_rule() -> None:
    with pytest.raises(EngineError, match="precondition 'Missing' is not a preCondition"):
        OutboundRuleSet([out_rule("r", "RESPONSE_X", ".*", "x", precondition="Missing")])
    with pytest.raises(EngineError, match=r"outbound_rules\[0\] 'r': match.pattern '\(' is not a valid"):
        OutboundRuleSet([out_rule("r", "RESPONSE_X", "(", "x")])
    with pytest.raises(EngineError, match="response_headers must be"):
        evaluate_outbound(OutboundRuleSet([]), Request(), [("X", 1)])


def test_live_read_adds_the_outbound_rules_of_the_deepest_level_only_when_asked() -> None:
    from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import sources

    plain = sources.live_addresses("Default Web Site", "/myApp", ["/myApp/docs"])
    asked = sources.live_addresses("Default Web Site", "/myApp", ["/myApp/docs"], outbound=True)
    assert asked[:-1] == plain
    assert asked[-1].as_dict() == {"section": "system.webServer/rewrite/outboundRules",
                                   "pspath": "MACHINE/WEBROOT/APPHOST/Default Web Site/myApp/docs", "location": ""}
    assert sources.live_addresses("Default Web Site", None, outbound=True)[-1].pspath == \
        "MACHINE/WEBROOT/APPHOST/Default Web Site"
