"""winflask.iis.config_property / config_collection / config_info / config_delegation: the planning code
(module_utils/config_generic.py) and the actions against replayed config_read answers with "details"."""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

from replay import FakeHost, make_action

APPHOST_FILE = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"
FINGERPRINT = {APPHOST_FILE: "ab" * 32}
PROXY_SCHEMA = {"timeout": {"type": "timeSpan"}, "enabled": {"type": "bool"}, "maxForwards": {"type": "uint"},
                "httpVersion": {"type": "enum", "choices": ["PassThrough", "Http10", "Http11"]},
                "flags": {"type": "flags", "choices": ["A", "B", "C"]}, "name": {"type": "string"}}
VARS = "system.webServer/rewrite/allowedServerVariables"
ADDRESS = Address("system.webServer/proxy")


def attr(value, is_default=False):
    return {"value": value, "is_default": is_default}


def proxy(**values):
    defaults = {"timeout": "00:02:00", "enabled": False, "maxForwards": 10, "httpVersion": "PassThrough",
                "flags": "A", "name": None}
    return {"name": "proxy", "locally_stored": True, "items": None,
            "attributes": {k: attr(values.get(k, v), k not in values) for k, v in defaults.items()},
            "children": {"cache": {"name": "cache", "attributes": {"enabled": attr(True, True)}, "children": {},
                                   "items": None, "schema": {"attributes": {"enabled": {"type": "bool"}},
                                                             "collection": None}}},
            "schema": {"attributes": PROXY_SCHEMA, "collection": None}}


def item(name, local=True, **extra):
    return {"name": "add", "attributes": {"name": attr(name), **{k: attr(v) for k, v in extra.items()}},
            "children": {}, "items": None, "locally_stored": local}


def collection(*items, keys=("name",)):
    return {"name": "allowedServerVariables", "attributes": {}, "children": {}, "items": list(items),
            "locally_stored": True,
            "schema": {"attributes": {}, "collection": {"add": ["add"], "keys": list(keys),
                                                        "attributes": {"name": {"type": "string"},
                                                                       "value": {"type": "string"}}}}}


def reply(element, section="system.webServer/proxy", location="", **extra):
    return FakeHost.ok({"fingerprint": FINGERPRINT, "sections": [{
        "section": section, "pspath": "MACHINE/WEBROOT/APPHOST", "location": location, "file": APPHOST_FILE,
        "locked": False, "element": element, **extra}]})


def run(module, args, replies, check_mode=False):
    action = importlib.import_module(f"ansible_collections.winflask.iis.plugins.action.{module}").ActionModule
    host = FakeHost(replies)
    return make_action(action, args, host, check_mode=check_mode, diff=True).run(task_vars={}), host


# -- typed values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "value", "want"), [
    ("timeSpan", 300, "00:05:00"), ("timeSpan", "0:5:0", "00:05:00"), ("timeSpan", "1.00:00:00", "1.00:00:00"),
    ("timeSpan", "00:00:00.1000000", "00:00:00.1"), ("bool", "True", True), ("bool", False, False),
    ("uint", "42", 42), ("enum", "http11", "Http11"), ("flags", "c, a", "A, C"), ("string", True, "true"),
])
def test_values_are_typed_as_the_schema_says(kind, value, want):
    schema = PROXY_SCHEMA.get({"enum": "httpVersion", "flags": "flags"}.get(kind, ""), {"type": kind})
    assert generic.typed(schema, value, "attributes.x") == want


@pytest.mark.parametrize(("kind", "value", "words"), [
    ("timeSpan", "soon", ["attributes.x", "'soon'", "timeSpan"]), ("timeSpan", "25:00:00", ["'25:00:00'"]),
    ("bool", "yes", ["attributes.x", "'yes'", "true or false"]), ("uint", True, ["whole number", "True"]),
    ("uint", "1.5", ["'1.5'"]), ("enum", "Http3", ["'Http3'", "PassThrough, Http10, Http11"]),
    ("flags", "A, D", ["'A, D'"]), ("string", None, ["attributes.x", "state=absent"]),
    ("string", {"a": 1}, ["single value"]),
])
def test_a_value_the_schema_refuses_names_option_and_value(kind, value, words):
    schema = PROXY_SCHEMA.get({"enum": "httpVersion", "flags": "flags"}.get(kind, ""), {"type": kind})
    with pytest.raises(ModuleError) as info:
        generic.typed(schema, value, "attributes.x")
    assert all(w in str(info.value) for w in words), str(info.value)


