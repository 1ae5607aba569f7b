"""Feature delegation on the emulated host: config_apply's override_mode operation writes
<location path="X" overrideMode="...">, and the lock evaluation (SectionLocked, 500.19) follows it;
config_read's "details" (schema types, collection keys, override modes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from winhost import Host
from winhost.scripts import SCRIPTS
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, op, raises, read

VARS = "system.webServer/rewrite/allowedServerVariables"
SITE_NAME = "Default Web Site"


def detailed(host: Host, section: str, pspath: str = APPHOST, location: str = "") -> dict:
    request = {"reads": [{"section": section, "pspath": pspath, "location": location, "details": True}]}
    return SCRIPTS["config_read"](host, request, False)["sections"][0]


def site_locations(host: Host) -> list[ET.Element]:
    root = ET.fromstring(host.read_bytes(APPHOST_FILE))
    return [loc for loc in root.findall("location") if loc.get("path") == SITE_NAME]


def add_var(name: str, pspath: str = SITE) -> dict:
    return op("add", VARS, pspath, element={"name": "add", "attributes": {"name": name}})


def test_allow_unlocks_the_site_web_config_and_deny_locks_it_again(host: Host) -> None:
    raises("SectionLocked", apply, host, add_var("HTTP_X_A"))  # overrideModeDefault="Deny"
    assert read(host, VARS, SITE)["locked"] is True
    apply(host, op("override_mode", VARS, APPHOST, SITE_NAME, mode="Allow"))
    tags = site_locations(host)
    assert [t.get("overrideMode") for t in tags] == ["Allow"]
    assert tags[0].find("system.webServer/rewrite/allowedServerVariables") is not None
    entry = detailed(host, VARS, APPHOST, SITE_NAME)
    assert (entry["override_mode"], entry["override_mode_effective"]) == ("Allow", "Allow")
    assert read(host, VARS, SITE)["locked"] is False
    apply(host, add_var("HTTP_X_A"))
    assert b"HTTP_X_A" in host.read_bytes(SITE_WEB_CONFIG)
    apply(host, op("override_mode", VARS, APPHOST, SITE_NAME, mode="Deny"))
    assert [t.get("overrideMode") for t in site_locations(host)] == ["Deny"]
    raises("SectionLocked", read, host, VARS, SITE)  # the web.config now holds a locked section (500.19)


def test_mode_change_keeps_the_section_settings_and_inherit_drops_the_mode(host: Host) -> None:
    apply(host, add_var("HTTP_X_B", APPHOST) | {"location": SITE_NAME})
    apply(host, op("override_mode", VARS, APPHOST, SITE_NAME, mode="Allow"))
    tags = site_locations(host)
    assert len(tags) == 1 and tags[0].get("overrideMode") == "Allow"
    assert tags[0].find("system.webServer/rewrite/allowedServerVariables/add").get("name") == "HTTP_X_B"
    apply(host, op("override_mode", VARS, APPHOST, SITE_NAME, mode="Inherit"))
    tags = site_locations(host)
    assert len(tags) == 1 and tags[0].get("overrideMode") is None
    assert tags[0].find("system.webServer/rewrite/allowedServerVariables/add").get("name") == "HTTP_X_B"
    entry = detailed(host, VARS, APPHOST, SITE_NAME)
    assert (entry["override_mode"], entry["override_mode_effective"]) == ("Inherit", "Deny")


def test_server_wide_unlock_is_a_location_with_an_empty_path(host: Host) -> None:
    apply(host, op("override_mode", VARS, APPHOST, "", mode="Allow"))
    root = ET.fromstring(host.read_bytes(APPHOST_FILE))
    assert [(t.get("path"), t.get("overrideMode")) for t in root.findall("location")
            if t.find("system.webServer/rewrite/allowedServerVariables") is not None] == [("", "Allow")]
    assert read(host, VARS, SITE)["locked"] is False


def test_override_mode_is_refused_outside_applicationhost_and_for_unknown_modes(host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    raises("InvalidValue", apply, host, op("override_mode", VARS, APPHOST, SITE_NAME, mode="allow"))
    raises("InvalidValue", apply, host, op("override_mode", "system.webServer/rewrite/rules", SITE, mode="Deny"))
    assert host.read_bytes(APPHOST_FILE) == before


def test_details_give_types_choices_and_collection_keys(host: Host) -> None:
    proxy = detailed(host, "system.webServer/proxy")["element"]
    assert proxy["schema"]["attributes"]["timeout"] == {  # the schema file's validation, as MWA gives it
        "type": "timeSpan", "validation_type": "timeSpanRange", "validation_parameter": "1,86400,1"}
    assert "Http11" in proxy["schema"]["attributes"]["httpVersion"]["choices"]
    assert proxy["children"]["cache"]["schema"]["attributes"]["enabled"] == {"type": "bool"}
    coll = detailed(host, VARS)["element"]["schema"]["collection"]
    assert coll["add"] == ["add"] and coll["keys"] == ["name"]
    assert coll["attributes"]["name"] == {"type": "string", "required": True, "validation_type": "nonEmptyString",
                                          "validation_parameter": ""}
    assert "schema" not in read(host, VARS)["element"]  # only when asked
