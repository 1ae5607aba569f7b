import re

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import config
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError


def node(**attrs):
    return config.Node({"name": "x", "attributes": {k: {"value": v, "is_default": False} for k, v in attrs.items()}})


def test_site_address_forms():
    assert config.site_address("s", None) == config.Address("s", "MACHINE/WEBROOT/APPHOST", "")
    assert config.site_address("s", "Web").pspath == "MACHINE/WEBROOT/APPHOST/Web"
    assert config.site_address("s", "Web", "/app/").pspath == "MACHINE/WEBROOT/APPHOST/Web/app"
    assert config.site_address("s", "Web", "/app", in_apphost=True) == config.Address(
        "s", "MACHINE/WEBROOT/APPHOST", "Web/app")


def test_attribute_changes_ignores_unmanaged_and_equal():
    n = node(enabled=False, timeout="00:02:00", name="a")
    assert config.attribute_changes(n, {"enabled": None, "timeout": "00:02:00"}) == {}
    assert config.attribute_changes(n, {"enabled": True}) == {"enabled": (False, True)}


def test_bool_is_not_int():
    assert config.attribute_changes(node(count=1), {"count": True}) == {"count": (1, True)}


def test_timespan_round_trip():
    assert config.timespan_from_seconds(120) == "00:02:00"
    assert config.timespan_from_seconds(90061) == "1.01:01:01"
    assert config.timespan_to_seconds("1.01:01:01") == 90061
    assert config.timespan_to_seconds("00:00:00.1000000") == 0
    for seconds in (1, 59, 3600, 86399, 86400):
        assert config.timespan_to_seconds(config.timespan_from_seconds(seconds)) == seconds


def test_find_item_by_key_case_insensitive():
    n = config.Node({"name": "rules", "items": [
        {"name": "rule", "attributes": {"name": {"value": "First", "is_default": False}}},
        {"name": "rule", "attributes": {"name": {"value": "Second", "is_default": False}}}]})
    assert n.find_item(name="second").value("name") == "Second"
    assert n.find_item(name="third") is None


def test_operation_shapes():
    a = config.Address("system.webServer/proxy")
    assert config.op_set(a, [], {"enabled": True}) == {
        "op": "set", "section": "system.webServer/proxy", "pspath": "MACHINE/WEBROOT/APPHOST",
        "location": "", "path": [], "attributes": {"enabled": True}}
    assert config.op_remove(a, [config.item_step(name="r")], {"name": "x"})["path"] == [{"item": {"name": "r"}}]
    assert config.op_reset(a, ["cache"], {"b", "a"})["attributes"] == ["a", "b"]


def test_yaml_diff_accepts_subclassed_values():
    from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff

    class TaggedInt(int):  # what ansible-core 2.19+ hands action plugins
        pass

    class TaggedStr(str):
        pass

    diff = yaml_diff({"timeout": TaggedInt(120)}, {"timeout": TaggedInt(300), "name": TaggedStr("x")}, "proxy")
    assert diff["before"] == "timeout: 120\n"
    assert diff["after"] == "timeout: 300\nname: x\n"
    assert diff["before_header"] == "proxy (before)"


def test_backup_keep_accepts_zero_and_positive_numbers():
    assert config.backup_keep(None) == 20
    assert config.backup_keep(0) == 0 and config.backup_keep(7) == 7 and config.backup_keep("3") == 3


@pytest.mark.parametrize("value", [-1, "-2", "many", True, 2.5])
def test_backup_keep_refuses_what_is_not_a_count(value):
    with pytest.raises(ModuleError, match=r"backup_keep must be .* got " + re.escape(repr(value))):
        config.backup_keep(value)


def test_apply_request_always_backs_up_and_says_how_many_to_keep():
    ops = [config.op_clear(config.Address("s"), [])]
    assert config.apply_request({"f": "ab"}, ops, 5) == {
        "fingerprint": {"f": "ab"}, "backup": True, "backup_keep": 5, "operations": ops}


def test_describe_backups_names_every_backup_file():
    assert config.describe_backups({}) == "" and config.describe_backups({"backups": []}) == ""
    text = config.describe_backups({"backups": ["C:\\b\\1\\a.config", "C:\\b\\1\\web.config"]})
    assert "C:\\b\\1\\a.config; C:\\b\\1\\web.config" in text and "backed up" in text


def test_a_read_answer_without_the_asked_section_is_a_clear_error():
    read = config.ConfigRead({"fingerprint": {}, "sections": [
        {"section": "system.webServer/rewrite/allowedServerVariables", "pspath": "MACHINE/WEBROOT/APPHOST",
         "location": "Default Web Site", "file": "C:\\x", "locked": False, "element": {}}]})
    with pytest.raises(ModuleError, match="has no section system.webServer/rewrite/allowedServerVariables .*"
                                          "'Default Web Site '"):
        read.get(config.Address("system.webServer/rewrite/allowedServerVariables", "MACHINE/WEBROOT/APPHOST",
                                "Default Web Site "))