# -- config_property --------------------------------------------------------------------------------------

def test_property_sets_only_what_differs_in_one_write():
    result, host = run("config_property", {"section": "system.webServer/proxy",
                                           "attributes": {"timeout": 120, "enabled": "true", "flags": "a"}},
                       [reply(proxy()), FakeHost.ok({"changed": True, "backups": []})])
    assert result["changed"] is True and [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    assert host.calls[0]["request"]["reads"][0]["details"] is True
    assert host.calls[1]["request"]["operations"] == [
        {"op": "set", "section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST", "location": "",
         "path": [], "attributes": {"enabled": True}}]
    assert "enabled: true" in result["diff"]["after"]


def test_property_in_a_child_element_check_mode_and_idempotence():
    args = {"section": "system.webServer/proxy", "element": "cache", "attributes": {"enabled": False}}
    result, host = run("config_property", args, [reply(proxy())], check_mode=True)
    assert result["changed"] is True and len(host.calls) == 1
    element = proxy()
    element["children"]["cache"]["attributes"]["enabled"] = attr(False)
    result, host = run("config_property", args, [reply(element)])
    assert result["changed"] is False and len(host.calls) == 1


def test_absent_resets_non_default_attributes_only():
    node = Node(proxy(timeout="00:05:00"))
    ops, before, after = generic.plan_property(node, {"section": "s", "attributes": {"timeout": None,
                                                                                     "enabled": None},
                                                      "state": "absent"}, ADDRESS)
    assert ops == [{"op": "reset", **ADDRESS.as_dict(), "path": [], "attributes": ["timeout"]}]
    assert before == {"timeout": "00:05:00", "enabled": False} and after["timeout"] is None
    ops, _before, _after = generic.plan_property(Node(proxy()), {"section": "s", "attributes": {"timeout": 1},
                                                                 "state": "absent"}, ADDRESS)
    assert ops == []


@pytest.mark.parametrize(("args", "words"), [
    ({"attributes": {"enable": True}}, ["attributes", "'enable'", "enabled"]),
    ({"attributes": {"enabled": True}, "element": "cash"}, ["element", "'cash'", "cache"]),
    ({"attributes": {}}, ["attributes"]),
])
def test_property_unknown_names_fail_after_the_read_without_a_write(args, words):
    result, host = run("config_property", {"section": "system.webServer/proxy", **args}, [reply(proxy())])
    assert result["failed"] is True and len(host.calls) == 1
    assert all(w in result["msg"] for w in words), result["msg"]


@pytest.mark.parametrize(("module", "args", "words"), [
    ("config_property", {"section": "system.webServer/../x", "attributes": {"a": 1}}, ["section", "'..'"]),
    ("config_property", {"section": "system.webServer/proxy", "element": "a//b", "attributes": {"a": 1}},
     ["element", "'a//b'"]),
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"timeout": "1\x01"}},
     ["attributes.timeout", "U+0001"]),
    ("config_property", {"section": "system.webServer/proxy", "in_apphost": True, "attributes": {"a": 1}},
     ["in_apphost", "site"]),
    ("config_collection", {"section": VARS, "items": [{"name": "A\nB"}]}, ["items[0].name", "U+000A"]),
    ("config_collection", {"section": VARS, "items": "text"}, ["items", "list of dictionaries"]),
    ("config_info", {"section": VARS, "site": "a/b"}, ["site", "'/'"]),
    ("config_delegation", {"section": VARS, "site": "S", "application": "/..", "override_mode": "Allow"},
     ["application", "'..'"]),
    ("config_delegation", {"section": VARS, "override_mode": "allow"}, ["override_mode", "allow"]),
])
def test_bad_input_fails_before_any_host_call(module, args, words):
    result, host = run(module, args, [])
    assert result["failed"] is True and result["changed"] is False and host.calls == []
    assert all(w in result["msg"] for w in words), result["msg"]


def test_unregistered_section_says_so():
    result, _host = run("config_info", {"section": "system.webServer/nothing"},
                        [FakeHost.error("SectionNotRegistered", "missing a section declaration")])
    assert result["failed"] is True and "'system.webServer/nothing' is not registered" in result["msg"]


# -- config_collection ------------------------------------------------------------------------------------

