"""config_read: defaults, typed values, inheritance, locally_stored, locked, fingerprints, read errors."""

from __future__ import annotations

import hashlib

import pytest
from winhost import Host
from winhost.iis import add_application
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

PROXY = "system.webServer/proxy"
RULES = "system.webServer/rewrite/rules"
GLOBAL_RULES = "system.webServer/rewrite/globalRules"
ALLOWED = "system.webServer/rewrite/allowedServerVariables"
OUTBOUND = "system.webServer/rewrite/outboundRules"


def write_web_config(host: Host, win_path: str, body: str) -> None:
    host.write_bytes(win_path, f'<?xml version="1.0" encoding="UTF-8"?>\n<configuration>{body}</configuration>\n'
                     .encode())


def test_proxy_defaults_are_iis_schema_defaults(host: Host) -> None:
    entry = read(host, PROXY)
    assert entry["file"] == APPHOST_FILE and entry["locked"] is False
    element = entry["element"]
    assert element["name"] == "proxy" and element["items"] is None
    assert all(a["is_default"] for a in element["attributes"].values())
    values = attrs(element)
    assert values["enabled"] is False
    assert values["timeout"] == "00:02:00"
    assert values["preserveHostHeader"] is False
    assert values["reverseRewriteHostInResponseHeaders"] is True
    assert values["includePortInXForwardedFor"] is True
    assert values["xForwardedForHeaderName"] == "X-Forwarded-For"
    assert values["httpVersion"] == "PassThrough"
    assert values["maxForwards"] == 10 and values["responseBufferLimit"] == 4096
    assert values["xForwardedByHeader"] is None  # no schema default, not set
    cache = attrs(element["children"]["cache"])
    assert cache == {"enabled": True, "requestConsolidationEnabled": False,
                     "requestConsolidationTimeout": "00:00:00.1", "queryStringHandling": "Ignore",
                     "validationInterval": "00:01:00"}


def test_typed_values_read_from_xml(host: Host) -> None:
    root = host.read_bytes(APPHOST_FILE).decode()
    root = root.replace("</system.webServer>", '<proxy enabled="True" timeout="1.02:03:04" httpVersion="1" '
                        'maxForwards="25" /></system.webServer>')
    host.write_bytes(APPHOST_FILE, root.encode())
    values = attrs(read(host, PROXY)["element"])
    assert values["enabled"] is True  # IIS reads booleans case-insensitively
    assert values["timeout"] == "1.02:03:04"  # past a day: d.hh:mm:ss
    assert values["httpVersion"] == "Http11"  # a numeric enum in the file comes back as its name
    assert values["maxForwards"] == 25
    assert read(host, PROXY)["element"]["attributes"]["maxForwards"]["is_default"] is False


def test_flags_and_int64_in_outbound_rules(host: Host) -> None:
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><outboundRules><rule name="o1">'
                     '<match filterByTags="A, Img" pattern="x" occurrences="3" /></rule>'
                     '</outboundRules></rewrite></system.webServer>')
    element = read(host, OUTBOUND, SITE)["element"]
    assert attrs(element)["rewriteBeforeCache"] is False
    match = attrs(element["items"][0]["children"]["match"])
    assert match["filterByTags"] == "A, Img" and match["occurrences"] == 3
    conditions = element["items"][0]["children"]["conditions"]
    assert attrs(conditions)["trackAllCaptures"] is True  # outbound default differs from inbound
    assert set(element["children"]) == {"customTags", "preConditions"}


def test_rule_node_lists_every_schema_attribute_and_child(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("r1")))
    item = read(host, RULES, SITE)["element"]["items"][0]
    assert set(item["attributes"]) == {"name", "enabled", "patternSyntax", "stopProcessing", "responseCacheDirective"}
    assert set(item["children"]) == {"match", "conditions", "serverVariables", "action"}
    action = attrs(item["children"]["action"])
    assert action["redirectType"] == "Permanent" and action["appendQueryString"] is True
    assert action["logRewrittenUrl"] is False and action["statusCode"] is None
    assert item["children"]["conditions"]["items"] == [] and item["children"]["match"]["items"] is None
    global_action = apply(host, op("add", GLOBAL_RULES, element=rule("g1")))
    assert global_action["changed"]
    g_action = read(host, GLOBAL_RULES)["element"]["items"][0]["children"]["action"]
    assert "logRewrittenUrl" not in g_action["attributes"]  # only distributed rules have it
    assert attrs(g_action)["statusCode"] == 0


