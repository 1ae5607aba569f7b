"""configSource: a section stored in another file (docs/emulator.md "configSource")."""

from __future__ import annotations

import hashlib

import pytest
from winhost import Host
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

RULES = "system.webServer/rewrite/rules"
MAPS = "system.webServer/rewrite/rewriteMaps"
RULES_FILE = "C:\\inetpub\\wwwroot\\rewriteRules.config"
NESTED_FILE = "C:\\inetpub\\wwwroot\\config\\rewriteRules.config"

WEB_CONFIG = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>\r\n    <system.webServer>\r\n'
              '        <rewrite>\r\n            <rules configSource="{source}" />\r\n        </rewrite>\r\n'
              '    </system.webServer>\r\n</configuration>\r\n')
RULES_XML = ('<rules>\r\n    <rule name="from-file" stopProcessing="true">\r\n        <match url="(.*)" />\r\n'
             '        <action type="Rewrite" url="http://127.0.0.1:5000/{R:1}" />\r\n    </rule>\r\n</rules>\r\n')


def setup(host: Host, source: str = "rewriteRules.config", target: str = RULES_FILE,
          rules_xml: str = RULES_XML) -> tuple[bytes, bytes]:
    web = WEB_CONFIG.replace("{source}", source).encode()
    host.write_bytes(SITE_WEB_CONFIG, web)
    host.write_bytes(target, rules_xml.encode())
    return web, rules_xml.encode()


def names(entry: dict) -> list[str]:
    return [attrs(item)["name"] for item in entry["element"]["items"]]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_read_goes_through_config_source(host: Host) -> None:
    web, rules = setup(host)
    entry = read(host, RULES, SITE)
    assert names(entry) == ["from-file"]
    assert entry["element"]["items"][0]["locally_stored"] is True
    assert entry["file"] == RULES_FILE  # a write here changes the referenced file
    assert entry["fingerprint"][RULES_FILE] == sha(rules)
    assert entry["fingerprint"][SITE_WEB_CONFIG] == sha(web)


def test_config_source_in_a_subfolder(host: Host) -> None:
    setup(host, source="config\\rewriteRules.config", target=NESTED_FILE)
    entry = read(host, RULES, SITE)
    assert names(entry) == ["from-file"] and entry["file"] == NESTED_FILE


def test_write_goes_to_the_referenced_file_and_is_backed_up(host: Host) -> None:
    web, rules = setup(host)
    entry = read(host, RULES, SITE)
    result = apply(host, op("add", RULES, SITE, element=rule("added")), fingerprint=entry["fingerprint"])
    assert host.read_bytes(SITE_WEB_CONFIG) == web  # the referencing file is left as it was
    data = host.read_bytes(RULES_FILE)
    assert data is not None and data.startswith(b"<rules>") and b'name="added"' in data
    assert [b.rsplit("\\", 1)[-1] for b in result["backups"]] == ["rewriteRules.config"]
    assert host.read_bytes(result["backups"][0]) == rules
    assert names(read(host, RULES, SITE)) == ["from-file", "added"]


def test_remove_and_set_in_the_referenced_file(host: Host) -> None:
    setup(host)
    apply(host, op("set", RULES, SITE, path=[{"item": {"name": "from-file"}}], attributes={"enabled": False}))
    assert attrs(read(host, RULES, SITE)["element"]["items"][0])["enabled"] is False
    apply(host, op("remove", RULES, SITE, key={"name": "from-file"}))
    assert names(read(host, RULES, SITE)) == []
    data = host.read_bytes(RULES_FILE)
    assert data is not None and b"from-file" not in data and data.lstrip().startswith(b"<rules")


def test_a_change_of_the_referenced_file_since_the_read_is_refused(host: Host) -> None:
    setup(host)
    entry = read(host, RULES, SITE)
    moved = RULES_XML.replace("from-file", "edited").encode()
    host.write_bytes(RULES_FILE, moved)
    raises("FingerprintMismatch", apply, host, op("add", RULES, SITE, element=rule("added")),
           fingerprint=entry["fingerprint"])
    assert host.read_bytes(RULES_FILE) == moved


def test_config_source_in_application_host_location(host: Host) -> None:
    apphost = host.read_bytes(APPHOST_FILE)
    assert apphost is not None
    target = "C:\\Windows\\System32\\inetsrv\\config\\siteRules.config"
    host.write_bytes(APPHOST_FILE, apphost.replace(
        b"</configuration>", b'<location path="Default Web Site"><system.webServer><rewrite>'
        b'<rules configSource="siteRules.config" /></rewrite></system.webServer></location>\n</configuration>'))
    host.write_bytes(target, RULES_XML.encode())
    entry = read(host, RULES, APPHOST, "Default Web Site")
    assert names(entry) == ["from-file"] and entry["file"] == target
    assert names(read(host, RULES, SITE)) == ["from-file"]  # inherited by the site
    apply(host, op("add", RULES, APPHOST, "Default Web Site", element=rule("added")))
    assert b'name="added"' in (host.read_bytes(target) or b"")
    assert b'name="added"' not in (host.read_bytes(APPHOST_FILE) or b"")


@pytest.mark.parametrize(("source", "why"), [
    ("..\\rewriteRules.config", "relative"),
    ("C:\\inetpub\\rewriteRules.config", "relative"),
    ("/rewriteRules.config", "relative"),
    ("", "relative"),
])
def test_config_source_outside_the_folder_is_refused(host: Host, source: str, why: str) -> None:
    setup(host, source=source)
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert error.details["file"] == SITE_WEB_CONFIG and why in error.message
    assert error.details["config_source"] == source


def test_missing_config_source_file_is_refused_and_nothing_written(host: Host) -> None:
    web, _rules = setup(host, source="missing.config")
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert "Unable to open configSource file 'missing.config'" in error.message
    assert error.details["file"] == SITE_WEB_CONFIG
    raises("ConfigFileError", apply, host, op("add", RULES, SITE, element=rule("added")))
    assert host.read_bytes(SITE_WEB_CONFIG) == web
    assert host.read_bytes("C:\\inetpub\\wwwroot\\missing.config") is None


def test_referencing_element_with_other_content_is_refused(host: Host) -> None:
    host.write_bytes(SITE_WEB_CONFIG, WEB_CONFIG.replace(
        '<rules configSource="{source}" />',
        '<rules configSource="rewriteRules.config"><rule name="inline"><match url="x" /></rule></rules>').encode())
    host.write_bytes(RULES_FILE, RULES_XML.encode())
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert "no other attributes or elements" in error.message and error.details["file"] == SITE_WEB_CONFIG


def test_referenced_file_with_another_root_is_refused(host: Host) -> None:
    setup(host, rules_xml="<configuration>" + RULES_XML + "</configuration>")
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert error.details["file"] == RULES_FILE and "<rules>" in error.message


def test_errors_in_the_referenced_file_name_it(host: Host) -> None:
    setup(host, rules_xml=RULES_XML.replace("stopProcessing", "stopProcesing"))
    error = raises("UnknownAttribute", read, host, RULES, SITE)
    assert error.details["file"] == RULES_FILE


def test_other_sections_of_the_file_are_not_affected(host: Host) -> None:
    setup(host)
    entry = read(host, MAPS, SITE)
    assert entry["file"] == SITE_WEB_CONFIG and entry["element"]["items"] == []
    assert RULES_FILE not in entry["fingerprint"]