def plan(node, **args):
    return generic.plan_collection(Node(node), {"section": VARS, "state": "present", "exclusive": False, **args},
                                   Address(VARS))


def test_collection_adds_missing_and_updates_differing_items_by_key():
    ops, before, after = plan(collection(item("A", value="1"), item("B")),
                              items=[{"name": "a", "value": "2"}, {"name": "C", "value": "{HTTPS}"}])
    assert [o["op"] for o in ops] == ["set", "add"]
    assert ops[0]["path"] == [{"item": {"name": "A"}}] and ops[0]["attributes"] == {"value": "2"}
    assert ops[1]["element"] == {"name": "add", "attributes": {"name": "C", "value": "{HTTPS}"}}
    assert before == [{"name": "A", "value": "1"}, {"name": "B"}]
    assert after == [{"name": "A", "value": "2"}, {"name": "B"}, {"name": "C", "value": "{HTTPS}"}]
    assert plan(collection(item("A", value="2")), items=[{"name": "A", "value": "2"}])[0] == []


def test_exclusive_removes_others_and_sets_the_order():
    ops, _before, after = plan(collection(item("A"), item("B"), item("X")), exclusive=True,
                               items=[{"name": "B"}, {"name": "A"}])
    assert [(o["op"], o.get("key") or o.get("element", {}).get("attributes")) for o in ops] == [
        ("remove", {"name": "X"}), ("remove", {"name": "A"}), ("add", {"name": "A"})]
    assert after == [{"name": "B"}, {"name": "A"}]
    assert plan(collection(item("B"), item("A")), exclusive=True, items=[{"name": "B"}, {"name": "A"}])[0] == []


def test_inherited_items_cannot_change_here():
    with pytest.raises(ModuleError, match="inherited from a parent level"):
        plan(collection(item("A", local=False, value="1")), items=[{"name": "A", "value": "2"}])
    with pytest.raises(ModuleError, match="cannot be moved"):
        plan(collection(item("A", local=False), item("B")), exclusive=True, items=[{"name": "B"}, {"name": "A"}])


def test_absent_removes_by_key_and_keys_come_from_the_schema_or_the_user():
    ops, _before, after = plan(collection(item("A"), item("B")), state="absent", items=[{"name": "b"}])
    assert ops == [{"op": "remove", **Address(VARS).as_dict(), "path": [], "key": {"name": "B"}}]
    assert after == [{"name": "A"}]
    with pytest.raises(ModuleError, match="declares no key"):
        plan(collection(item("A"), keys=()), items=[{"name": "A"}])
    assert plan(collection(item("A", value="1"), keys=()), key=["value"], items=[{"value": "1", "name": "A"}])[0] == []
    with pytest.raises(ModuleError, match=r"items\[0\] lacks the key attribute 'name'"):
        plan(collection(), items=[{"value": "1"}])


def test_collection_action_writes_once():
    result, host = run("config_collection", {"section": VARS, "items": [{"name": "HTTP_X_A"}]},
                       [reply(collection(), VARS), FakeHost.ok({"changed": True, "backups": []})])
    assert result["changed"] is True and result["collection"] == [{"name": "HTTP_X_A"}]
    assert [o["op"] for o in host.calls[1]["request"]["operations"]] == ["add"]


# -- config_info and config_delegation --------------------------------------------------------------------

def test_info_returns_the_read_entry():
    answer = reply(collection(item("A")), VARS, override_mode="Inherit", override_mode_effective="Deny")
    result, host = run("config_info", {"section": VARS}, [answer])
    assert result["changed"] is False and len(host.calls) == 1
    assert result["element"]["items"][0]["attributes"]["name"]["value"] == "A"
    assert (result["override_mode"], result["override_mode_effective"], result["file"]) == (
        "Inherit", "Deny", APPHOST_FILE)


def test_delegation_writes_the_location_mode_once():
    args = {"section": VARS, "site": "Default Web Site", "application": "/app", "override_mode": "Allow"}
    result, host = run("config_delegation", args, [
        reply(collection(), VARS, "Default Web Site/app", override_mode="Inherit"),
        FakeHost.ok({"changed": True, "backups": []})])
    assert host.calls[0]["request"]["reads"][0]["location"] == "Default Web Site/app"
    assert host.calls[1]["request"]["operations"] == [
        {"op": "override_mode", "section": VARS, "pspath": "MACHINE/WEBROOT/APPHOST",
         "location": "Default Web Site/app", "path": [], "mode": "Allow"}]
    assert result["changed"] is True and result["override_mode"] == "Allow"
    result, host = run("config_delegation", args, [reply(collection(), VARS, "Default Web Site/app",
                                                         override_mode="Allow", override_mode_effective="Allow")])
    assert result["changed"] is False and len(host.calls) == 1