def test_inheritance_and_locally_stored(host: Host) -> None:
    add_application(host, "Default Web Site", "/myApp", "C:\\apps\\myapp")
    apply(host, op("add", RULES, APPHOST, element=rule("server")),
          op("add", RULES, SITE, element=rule("site")),
          op("add", RULES, SITE + "/myApp", element=rule("app")))
    at_app = read(host, RULES, SITE + "/myApp")
    assert at_app["file"] == "C:\\apps\\myapp\\web.config"
    items = [(attrs(i)["name"], i["locally_stored"]) for i in at_app["element"]["items"]]
    assert items == [("server", False), ("site", False), ("app", True)]
    at_site = read(host, RULES, SITE)["element"]["items"]
    assert [(attrs(i)["name"], i["locally_stored"]) for i in at_site] == [("server", False), ("site", True)]
    at_root = read(host, RULES)["element"]["items"]
    assert [(attrs(i)["name"], i["locally_stored"]) for i in at_root] == [("server", True)]


def test_attribute_inheritance_and_is_default(host: Host) -> None:
    apply(host, op("set", RULES, APPHOST, location="Default Web Site", path=[], attributes={}),
          op("add", "system.webServer/rewrite/rewriteMaps", APPHOST,
             element={"name": "rewriteMap", "attributes": {"name": "m", "defaultValue": "d"}}))
    maps = read(host, "system.webServer/rewrite/rewriteMaps", SITE)["element"]["items"]
    assert attrs(maps[0])["defaultValue"] == "d" and maps[0]["locally_stored"] is False
    assert maps[0]["attributes"]["ignoreCase"] == {"value": True, "is_default": True}


def test_location_tags_merge_between_root_and_web_config(host: Host) -> None:
    apply(host, op("add", ALLOWED, APPHOST, element={"name": "add", "attributes": {"name": "A_SERVER"}}),
          op("add", ALLOWED, APPHOST, location="Default Web Site",
             element={"name": "add", "attributes": {"name": "B_SITE"}}))
    at_location = read(host, ALLOWED, APPHOST, "Default Web Site")
    assert at_location["file"] == APPHOST_FILE
    assert [(attrs(i)["name"], i["locally_stored"]) for i in at_location["element"]["items"]] == \
        [("A_SERVER", False), ("B_SITE", True)]
    at_site = read(host, ALLOWED, SITE)
    assert [attrs(i)["name"] for i in at_site["element"]["items"]] == ["A_SERVER", "B_SITE"]
    assert at_site["locked"] is True  # overrideModeDefault="Deny": a web.config may not hold it


def test_remove_and_clear_elements_in_lower_levels(host: Host) -> None:
    apply(host, op("add", ALLOWED, APPHOST, element={"name": "add", "attributes": {"name": "X1"}}),
          op("add", ALLOWED, APPHOST, element={"name": "add", "attributes": {"name": "X2"}}))
    root = host.read_bytes(APPHOST_FILE).decode()
    root = root.replace("</configuration>", '<location path="Default Web Site"><system.webServer><rewrite>'
                        '<allowedServerVariables><remove name="x1" /><add name="X3" /></allowedServerVariables>'
                        '</rewrite></system.webServer></location></configuration>')
    host.write_bytes(APPHOST_FILE, root.encode())
    assert [attrs(i)["name"] for i in read(host, ALLOWED, SITE)["element"]["items"]] == ["X2", "X3"]
    host.write_bytes(APPHOST_FILE, root.replace('<remove name="x1" />', "<clear />").encode())
    assert [attrs(i)["name"] for i in read(host, ALLOWED, SITE)["element"]["items"]] == ["X3"]


def test_fingerprint_covers_every_file_consulted(host: Host) -> None:
    entry = read(host, RULES, SITE)
    apphost_sha = hashlib.sha256(host.read_bytes(APPHOST_FILE)).hexdigest()
    assert entry["fingerprint"] == {APPHOST_FILE: apphost_sha, SITE_WEB_CONFIG: None}
    assert entry["file"] == SITE_WEB_CONFIG
    write_web_config(host, SITE_WEB_CONFIG, "")
    assert read(host, RULES, SITE)["fingerprint"][SITE_WEB_CONFIG] == \
        hashlib.sha256(host.read_bytes(SITE_WEB_CONFIG)).hexdigest()
    assert read(host, PROXY)["fingerprint"] == {APPHOST_FILE: apphost_sha}


