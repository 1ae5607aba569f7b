"""Host-independent rule checks: back-references, actions, variable names, the open-proxy guard."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.validate import (
    check_rule, check_rule_list, request_controlled_host)

from rewrite_host import REVERSE_PROXY


def shaped(flavor=model.INBOUND, **rule):
    rule.setdefault("name", "r")
    rule.setdefault("match", {"url": "(.*)"})
    return model.normalise_rule(rule, flavor)


def test_brief_reverse_proxy_rule_is_valid():
    check_rule(model.normalise_rule(dict(REVERSE_PROXY), model.INBOUND), model.INBOUND)


@pytest.mark.parametrize("rule, message", [
    (dict(match={"url": "(.*"}), r"rule 'r': match.url '\(\.\*' is not a valid ECMAScript pattern: missing \)"),
    (dict(match={"url": ""}), "match.url is required"),
    (dict(action={"type": "Rewrite", "url": "/x/{R:2}"}),
     r"uses \{R:2\} but the rule's match pattern can only produce \{R:0\}..\{R:1\}"),
    (dict(match={"url": "x"}, action={"type": "Rewrite", "url": "/{R:1}"}), r"\{R:1\}.*\{R:0\}..\{R:0\}"),
    (dict(action={"type": "Rewrite", "url": "/{C:1}"}),
     r"uses \{C:1\} but the rule's conditions can only produce none"),
    (dict(conditions=[{"input": "{HTTP_HOST}", "pattern": "^(www)\\.(.*)$"}],
          action={"type": "Rewrite", "url": "/{C:3}"}), r"\{C:3\}.*\{C:0\}..\{C:2\}"),
    (dict(action={"type": "Redirect"}), "action.url is required for a Redirect action"),
    (dict(action={"type": "Rewrite", "url": ""}), "action.url is required for a Rewrite action"),
    (dict(action={"type": "AbortRequest", "url": "/x"}), "action.url is only used by Rewrite and Redirect"),
    (dict(action={"type": "CustomResponse", "status_code": 302}), "status_code must be an HTTP status .* got 302"),
    (dict(action={"type": "CustomResponse"}), "status_code must be an HTTP status .* got 0"),
    (dict(action={"type": "Redirect", "url": "/x", "status_code": 403}), "only used by CustomResponse"),
    (dict(action={"type": "CustomResponse", "status_code": 403, "sub_status_code": 1000}), "sub_status_code"),
    (dict(server_variables=[{"name": "HTTP X", "value": "1"}]),
     r"server_variables\[0\].name must be a server variable name .* got 'HTTP X'"),
    (dict(server_variables=[{"name": "A", "value": "1"}, {"name": "a", "value": "2"}]), "set twice"),
    (dict(server_variables=[{"name": "X", "value": "{R:4}"}]), r"server_variables\[0\].value uses \{R:4\}"),
    (dict(conditions=[{"input": "{R:3}", "pattern": "x"}]), r"conditions\[0\].input uses \{R:3\}"),
    (dict(conditions=[{"input": "{HTTPS}", "pattern": "[off"}]), r"conditions\[0\].pattern '\[off' is not a valid"),
])
def test_bad_rules_fail_with_the_option_and_value(rule, message):
    with pytest.raises(ModuleError, match=message):
        check_rule(shaped(**rule), model.INBOUND)


def test_track_all_captures_counts_every_condition():
    conditions = [{"input": "{HTTP_HOST}", "pattern": "^(a)$"}, {"input": "{HTTPS}", "pattern": "^(o)(n)$"}]
    check_rule(shaped(conditions=conditions, track_all_captures=True, action={"type": "Rewrite", "url": "/{C:4}"}),
               model.INBOUND)
    with pytest.raises(ModuleError, match=r"\{C:4\}"):
        check_rule(shaped(conditions=conditions, action={"type": "Rewrite", "url": "/{C:4}"}), model.INBOUND)


def test_negated_match_and_conditions_capture_nothing():
    with pytest.raises(ModuleError, match=r"\{R:1\}"):
        check_rule(shaped(match={"url": "^(api)/", "negate": True}, action={"type": "Rewrite", "url": "/{R:1}"}),
                   model.INBOUND)
    check_rule(shaped(match={"url": "^(api)/", "negate": True}, action={"type": "Rewrite", "url": "/x?u={R:0}"}),
               model.INBOUND)
    with pytest.raises(ModuleError, match=r"\{C:1\}.*none"):
        check_rule(shaped(conditions=[{"input": "{HTTPS}", "pattern": "(on)", "negate": True}],
                          action={"type": "Rewrite", "url": "/{C:1}"}), model.INBOUND)


def test_wildcard_back_references_follow_the_stars():
    check_rule(shaped(pattern_syntax="Wildcard", match={"url": "*/*.html"},
                      action={"type": "Rewrite", "url": "/{R:1}/{R:2}"}), model.INBOUND)
    with pytest.raises(ModuleError, match=r"\{R:3\}"):
        check_rule(shaped(pattern_syntax="wildcard", match={"url": "*/*.html"},
                          action={"type": "Rewrite", "url": "/{R:3}"}), model.INBOUND)


def test_is_file_only_in_distributed_rules():
    rule = shaped(model.GLOBAL, conditions=[{"input": "{REQUEST_FILENAME}", "match_type": "IsFile"}])
    with pytest.raises(ModuleError, match="IsFile works only in distributed rules"):
        check_rule(rule, model.GLOBAL)
    check_rule(shaped(conditions=[{"input": "{REQUEST_FILENAME}", "match_type": "is_file"}]), model.INBOUND)


@pytest.mark.parametrize("url, reference", [
    ("http://{HTTP_HOST}/{R:1}", "{HTTP_HOST}"),
    ("https://{R:1}/x", "{R:1}"),
    ("http://{C:1}.internal:8080/", "{C:1}"),
    ("http://backend{HTTP_X_NODE}.local/", "{HTTP_X_NODE}"),
    ("http://{ToLower:{HTTP_HOST}}/", "{ToLower:{HTTP_HOST}}"),
    ("{HTTP_X_TARGET}/path", "{HTTP_X_TARGET}"),
    ("http://localhost:50100/{R:1}", None),
    ("http://localhost:{SERVER_PORT}/{R:1}", None),
    ("http://{Backends:{HTTP_HOST}}/{R:1}", None),
    ("/app/{R:1}?h={HTTP_HOST}", None),
    ("{R:1}", None),
    ("{R:1}?q={QUERY_STRING}", None),
])
def test_request_controlled_host(url, reference):
    assert request_controlled_host(url) == reference


def test_open_proxy_refused_unless_allowed():
    rule = shaped(action={"type": "Rewrite", "url": "http://{HTTP_HOST}/{R:1}"})
    with pytest.raises(ModuleError, match="open proxy.*allow_open_proxy=true"):
        check_rule(rule, model.INBOUND)
    check_rule(rule, model.INBOUND, allow_open_proxy=True)
    # A redirect to the request's host is not a proxy
    check_rule(shaped(action={"type": "Redirect", "url": "https://{HTTP_HOST}/{R:1}"}), model.INBOUND)


def test_duplicate_names_case_insensitive():
    with pytest.raises(ModuleError, match="rule name 'A' is given twice"):
        check_rule_list([shaped(name="a"), shaped(name="A")], model.INBOUND)


def test_outbound_checks():
    ok = shaped(model.OUTBOUND, match={"pattern": "^http://localhost:50100/(.*)",
                                       "server_variable": "RESPONSE_Location"},
                action={"type": "Rewrite", "value": "https://example.com/{R:1}"})
    check_rule(ok, model.OUTBOUND)
    with pytest.raises(ModuleError, match="cannot be used together"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "x", "server_variable": "RESPONSE_X",
                                                 "filter_by_tags": ["A"]}), model.OUTBOUND)
    with pytest.raises(ModuleError, match="match.custom_tags"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "x", "filter_by_tags": ["CustomTags"]}), model.OUTBOUND)
    with pytest.raises(ModuleError, match="match.pattern is required"):
        check_rule(shaped(model.OUTBOUND, match={"server_variable": "RESPONSE_X"}), model.OUTBOUND)
    with pytest.raises(ModuleError, match=r"action.value uses \{R:2\}"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "(a)"}, action={"type": "Rewrite", "value": "{R:2}"}),
                   model.OUTBOUND)