# -- ranges and validation of the schema (issue 12 part 2) ------------------------------------------------

@pytest.mark.parametrize(("schema", "value", "words"), [
    ({"type": "uint"}, -1, ["attributes.x", "-1", "0 to 4294967295", "uint"]),
    ({"type": "uint"}, "4294967296", ["'4294967296'", "0 to 4294967295"]),
    ({"type": "int"}, 2147483648, ["2147483648", "-2147483648 to 2147483647"]),
    ({"type": "int64"}, 2 ** 63, ["-9223372036854775808 to 9223372036854775807"]),
    ({"type": "uint", "validation_type": "integerRange", "validation_parameter": "0,16383"}, 16384,
     ["attributes.x", "16384", "0 to 16383", "integerRange"]),
    ({"type": "int", "validation_type": "integerRange", "validation_parameter": "1, 10"}, "0", ["'0'", "1 to 10"]),
    ({"type": "uint", "validation_type": "integerRange", "validation_parameter": "300,307,exclude"}, 302,
     ["302", "not 300 to 307"]),
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "1,86400,1"}, "00:00:00",
     ["attributes.x", "'00:00:00'", "00:00:01 to 1.00:00:00"]),
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "1,86400,1"}, "2.00:00:00",
     ["'2.00:00:00'", "00:00:01 to 1.00:00:00"]),
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "0,2592000,60"}, 90,
     ["90", "multiple of 60 seconds"]),
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "0,86400,1"},
     "00:00:01.5", ["'00:00:01.5'", "multiple of 1 second"]),
    ({"type": "string", "validation_type": "nonEmptyString", "validation_parameter": ""}, "",
     ["attributes.x", "must not be empty", "nonEmptyString"]),
    ({"type": "string", "validation_type": "requireTrimmedString", "validation_parameter": ""}, " a",
     ["attributes.x", "' a'", "white space", "requireTrimmedString"]),
])
def test_a_value_outside_the_schema_range_names_option_value_and_range(schema, value, words):
    with pytest.raises(ModuleError) as info:
        generic.typed(schema, value, "attributes.x")
    assert all(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize(("schema", "value", "want"), [
    ({"type": "uint"}, 4294967295, 4294967295), ({"type": "uint"}, "0", 0), ({"type": "int"}, -2147483648, -2147483648),
    ({"type": "uint", "validation_type": "integerRange", "validation_parameter": "300,307,exclude"}, 308, 308),
    ({"type": "uint", "validation_type": "integerRange", "validation_parameter": "0,16383"}, 16383, 16383),
    ({"type": "uint", "validation_type": "integerRange", "validation_parameter": ""}, 7, 7),  # unreadable: host checks
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "1,86400,1"}, 86400,
     "1.00:00:00"),
    ({"type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "0,2592000,60"}, 120,
     "00:02:00"),
    ({"type": "timeSpan"}, "30.00:00:00", "30.00:00:00"),  # no range in the read: no check (docs/powershell.md)
    ({"type": "string", "validation_type": "siteName", "validation_parameter": ""}, "x", "x"),
])
def test_values_inside_the_range_or_without_one_pass(schema, value, want):
    assert generic.typed(schema, value, "attributes.x") == want


def limits(**values):
    element = proxy(**values)
    element["schema"]["attributes"] = {**PROXY_SCHEMA, "minResponseBuffer": {
        "type": "uint", "validation_type": "integerRange", "validation_parameter": "0,4194303"}}
    element["attributes"]["minResponseBuffer"] = attr(256, True)
    return element


@pytest.mark.parametrize(("attributes", "words"), [
    ({"minResponseBuffer": 4194304}, ["attributes.minResponseBuffer", "4194304", "0 to 4194303"]),
    ({"maxForwards": -1}, ["attributes.maxForwards", "-1", "0 to 4294967295"]),
])
def test_property_out_of_range_fails_after_the_read_without_a_write(attributes, words):
    result, host = run("config_property", {"section": "system.webServer/proxy", "attributes": attributes},
                       [reply(limits())])
    assert result["failed"] is True and [c["script"] for c in host.calls] == ["config_read"]
    assert all(w in result["msg"] for w in words), result["msg"]


