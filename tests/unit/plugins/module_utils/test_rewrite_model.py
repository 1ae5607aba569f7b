"""The rule model: defaults, enum names, IIS node <-> module shape, element specs."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.config import Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model

from rewrite_host import REVERSE_PROXY, rule_node


def test_partial_rule_gets_iis_defaults():
    rule = model.normalise_rule({"name": "r", "match": {"url": "x"}}, model.INBOUND)
    assert rule["enabled"] is True and rule["stop_processing"] is False
    assert rule["pattern_syntax"] == "ECMAScript"
    assert rule["match"] == {"url": "x", "ignore_case": True, "negate": False}
    assert rule["logical_grouping"] == "MatchAll" and rule["track_all_captures"] is False
    assert rule["action"]["type"] == "None" and rule["action"]["redirect_type"] == "Permanent"
    assert rule["action"]["append_query_string"] is True
    assert rule["conditions"] == [] and rule["server_variables"] == []


def test_outbound_defaults_differ_track_all_captures_true():
    rule = model.normalise_rule({"name": "o", "match": {"pattern": "x"}}, model.OUTBOUND)
    assert rule["track_all_captures"] is True
    assert rule["action"] == {"type": "None", "value": "", "replace": True}
    assert rule["precondition"] == "" and "server_variables" not in rule
    assert rule["match"]["filter_by_tags"] == [] and rule["match"]["occurrences"] == 0


def test_global_rules_have_no_log_rewritten_url():
    rule = model.normalise_rule({"name": "g", "match": {"url": "x"}}, model.GLOBAL)
    assert "log_rewritten_url" not in rule["action"]
    with pytest.raises(ModuleError, match="action.log_rewritten_url is not an option of global"):
        model.normalise_rule({"name": "g", "match": {"url": "x"}, "action": {"log_rewritten_url": True}},
                             model.GLOBAL)


@pytest.mark.parametrize("given, name", [
    ("rewrite", "Rewrite"), ("Redirect", "Redirect"), ("custom_response", "CustomResponse"),
    ("ABORTREQUEST", "AbortRequest"), ("None", "None")])
def test_action_types_any_case(given, name):
    rule = model.normalise_rule({"name": "r", "match": {"url": "x"}, "action": {"type": given}}, model.INBOUND)
    assert rule["action"]["type"] == name


def test_unknown_action_type_names_option_and_value():
    with pytest.raises(ModuleError, match=r"rule 'r': action.type must be one of None, Rewrite, Redirect, "
                                          r"CustomResponse, AbortRequest, got 'Proxy'"):
        model.normalise_rule({"name": "r", "match": {"url": "x"}, "action": {"type": "Proxy"}}, model.INBOUND)


@pytest.mark.parametrize("given, name", [
    (301, "Permanent"), ("302", "Found"), (303, "SeeOther"), ("307", "Temporary"),
    ("found", "Found"), ("see_other", "SeeOther"), ("Temporary", "Temporary")])
def test_redirect_types_numbers_or_names_written_as_names(given, name):
    rule = model.normalise_rule({"name": "r", "match": {"url": "x"},
                                 "action": {"type": "Redirect", "url": "/y", "redirect_type": given}}, model.INBOUND)
    assert rule["action"]["redirect_type"] == name


@pytest.mark.parametrize("given, extra", [(308, "no 308"), ("300", ""), ("Moved", "")])
def test_bad_redirect_types(given, extra):
    with pytest.raises(ModuleError, match=f"action.redirect_type must be 301, 302, 303 or 307.*{extra}"):
        model.normalise_rule({"name": "r", "match": {"url": "x"},
                              "action": {"type": "Redirect", "url": "/y", "redirect_type": given}}, model.INBOUND)


def test_options_of_the_other_direction_are_refused():
    with pytest.raises(ModuleError, match="server_variables is not an option of outbound rules"):
        model.normalise_rule({"name": "o", "match": {"pattern": "x"},
                              "server_variables": [{"name": "A", "value": "b"}]}, model.OUTBOUND)
    with pytest.raises(ModuleError, match="precondition is not an option of inbound rules"):
        model.normalise_rule({"name": "i", "match": {"url": "x"}, "precondition": "p"}, model.INBOUND)
    with pytest.raises(ModuleError, match="match.pattern is not an option of inbound rules"):
        model.normalise_rule({"name": "i", "match": {"url": "x", "pattern": "y"}}, model.INBOUND)


def test_node_round_trip_is_identity_for_module_shape():
    rule = dict(REVERSE_PROXY, conditions=[{"input": "{HTTPS}", "pattern": "^OFF$"},
                                           {"input": "{REQUEST_FILENAME}", "match_type": "IsFile", "negate": True}],
                logical_grouping="MatchAny")
    expected = model.normalise_rule(rule, model.INBOUND)
    assert model.rule_from_node(Node(rule_node(rule)), model.INBOUND) == expected


def test_outbound_tags_round_trip():
    rule = {"name": "o", "match": {"pattern": "^/(.*)", "filter_by_tags": ["img", "A"]},
            "action": {"type": "Rewrite", "value": "/app/{R:1}"}}
    shaped = model.normalise_rule(rule, model.OUTBOUND)
    assert shaped["match"]["filter_by_tags"] == ["A", "Img"]
    assert model.rule_from_node(Node(rule_node(rule, model.OUTBOUND)), model.OUTBOUND) == shaped
    element = model.rule_element(shaped, model.OUTBOUND)
    assert element["children"]["match"]["attributes"] == {"filterByTags": "A, Img", "pattern": "^/(.*)"}


def test_element_writes_only_non_default_attributes():
    rule = model.normalise_rule(dict(REVERSE_PROXY), model.INBOUND)
    element = model.rule_element(rule, model.INBOUND)
    assert element == {
        "name": "rule",
        "attributes": {"name": "ReverseProxyInboundRule1", "stopProcessing": True},
        "children": {
            "match": {"name": "match", "attributes": {"url": "(.*)"}, "children": {}},
            "serverVariables": {"name": "serverVariables", "attributes": {}, "children": {}, "items": [
                {"name": "set", "attributes": {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}}]},
            "action": {"name": "action", "attributes": {"type": "Rewrite", "url": "http://localhost:50100/{R:1}"},
                       "children": {}},
        },
    }


def test_element_with_conditions_and_non_default_flags():
    rule = model.normalise_rule({"name": "https", "match": {"url": "(.*)", "ignore_case": False},
                                 "conditions": [{"input": "{HTTPS}", "pattern": "off", "ignore_case": False}],
                                 "track_all_captures": True,
                                 "action": {"type": "Redirect", "url": "https://{HTTP_HOST}/{R:1}",
                                            "redirect_type": 302}}, model.INBOUND)
    element = model.rule_element(rule, model.INBOUND)
    assert element["children"]["match"]["attributes"] == {"url": "(.*)", "ignoreCase": False}
    assert element["children"]["conditions"] == {
        "name": "conditions", "attributes": {"trackAllCaptures": True}, "children": {},
        "items": [{"name": "add", "attributes": {"input": "{HTTPS}", "pattern": "off", "ignoreCase": False}}]}
    assert element["children"]["action"]["attributes"] == {
        "type": "Redirect", "url": "https://{HTTP_HOST}/{R:1}", "redirectType": "Found"}


def test_node_without_status_code_default_reads_as_zero():
    node = rule_node({"name": "r", "match": {"url": "x"}})
    node["children"]["action"]["attributes"]["statusCode"] = {"value": None, "is_default": True}
    assert model.rule_from_node(Node(node), model.INBOUND)["action"]["status_code"] == 0


def test_rule_without_match_element_reads_back_as_the_rule_without_a_pattern():
    node = rule_node({"name": "iisnode", "action": {"type": "Rewrite", "url": "server.js"}})
    del node["children"]["match"]  # <rule name="iisnode"><action .../></rule>
    read = model.rule_from_node(Node(node), model.INBOUND)
    assert read["match"] == {"url": "", "ignore_case": True, "negate": False}
    assert read == model.normalise_rule({"name": "iisnode", "action": {"type": "Rewrite", "url": "server.js"}},
                                        model.INBOUND)


@pytest.mark.parametrize("flavor", [model.INBOUND, model.GLOBAL])
def test_empty_match_url_is_not_written(flavor):
    """match/@url is validated nonEmptyString: IIS refuses url="" but accepts the attribute absent."""
    rule = model.normalise_rule({"name": "all", "match": {"url": "", "negate": True}}, flavor)
    assert model.rule_element(rule, flavor)["children"]["match"]["attributes"] == {"negate": True}
    rule = model.normalise_rule({"name": "all"}, flavor)
    assert model.rule_element(rule, flavor)["children"]["match"]["attributes"] == {}


def test_unused_action_attributes_are_written_and_read_back():
    """IIS keeps an attribute the action type does not use: it is written and compared like any other."""
    given = {"name": "deny", "action": {"type": "CustomResponse", "status_code": 403, "url": "/kept",
                                        "redirect_type": "Found"}}
    rule = model.normalise_rule(given, model.INBOUND)
    assert model.rule_element(rule, model.INBOUND)["children"]["action"]["attributes"] == {
        "type": "CustomResponse", "url": "/kept", "redirectType": "Found", "statusCode": 403}
    assert model.rule_from_node(Node(rule_node(given)), model.INBOUND) == rule
    assert rule != model.normalise_rule(dict(given, action=dict(given["action"], url="")), model.INBOUND)