@pytest.mark.parametrize(("section", "pspath", "location", "locked"), [
    (PROXY, APPHOST, "", False),
    (PROXY, APPHOST, "Default Web Site", True),  # AppHostOnly: not even in a <location>
    (PROXY, SITE, "", True),
    (GLOBAL_RULES, APPHOST, "", False),
    (GLOBAL_RULES, APPHOST, "Default Web Site", True),
    (GLOBAL_RULES, SITE, "", True),
    (ALLOWED, APPHOST, "", False),
    (ALLOWED, APPHOST, "Default Web Site", False),  # what IIS Manager writes
    (ALLOWED, SITE, "", True),  # overrideModeDefault="Deny"
    (RULES, SITE, "", False),
    (RULES, APPHOST, "Default Web Site", False),
])
def test_locked_flag(host: Host, section: str, pspath: str, location: str, locked: bool) -> None:
    assert read(host, section, pspath, location)["locked"] is locked


def test_unlock_with_location_override_mode_allow(host: Host) -> None:
    root = host.read_bytes(APPHOST_FILE).decode()
    root = root.replace("</configuration>", '<location path="" overrideMode="Allow"><system.webServer><rewrite>'
                        "<allowedServerVariables /></rewrite></system.webServer></location></configuration>")
    host.write_bytes(APPHOST_FILE, root.encode())
    assert read(host, ALLOWED, SITE)["locked"] is False
    assert read(host, PROXY, SITE)["locked"] is True


def test_read_errors(host: Host, bare_host: Host) -> None:
    raises("IISNotInstalled", read, bare_host, RULES)
    raises("SectionNotRegistered", read, host, "system.webServer/nothing")
    error = raises("SiteNotFound", read, host, RULES, "MACHINE/WEBROOT/APPHOST/No Such Site")
    assert error.details["site"] == "No Such Site"
    # a <location path> may name any path, as with MWA's GetSection(section, location)
    assert read(host, ALLOWED, APPHOST, "No Such Site")["file"] == APPHOST_FILE
    raises("PathNotFound", read, host, RULES, SITE + "/missing")
    raises("PathNotFound", read, host, RULES, "MACHINE/WEBROOT")
    host.local_path("C:\\inetpub\\wwwroot\\sub").mkdir()
    assert read(host, RULES, SITE + "/sub")["file"] == "C:\\inetpub\\wwwroot\\sub\\web.config"


def test_site_names_and_sections_paths_match_case_insensitively_for_sites(host: Host) -> None:
    assert read(host, RULES, "MACHINE/WEBROOT/APPHOST/default web site")["file"] == SITE_WEB_CONFIG


def test_config_errors_in_files(host: Host) -> None:
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><rules><rule name="r" bogus="1" />'
                     "</rules></rewrite></system.webServer>")
    # codes as powershell/config_read.ps1 maps MWA's messages
    error = raises("UnknownAttribute", read, host, RULES, SITE)
    assert error.message == "Unrecognized attribute 'bogus'. Note that attribute names are case-sensitive."
    assert error.details["file"] == SITE_WEB_CONFIG
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><rules><rule name="r"><nope /></rule>'
                     "</rules></rewrite></system.webServer>")
    assert raises("UnknownElement", read, host, RULES, SITE).message == "Unrecognized element 'nope'"
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><rules><rule name="r" /><rule name="R" />'
                     "</rules></rewrite></system.webServer>")
    assert "Cannot add duplicate collection entry of type 'rule'" in \
        raises("DuplicateKey", read, host, RULES, SITE).message
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><rules><rule name="r" enabled="maybe" />'
                     "</rules></rewrite></system.webServer>")
    assert "'enabled'" in raises("ConfigFileError", read, host, RULES, SITE).message
    write_web_config(host, SITE_WEB_CONFIG, "<system.webServer><rewrite><rules>")
    raises("ConfigFileError", read, host, RULES, SITE)


def test_locked_section_in_web_config_fails_the_read(host: Host) -> None:
    write_web_config(host, SITE_WEB_CONFIG, '<system.webServer><rewrite><allowedServerVariables><add name="X" />'
                     "</allowedServerVariables></rewrite></system.webServer>")
    error = raises("SectionLocked", read, host, ALLOWED, SITE)
    assert error.details["file"] == SITE_WEB_CONFIG
    assert error.details["hresult"] == "0x80070021"
    assert error.message.startswith("This configuration section cannot be used at this path.")
    assert read(host, ALLOWED)["element"]["items"] == []  # the server level does not read that file