def ranged_collection(*items):
    node = collection(*items)
    node["schema"]["collection"]["attributes"]["size"] = {
        "type": "uint", "validation_type": "integerRange", "validation_parameter": "1,100"}
    node["schema"]["collection"]["attributes"]["name"]["required"] = True
    node["schema"]["collection"]["attributes"]["value"]["required"] = True
    return node


def test_collection_item_out_of_range_or_missing_a_required_attribute_fails_without_a_write():
    result, host = run("config_collection", {"section": VARS, "items": [{"name": "A", "value": "1", "size": 0}]},
                       [reply(ranged_collection(), VARS)])
    assert result["failed"] is True and len(host.calls) == 1
    assert "items[0].size" in result["msg"] and "1 to 100" in result["msg"], result["msg"]
    result, host = run("config_collection", {"section": VARS, "items": [{"name": "A"}]},
                       [reply(ranged_collection(), VARS)])
    assert result["failed"] is True and len(host.calls) == 1
    assert "items[0]" in result["msg"] and "'value'" in result["msg"] and "required" in result["msg"], result["msg"]
    # an item already there needs no required attribute from the task: only what differs is set
    assert plan(ranged_collection(item("A", value="1")), items=[{"name": "A"}])[0] == []


# -- exclusive order without data loss (issue 12 part 2) --------------------------------------------------

def rich_item(name, **extra):
    """An item with an attribute the task does not list, a child element with a value set and nested items."""
    data = item(name, value="kept", **extra)
    data["attributes"]["unset"] = attr(None, True)
    data["attributes"]["other"] = attr("schema default", True)
    data["children"] = {
        "match": {"name": "match", "attributes": {"url": attr(".*"), "negate": attr(False, True)},
                  "children": {}, "items": None},
        "empty": {"name": "empty", "attributes": {"flag": attr(True, True)}, "children": {}, "items": None},
        "conditions": {"name": "conditions", "attributes": {"logicalGrouping": attr("MatchAll", True)},
                       "children": {}, "items": [
                           {"name": "add", "attributes": {"input": attr("{HTTPS}"), "pattern": attr("on")},
                            "children": {}, "items": None, "locally_stored": True}]}}
    return data


def test_exclusive_reorder_carries_the_moved_items_unlisted_attributes_and_children():
    ops, before, after = plan(collection(rich_item("A"), item("B")), exclusive=True,
                              items=[{"name": "B"}, {"name": "A"}])
    assert [o["op"] for o in ops] == ["remove", "add"]
    assert ops[1]["element"] == {
        "name": "add", "attributes": {"name": "A", "value": "kept"},
        "children": {"match": {"attributes": {"url": ".*"}},
                     "conditions": {"items": [{"name": "add", "attributes": {"input": "{HTTPS}", "pattern": "on"}}]}}}
    assert before == [{"name": "A", "value": "kept"}, {"name": "B"}]
    assert after == [{"name": "B"}, {"name": "A", "value": "kept"}]


def test_exclusive_reorder_with_a_changed_attribute_carries_the_rest():
    ops, _before, after = plan(collection(rich_item("A"), item("B")), exclusive=True,
                               items=[{"name": "B"}, {"name": "A", "value": "new"}])
    assert [o["op"] for o in ops] == ["remove", "add"]
    assert ops[1]["element"]["attributes"] == {"name": "A", "value": "new"}
    assert ops[1]["element"]["children"]["match"] == {"attributes": {"url": ".*"}}
    assert after[1] == {"name": "A", "value": "new"}


def test_exclusive_reorder_keeps_the_stored_key_as_an_update_in_place_does():
    ops, _before, after = plan(collection(rich_item("A"), item("B")), exclusive=True,
                               items=[{"name": "b"}, {"name": "a"}])
    assert ops[1]["op"] == "add" and ops[1]["element"]["attributes"] == {"name": "A", "value": "kept"}
    assert after == [{"name": "B"}, {"name": "A", "value": "kept"}]
    assert plan(collection(item("B"), rich_item("A")), exclusive=True, items=[{"name": "b"}, {"name": "a"}])[0] == []
