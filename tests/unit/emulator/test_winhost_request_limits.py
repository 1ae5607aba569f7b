"""requestFiltering and urlCompression on a fresh emulated IIS: declared overrideModeDefault="Allow" as in IIS's own
applicationHost.config, with the schema defaults of Microsoft's configuration reference (docs/emulator.md,
install_iis sections row), so a site's web.config may hold a request limit and a <location> may turn off dynamic
compression for a path that has no folder."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from winhost import Host
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, read

FILTERING = "system.webServer/security/requestFiltering"
COMPRESSION = "system.webServer/urlCompression"


def test_request_limits_default_and_a_site_web_config_may_set_them(host: Host) -> None:
    declarations = ET.fromstring(host.read_bytes(APPHOST_FILE)).find("configSections")
    assert declarations is not None
    found = {
        FILTERING: declarations.find(
            "sectionGroup[@name='system.webServer']/sectionGroup[@name='security']/section[@name='requestFiltering']"),
        COMPRESSION: declarations.find(
            "sectionGroup[@name='system.webServer']/section[@name='urlCompression']"),
    }
    assert {name: (d.attrib if d is not None else None) for name, d in found.items()} == {
        FILTERING: {"name": "requestFiltering", "overrideModeDefault": "Allow"},
        COMPRESSION: {"name": "urlCompression", "overrideModeDefault": "Allow"}}
    entry = read(host, FILTERING, SITE)
    assert entry["locked"] is False
    limits = entry["element"]["children"]["requestLimits"]
    assert attrs(limits) == {"maxAllowedContentLength": 30000000, "maxUrl": 4096, "maxQueryString": 2048}
    assert limits["attributes"]["maxAllowedContentLength"]["is_default"] is True
    apply(host, op("set", FILTERING, SITE, path=["requestLimits"], attributes={"maxAllowedContentLength": 104857600}))
    written = ET.fromstring(host.read_bytes(SITE_WEB_CONFIG)).find(
        "system.webServer/security/requestFiltering/requestLimits")
    assert written is not None and written.attrib == {"maxAllowedContentLength": "104857600"}
    assert attrs(read(host, FILTERING, SITE)["element"]["children"]["requestLimits"])[
        "maxAllowedContentLength"] == 104857600


def test_dynamic_compression_off_in_a_location_without_a_folder(host: Host) -> None:
    assert attrs(read(host, COMPRESSION, SITE)["element"]) == {
        "doStaticCompression": True, "doDynamicCompression": True, "dynamicCompressionBeforeCache": False}
    apply(host, op("set", COMPRESSION, APPHOST, "Default Web Site/events", attributes={"doDynamicCompression": False}))
    tags = [t for t in ET.fromstring(host.read_bytes(APPHOST_FILE)).findall("location")
            if t.get("path") == "Default Web Site/events"]
    assert [t.find(COMPRESSION).attrib for t in tags] == [{"doDynamicCompression": "false"}]
    events = read(host, COMPRESSION, APPHOST, "Default Web Site/events")
    assert attrs(events["element"])["doDynamicCompression"] is False
    assert attrs(read(host, COMPRESSION, SITE)["element"])["doDynamicCompression"] is True   # the site keeps it
