"""Planning of rewrite maps, outbound preConditions and customTags (module_utils/rewrite/maps, outbound, named)."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import maps, outbound, scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import Named, plan_named
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

MAPS = Address("system.webServer/rewrite/rewriteMaps", "MACHINE/WEBROOT/APPHOST/S", "")


def map_node(name, entries, local=True, **attrs):
    values = {"name": name, "defaultValue": attrs.get("defaultValue"), "ignoreCase": attrs.get("ignoreCase", True)}
    return {"name": "rewriteMap", "locally_stored": local,
            "attributes": {k: {"value": v, "is_default": False} for k, v in values.items()},
            "items": [{"name": "add", "attributes": {"key": {"value": k}, "value": {"value": v}}}
                      for k, v in entries]}


def section(*items):
    return Node({"name": "rewriteMaps", "items": list(items)})


def plan(node, args):
    named = Named.from_node(node, maps.map_from_node, "rewrite map")
    existing = named.find(args["name"])
    current = named.local[existing] if existing is not None else None
    desired = maps.desired_map({"entries_mode": "exact", **args}, current) if args.get("state") != "absent" else None
    return plan_named(MAPS, [], named, desired, args["name"], maps.map_element)


def test_entries_as_dict_or_list_are_the_same_map():
    as_list = [{"key": "a", "value": "b"}, {"key": "n", "value": "1"}]
    assert maps.entry_list({"a": "b", "n": 1}) == maps.entry_list(as_list) == as_list


@pytest.mark.parametrize("entries, words", [
    ([{"key": "a", "value": "1"}, {"key": "a", "value": "2"}], ["entries[1]", "'a'", "duplicate"]),
    ([{"key": "a"}], ["entries[0].value", "required"]),
    ([{"value": "x"}], ["entries[0].key", "required"]),
    ([{"key": "a", "value": "b", "valeu": 1}], ["entries[0].valeu"]),
    ("a=b", ["entries must be", "'a=b'"]),
    ([{"key": "a", "value": True}], ["entries[0].value", "True"]),
])
def test_bad_entries_are_refused_naming_the_option(entries, words):
    with pytest.raises(ModuleError) as err:
        maps.entry_list(entries)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_keys_are_case_sensitive():
    assert len(maps.entry_list({"A": "1", "a": "2"})) == 2


def test_new_map_is_one_add_with_its_entries():
    ops, before, after = plan(section(), {"name": "Backends", "entries": {"a.example": "http://localhost:1/"}})
    assert before is None and after["entries"] == [{"key": "a.example", "value": "http://localhost:1/"}]
    (op,) = ops
    assert op["op"] == "add" and op["index"] == 0
    assert op["element"] == {"name": "rewriteMap", "attributes": {"name": "Backends"}, "children": {},
                             "items": [{"name": "add", "attributes": {"key": "a.example", "value": "http://localhost:1/"}}]}


def test_same_entries_in_another_order_are_no_change():
    ops, _before, after = plan(section(map_node("M", [("a", "1"), ("b", "2")])),
                               {"name": "m", "entries": {"b": "2", "a": "1"}})
    assert ops == [] and after["name"] == "M"


def test_changed_entry_replaces_the_map_in_its_place():
    node = section(map_node("Other", []), map_node("M", [("a", "1")]))
    ops, before, after = plan(node, {"name": "M", "entries": {"a": "2"}})
    assert [o["op"] for o in ops] == ["remove", "add"] and ops[1]["index"] == 1
    assert before["entries"] == [{"key": "a", "value": "1"}] and after["entries"] == [{"key": "a", "value": "2"}]


def test_merge_and_remove_modes_keep_the_other_entries():
    node = section(map_node("M", [("a", "1"), ("b", "2")], defaultValue="d"))
    _ops, _b, merged = plan(node, {"name": "M", "entries": {"b": "3", "c": "4"}, "entries_mode": "merge"})
    assert merged["entries"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "3"}, {"key": "c", "value": "4"}]
    assert merged["default_value"] == "d"  # not given: kept
    _ops, _b, removed = plan(node, {"name": "M", "entries": ["a"], "entries_mode": "remove"})
    assert removed["entries"] == [{"key": "b", "value": "2"}]


def test_absent_map_is_one_remove_and_a_missing_one_nothing():
    ops, _b, after = plan(section(map_node("M", [])), {"name": "m", "state": "absent"})
    assert ops == [{"op": "remove", **MAPS.as_dict(), "path": [], "key": {"name": "M"}}] and after is None
    assert plan(section(), {"name": "m", "state": "absent"})[0] == []


def test_inherited_map_of_the_same_name_is_refused():
    named = Named.from_node(section(map_node("M", [], local=False)), maps.map_from_node, "rewrite map")
    with pytest.raises(ModuleError, match="inherited"):
        named.refuse_inherited("m", "site 'S'")


def test_map_read_back_feeds_back_unchanged():
    """A map written by hand with no value attribute reads as value '' and writes back equal."""
    node = section(map_node("M", [("k", None)], defaultValue=""))
    current = maps.map_from_node(node.items[0])
    assert current == {"name": "M", "default_value": "", "ignore_case": True, "entries": [{"key": "k", "value": ""}]}
    assert plan(node, dict(current))[0] == []


# -- preConditions and customTags -----------------------------------------------------------------
def test_precondition_defaults_and_element():
    pre = outbound.normalise_precondition({"name": "IsHTML", "conditions": [
        {"input": "{RESPONSE_CONTENT_TYPE}", "pattern": "^text/html"}]})
    assert pre == {"name": "IsHTML", "logical_grouping": "MatchAll", "pattern_syntax": "ECMAScript",
                   "conditions": [{"input": "{RESPONSE_CONTENT_TYPE}", "match_type": "Pattern",
                                   "pattern": "^text/html", "ignore_case": True, "negate": False}]}
    assert outbound.precondition_element(pre) == {
        "name": "preCondition", "attributes": {"name": "IsHTML"}, "children": {},
        "items": [{"name": "add", "attributes": {"input": "{RESPONSE_CONTENT_TYPE}", "pattern": "^text/html"}}]}


@pytest.mark.parametrize("args, words", [
    ({"name": "P", "conditions": [{"input": "{A}", "pattern": "(x"}]}, ["conditions[0].pattern", "'(x'"]),
    ({"name": "P", "logical_grouping": "any"}, ["logical_grouping", "'any'"]),
    ({"name": "P", "pattern_syntax": "regex"}, ["pattern_syntax", "'regex'"]),
    ({"name": "P", "conditions": [{"input": "{A}", "pattern": "x"}, {"input": "{A}", "pattern": "x"}]},
     ["conditions[1]", "conditions[0]", "duplicate"]),
    ({"name": " "}, ["name", "non-empty"]),
])
def test_bad_precondition_is_refused(args, words):
    with pytest.raises(ModuleError) as err:
        outbound.normalise_precondition(args)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_custom_tags_duplicate_tag_refused_case_insensitively():
    with pytest.raises(ModuleError, match=r"tags\[1\]"):
        outbound.normalise_custom_tags({"name": "T", "tags": [{"name": "video", "attribute": "src"},
                                                              {"name": "VIDEO", "attribute": "SRC"}]})


def test_rules_using_a_precondition_or_tags():
    node = Node({"name": "outboundRules", "items": [
        {"name": "rule", "attributes": {"name": {"value": "R"}, "preCondition": {"value": "ishtml"}},
         "children": {"match": {"name": "match", "attributes": {"customTags": {"value": "Mine"}}}}}]})
    assert outbound.rules_using(node, "preCondition", "IsHTML") == ["R"]
    assert outbound.rules_using(node, "customTags", "mine") == ["R"]
    assert outbound.rules_using(node, "preCondition", "Other") == []


# -- server-level distributed rules ---------------------------------------------------------------
def test_server_rules_distributed_addresses_rules_in_applicationhost_root():
    scope = scopes.scope_from_args({"server_rules": "distributed"})
    assert scope.rules_address == Address("system.webServer/rewrite/rules")
    assert scope.needs_allowed_variables and scope.allowed_address == Address(
        "system.webServer/rewrite/allowedServerVariables")
    assert scopes.scope_from_args({}).rules_address == Address("system.webServer/rewrite/globalRules")


@pytest.mark.parametrize("args", [{"server_rules": "distributed", "site": "S"},
                                  {"server_rules": "distributed", "direction": "outbound"}])
def test_server_rules_only_at_the_server_level_inbound(args):
    with pytest.raises(ModuleError, match="server_rules"):
        scopes.scope_from_args(args)
