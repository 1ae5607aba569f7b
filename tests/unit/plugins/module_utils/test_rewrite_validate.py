"""Host-independent rule checks: back-references, actions, variable names, the open-proxy guard."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.validate import (
    check_rule, check_rule_list)

from rewrite_host import REVERSE_PROXY


def shaped(flavor=model.INBOUND, **rule):
    rule.setdefault("name", "r")
    rule.setdefault("match", {"url": "(.*)"})
    return model.normalise_rule(rule, flavor)


def test_brief_reverse_proxy_rule_is_valid():
    check_rule(model.normalise_rule(dict(REVERSE_PROXY), model.INBOUND), model.INBOUND)


@pytest.mark.parametrize("rule, message", [
    (dict(match={"url": "(.*"}), r"rule 'r': match.url '\(\.\*' is not a valid ECMAScript pattern: missing \)"),
    (dict(action={"type": "Rewrite", "url": "/x/{R:2}"}),
     r"uses \{R:2\} but the rule's match pattern can only produce \{R:0\}..\{R:1\}"),
    (dict(match={"url": "x"}, action={"type": "Rewrite", "url": "/{R:1}"}), r"\{R:1\}.*\{R:0\}..\{R:0\}"),
    (dict(action={"type": "Rewrite", "url": "/{C:1}"}),
     r"uses \{C:1\} but the rule's conditions can only produce none"),
    (dict(conditions=[{"input": "{HTTP_HOST}", "pattern": "^(www)\\.(.*)$"}],
          action={"type": "Rewrite", "url": "/{C:3}"}), r"\{C:3\}.*\{C:0\}..\{C:2\}"),
    (dict(action={"type": "CustomResponse", "status_code": 302}), r"action.status_code .*300 to 307.* got 302"),
    (dict(action={"type": "CustomResponse", "status_code": 403, "sub_status_code": 1000}), "sub_status_code"),
    (dict(server_variables=[{"name": "HTTP X", "value": "1"}]),
     r"server_variables\[0\].name must be a server variable name .* got 'HTTP X'"),
    (dict(server_variables=[{"name": "A", "value": "1"}, {"name": "a", "value": "2"}]), "set twice"),
    (dict(server_variables=[{"name": "X", "value": "{R:4}"}]), r"server_variables\[0\].value uses \{R:4\}"),
    (dict(conditions=[{"input": "{R:3}", "pattern": "x"}]), r"conditions\[0\].input uses \{R:3\}"),
    (dict(conditions=[{"input": "{HTTPS}", "pattern": "[off"}]), r"conditions\[0\].pattern '\[off' is not a valid"),
    # requireTrimmedString on <action url> (rewrite_schema.xml), whatever the action type
    (dict(action={"type": "Redirect", "url": " https://example.com/{R:1}"}),
     r"rule 'r': action.url must not start or end with whitespace .*requireTrimmedString.*got ' https://example.com/\{R:1\}'"),
    (dict(action={"type": "Rewrite", "url": "/x\n"}), r"action.url must not start or end with whitespace.*got '/x\\n'"),
    (dict(action={"type": "CustomResponse", "status_code": 403, "url": "/x "}), r"action.url must not start or end"),
    # every text that takes {...} references: braces must pair up
    (dict(action={"type": "Redirect", "url": "https://{HTTP_HOST/x"}),
     r"rule 'r': action.url has unbalanced braces: the '\{' at position 8 is never closed .*got 'https://\{HTTP_HOST/x'"),
    (dict(conditions=[{"input": "{HTTP_HOST", "pattern": "x"}]),
     r"conditions\[0\].input has unbalanced braces: the '\{' at position 0 .*got '\{HTTP_HOST'"),
    (dict(server_variables=[{"name": "X", "value": "{R:1}}"}]),
     r"server_variables\[0\].value has unbalanced braces: the '\}' at position 5 closes no '\{', got '\{R:1\}\}'"),
    (dict(action={"type": "CustomResponse", "status_code": 403, "status_reason": "{R:1"}),
     r"action.status_reason has unbalanced braces"),
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


# The open-proxy guard's table of targets is in test_rewrite_proxy_guard.py.


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
    with pytest.raises(ModuleError, match=r"action.value uses \{R:2\}"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "(a)"}, action={"type": "Rewrite", "value": "{R:2}"}),
                   model.OUTBOUND)
    with pytest.raises(ModuleError, match=r"action.value has unbalanced braces.*got '\{R:1'"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "(a)"}, action={"type": "Rewrite", "value": "{R:1"}),
                   model.OUTBOUND)
    with pytest.raises(ModuleError, match=r"conditions\[0\].input has unbalanced braces"):
        check_rule(shaped(model.OUTBOUND, match={"pattern": "(a)"}, conditions=[{"input": "x}", "pattern": "x"}]),
                   model.OUTBOUND)


def test_balanced_braces_and_inner_spaces_are_accepted():
    check_rule(shaped(action={"type": "Rewrite", "url": "/a b/{ToLower:{R:1}}?q={UrlEncode:{HTTP_HOST}}"},
                      conditions=[{"input": "{ToLower:{HTTP_HOST}}", "pattern": ".*"}],
                      server_variables=[{"name": "X", "value": "{C:0} {R:1}"}]), model.INBOUND)
    # an action type that does not use url only warns about it; the schema checks the trim, not the braces
    warnings = check_rule(shaped(action={"type": "CustomResponse", "status_code": 403, "url": "/{x"}), model.INBOUND)
    assert any("action.url" in w for w in warnings)


# -- rules that IIS accepts are accepted (issue 8, section 4) --------------------------------------
@pytest.mark.parametrize("flavor, rule", [
    (model.INBOUND, {"name": "iisnode"}),                      # no <match> element at all
    (model.INBOUND, {"name": "r", "match": {"url": ""}}),      # empty url: written as no attribute
    (model.GLOBAL, {"name": "g", "match": {"ignore_case": False}}),
    (model.OUTBOUND, {"name": "o", "match": {"server_variable": "RESPONSE_X"}}),
])
def test_rule_without_a_pattern_is_accepted(flavor, rule):
    assert check_rule(model.normalise_rule(rule, flavor), flavor) == []


def test_rule_without_a_pattern_captures_only_r0():
    check_rule(shaped(match={}, action={"type": "Rewrite", "url": "/x?u={R:0}"}), model.INBOUND)
    with pytest.raises(ModuleError, match=r"\{R:1\}.*\{R:0\}..\{R:0\}"):
        check_rule(shaped(match={}, action={"type": "Rewrite", "url": "/{R:1}"}), model.INBOUND)


@pytest.mark.parametrize("action, option, value", [
    ({"type": "CustomResponse", "status_code": 403, "url": "/ignored"}, "action.url", "/ignored"),
    ({"type": "AbortRequest", "url": "/x"}, "action.url", "/x"),
    ({"type": "None", "redirect_type": 302}, "action.redirect_type", "Found"),
    ({"type": "Redirect", "url": "/x", "status_code": 403}, "action.status_code", 403),
    ({"type": "Rewrite", "url": "/x", "status_reason": "Nope"}, "action.status_reason", "Nope"),
    ({"type": "Redirect", "url": "/x", "log_rewritten_url": True}, "action.log_rewritten_url", True),
    ({"type": "CustomResponse", "status_code": 403, "append_query_string": False},
     "action.append_query_string", False),
])
def test_unused_action_attributes_are_kept_with_a_warning(action, option, value):
    warnings = check_rule(shaped(action=action), model.INBOUND)
    assert len(warnings) == 1, warnings
    assert f"rule 'r': {option} ({value!r})" in warnings[0]
    assert f"not used by a {action['type']} action" in warnings[0]


def test_outbound_unused_attributes_and_custom_tags_warn():
    warnings = check_rule(shaped(model.OUTBOUND, match={"pattern": "x", "custom_tags": "MyTags"},
                                 action={"type": "None", "value": "y"}), model.OUTBOUND)
    assert any("match.custom_tags ('MyTags')" in w and "CustomTags" in w for w in warnings), warnings
    assert any("action.value ('y')" in w and "None action" in w for w in warnings), warnings
    warnings = check_rule(shaped(model.OUTBOUND, match={"pattern": "x", "server_variable": "RESPONSE_X",
                                                        "filter_by_tags": ["A"]}), model.OUTBOUND)
    assert any("match.filter_by_tags" in w and "server_variable" in w for w in warnings), warnings


@pytest.mark.parametrize("action, message", [
    ({"type": "Redirect", "url": "/x", "status_code": 302}, r"action.status_code .*300 to 307.* got 302"),
    ({"type": "CustomResponse", "status_code": 2 ** 32}, r"action.status_code .*0 to 4294967295.* got 4294967296"),
    ({"type": "CustomResponse", "status_code": -1}, r"action.status_code .*0 to 4294967295.* got -1"),
])
def test_status_code_values_the_schema_refuses(action, message):
    with pytest.raises(ModuleError, match=message):
        check_rule(shaped(action=action), model.INBOUND)


def test_custom_response_status_outside_http_range_warns():
    warnings = check_rule(shaped(action={"type": "CustomResponse"}), model.INBOUND)
    assert len(warnings) == 1 and "action.status_code (0)" in warnings[0], warnings


def test_rewrite_without_url_warns():
    warnings = check_rule(shaped(action={"type": "Redirect"}), model.INBOUND)
    assert len(warnings) == 1 and "action.url is empty" in warnings[0], warnings


def test_is_file_condition_without_input_is_accepted():
    rule = shaped(conditions=[{"match_type": "IsFile", "negate": True}, {"match_type": "IsDirectory"}])
    assert check_rule(rule, model.INBOUND) == []
    warnings = check_rule(shaped(conditions=[{"pattern": "x"}]), model.INBOUND)
    assert len(warnings) == 1 and "conditions[0].input is empty" in warnings[0], warnings


def test_rule_list_collects_the_warnings_of_every_rule():
    warnings = check_rule_list([shaped(name="a", action={"type": "AbortRequest", "url": "/a"}),
                                shaped(name="b", action={"type": "AbortRequest", "url": "/b"})], model.INBOUND)
    assert [w.split(":")[0] for w in warnings] == ["rule 'a'", "rule 'b'"]
