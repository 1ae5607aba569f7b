"""Native HSTS on the emulated hosts (docs/emulator.md, docs/https.md "HSTS"): the ``hsts`` element of ``site`` and
``siteDefaults`` exists on the profiles whose IIS is 10.0 version 1709 or later (server2022, win11), not on
server2016; config_read shows it inside a site item with typed values, config_apply sets it by the item's key
path; host_info's decision agrees with each profile's schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from winhost import Host
from winhost.config.schema import load_schema_dir
from winhost.paths import SCHEMA_DIR
from winhost.scripts import SCRIPTS
from winhost_helpers import APPHOST_FILE, apply, attrs, op, raises, read

from ansible_collections.winflask.iis.plugins.module_utils import host_info

SITES = "system.applicationHost/sites"
DEFAULTS = {"enabled": False, "max-age": 0, "includeSubDomains": False, "preload": False,
            "redirectHttpToHttps": False}


@pytest.mark.parametrize(("profile", "native"), [("server2016", False), ("server2022", True), ("win11", True)])
def test_hsts_in_the_schema_exactly_where_host_info_says_native(tmp_path: Path, profile: str, native: bool):
    host = Host.create(tmp_path / profile, profile=profile)
    schema = load_schema_dir(host.local_path(SCHEMA_DIR))[SITES]
    assert ("hsts" in schema.collection.item.children) is native
    assert ("hsts" in schema.children["siteDefaults"].children) is native
    facts = SCRIPTS["host_facts"](host, {}, True)
    assert host_info.native_hsts(facts) is native, facts["os"]


def test_site_hsts_defaults_typed_and_set_by_key_path(host: Host):
    site = read(host, SITES)["element"]["items"][0]
    assert attrs(site["children"]["hsts"]) == DEFAULTS
    assert all(a["is_default"] for a in site["children"]["hsts"]["attributes"].values())
    path = [{"item": {"name": "Default Web Site"}}, "hsts"]
    assert apply(host, op("set", SITES, path=path, attributes={"enabled": True, "max-age": 31536000}))["changed"]
    config = ET.parse(host.local_path(APPHOST_FILE)).getroot()
    assert config.find("system.applicationHost/sites/site[@name='Default Web Site']/hsts").attrib == {
        "enabled": "true", "max-age": "31536000"}
    hsts = read(host, SITES)["element"]["items"][0]["children"]["hsts"]
    assert attrs(hsts) == dict(DEFAULTS, enabled=True, **{"max-age": 31536000})


def test_server2016_refuses_the_hsts_element(tmp_path: Path):
    host = Host.create(tmp_path / "h", profile="server2016")
    site = read(host, SITES)["element"]["items"][0]
    assert "hsts" not in site["children"]
    raises("UnknownElement", apply, host, op("set", SITES, path=[{"item": {"name": "Default Web Site"}}, "hsts"],
                                             attributes={"enabled": True}))
