"""winflask.iis.config_property's ``item``: one item of the section's collection by key, and a child element
inside it (a site's native HSTS, ``system.applicationHost/sites`` ``site[@name='X']/hsts``)."""

from __future__ import annotations

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import config_generic as generic
from ansible_collections.winflask.iis.plugins.module_utils.config import Address, Node
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

from replay import FakeHost
from test_config_generic import attr, reply, run

SITES = "system.applicationHost/sites"
ADDRESS = Address(SITES)
HSTS_DEFAULTS = {"enabled": False, "max-age": 0, "includeSubDomains": False, "preload": False,
                 "redirectHttpToHttps": False}


def site(name, local=True, **hsts):
    """A site item as config_read gives it: items carry no schema, their child elements typed values."""
    return {"name": "site", "locally_stored": local, "items": [],
            "attributes": {"name": attr(name), "id": attr(1), "serverAutoStart": attr(True, True)},
            "children": {"hsts": {"name": "hsts", "locally_stored": True, "items": None, "children": {},
                                  "attributes": {k: attr(hsts.get(k, v), k not in hsts)
                                                 for k, v in HSTS_DEFAULTS.items()}},
                         "limits": {"name": "limits", "locally_stored": True, "items": None, "children": {},
                                    "attributes": {"connectionTimeout": attr("00:02:00", True)}}}}


def sites(*items):
    return {"name": "sites", "locally_stored": True, "attributes": {}, "items": list(items),
            "children": {"siteDefaults": {"name": "siteDefaults", "attributes": {}, "items": None,
                                          "children": {}, "schema": {"attributes": {}, "collection": None}}},
            "schema": {"attributes": {}, "collection": {
                "add": ["site"], "keys": ["name"],
                "attributes": {"name": {"type": "string"}, "id": {"type": "uint"},
                               "serverAutoStart": {"type": "bool"}}}}}


def plan(section, **args):
    return generic.plan_property(Node(section), {"section": SITES, "state": "present", **args}, ADDRESS)


def test_item_child_element_is_set_by_key_path_with_values_typed_from_the_read():
    ops, before, after = plan(sites(site("Other"), site("Default Web Site")), item={"name": "default web site"},
                              element="hsts", attributes={"enabled": "True", "max-age": "31536000",
                                                          "preload": False})
    assert ops == [{"op": "set", **ADDRESS.as_dict(), "path": [{"item": {"name": "Default Web Site"}}, "hsts"],
                    "attributes": {"enabled": True, "max-age": 31536000}}]
    assert before == {"enabled": False, "max-age": 0, "preload": False}
    assert after == {"enabled": True, "max-age": 31536000, "preload": False}


def test_item_is_idempotent_and_its_own_attributes_typed_from_the_collection():
    current = sites(site("Default Web Site", enabled=True, **{"max-age": 31536000}))
    ops, _before, _after = plan(current, item={"name": "Default Web Site"}, element="hsts",
                                attributes={"enabled": "true", "max-age": "31536000"})
    assert ops == []
    ops, _before, _after = plan(current, item={"name": "Default Web Site"}, attributes={"serverAutoStart": "false"})
    assert ops == [{"op": "set", **ADDRESS.as_dict(), "path": [{"item": {"name": "Default Web Site"}}],
                    "attributes": {"serverAutoStart": False}}]


def test_item_reset_to_the_default():
    ops, _before, after = plan(sites(site("S", preload=True)), item={"name": "S"}, element="hsts",
                               attributes={"preload": None, "enabled": None}, state="absent")
    assert ops == [{"op": "reset", **ADDRESS.as_dict(), "path": [{"item": {"name": "S"}}, "hsts"],
                    "attributes": ["preload"]}]
    assert after["preload"] is None


@pytest.mark.parametrize(("args", "words"), [
    ({"item": {"name": "Nope"}, "element": "hsts", "attributes": {"enabled": True}},
     ["item", "name='Nope'", "'S'"]),
    ({"item": {"id": 1}, "element": "hsts", "attributes": {"enabled": True}}, ["item", "name", "got id"]),
    ({"item": {"name": "S"}, "element": "hsst", "attributes": {"enabled": True}}, ["element", "'hsst'", "hsts"]),
    ({"item": {"name": "S"}, "element": "hsts", "attributes": {"enabled": "yes"}},
     ["attributes.enabled", "'yes'", "true or false"]),
    ({"item": {"name": "S"}, "element": "hsts", "attributes": {"max-age": "a year"}},
     ["attributes.max-age", "'a year'", "whole number"]),
    ({"item": {"name": "S"}, "element": "hsts", "attributes": {"maxAge": 1}}, ["'maxAge'", "max-age"]),
    ({"item": {"name": "S"}, "attributes": {"id": "one"}}, ["attributes.id", "'one'", "uint"]),
    ({"item": {}, "element": "hsts", "attributes": {"enabled": True}}, ["item", "name", "got none"]),
])
def test_item_mistakes_name_the_option_and_value(args, words):
    with pytest.raises(ModuleError) as info:
        plan(sites(site("S")), **args)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_inherited_item_and_a_section_without_collection_are_refused():
    with pytest.raises(ModuleError, match="inherited from a parent level"):
        plan(sites(site("S", local=False)), item={"name": "S"}, attributes={"serverAutoStart": False})
    no_collection = dict(sites(), schema={"attributes": {}, "collection": None}, items=None)
    with pytest.raises(ModuleError, match="item: 'sites' holds no collection"):
        plan(no_collection, item={"name": "S"}, attributes={"x": 1})


def test_action_one_read_one_write_and_check_mode():
    args = {"section": SITES, "item": {"name": "S"}, "element": "hsts", "attributes": {"enabled": True}}
    result, host = run("config_property", args, [reply(sites(site("S")), section=SITES),
                                                 FakeHost.ok({"changed": True, "backups": []})])
    assert result["changed"] is True, result
    assert [c["script"] for c in host.calls] == ["config_read", "config_apply"]
    assert host.calls[1]["request"]["operations"][0]["path"] == [{"item": {"name": "S"}}, "hsts"]
    result, host = run("config_property", args, [reply(sites(site("S")), section=SITES)], check_mode=True)
    assert result["changed"] is True and len(host.calls) == 1


def test_item_values_are_checked_before_any_host_call():
    result, host = run("config_property", {"section": SITES, "item": {"name": "S\x01"}, "element": "hsts",
                                           "attributes": {"enabled": True}}, [])
    assert result["failed"] is True and host.calls == [], result
    assert "item.name" in result["msg"] and "U+0001" in result["msg"]


def test_item_child_timespan_typed_from_the_read_value_takes_seconds():
    """No schema inside an item: a value read as hh:mm:ss is a timeSpan, so 120 is two minutes (sent as text
    "120", TimeSpan.Parse would make it 120 days) and 00:02:00 is no change."""
    current = sites(site("Default Web Site"))
    ops, _before, after = plan(current, item={"name": "Default Web Site"}, element="limits",
                               attributes={"connectionTimeout": 300})
    assert ops[0]["attributes"] == {"connectionTimeout": "00:05:00"} and after == {"connectionTimeout": "00:05:00"}
    assert plan(current, item={"name": "Default Web Site"}, element="limits",
                attributes={"connectionTimeout": 120})[0] == []
