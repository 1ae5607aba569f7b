"""config_apply: operations, IIS-like refusals, all-or-nothing, backups, fingerprint guard, check mode."""

from __future__ import annotations

import pytest
from winhost import Host
from winhost.iis import add_application
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

PROXY = "system.webServer/proxy"
RULES = "system.webServer/rewrite/rules"
GLOBAL_RULES = "system.webServer/rewrite/globalRules"
ALLOWED = "system.webServer/rewrite/allowedServerVariables"
MAPS = "system.webServer/rewrite/rewriteMaps"


def names(entry: dict) -> list[str]:
    return [attrs(i)["name"] for i in entry["element"]["items"]]


def test_set_writes_iis_text_and_reads_back_typed(host: Host) -> None:
    result = apply(host, op("set", PROXY, attributes={"enabled": True, "timeout": "00:05:00",
                                                      "httpVersion": "Http11", "maxForwards": 5}),
                   op("set", PROXY, path=["cache"], attributes={"queryStringHandling": "accept"}))
    assert result["changed"] is True
    text = host.read_bytes(APPHOST_FILE).decode()
    assert '<proxy enabled="true" timeout="00:05:00" httpVersion="Http11" maxForwards="5">' in text
    assert '<cache queryStringHandling="Accept" />' in text  # enum names in IIS's spelling
    element = read(host, PROXY)["element"]
    assert element["attributes"]["enabled"] == {"value": True, "is_default": False}
    assert element["attributes"]["keepAlive"] == {"value": True, "is_default": True}
    assert attrs(element["children"]["cache"])["queryStringHandling"] == "Accept"


def test_set_same_values_again_is_a_commit_without_content_change(host: Host) -> None:
    apply(host, op("set", PROXY, attributes={"enabled": True}))
    before = host.read_bytes(APPHOST_FILE)
    result = apply(host, op("set", PROXY, attributes={"enabled": True}))
    # as powershell/config_apply.ps1 reports it: a touched file counts as changed and is backed up
    assert result["changed"] is True and len(result["backups"]) == 1
    assert host.read_bytes(APPHOST_FILE) == before == host.read_bytes(result["backups"][0])
    assert apply(host)["changed"] is False  # no operations: nothing touched


def test_set_writes_explicit_default_and_reset_removes_it(host: Host) -> None:
    apply(host, op("set", PROXY, attributes={"keepAlive": True}, path=[]),
          op("set", PROXY, path=["cache"], attributes={"enabled": False}))
    element = read(host, PROXY)["element"]
    assert element["attributes"]["keepAlive"] == {"value": True, "is_default": False}  # MWA writes what you set
    apply(host, op("reset", PROXY, attributes=["keepAlive"]),
          op("reset", PROXY, path=["cache"], attributes=["enabled"]))
    element = read(host, PROXY)["element"]
    assert element["attributes"]["keepAlive"] == {"value": True, "is_default": True}
    assert element["children"]["cache"]["attributes"]["enabled"]["is_default"] is True
    assert "<cache" not in host.read_bytes(APPHOST_FILE).decode()  # the emptied element is dropped


def test_add_rule_creates_site_web_config(host: Host) -> None:
    assert not host.exists(SITE_WEB_CONFIG)
    element = rule("proxy", stopProcessing=True)
    element["children"]["serverVariables"] = {"items": [
        {"name": "set", "attributes": {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}}]}
    element["children"]["conditions"] = {"attributes": {"logicalGrouping": "MatchAny"}, "items": [
        {"name": "add", "attributes": {"input": "{HTTPS}", "pattern": "on"}}]}
    result = apply(host, op("add", RULES, SITE, element=element))
    assert result == {"changed": True, "backups": []}  # a new file has nothing to back up
    text = host.read_bytes(SITE_WEB_CONFIG).decode()
    assert 'url="http://127.0.0.1:5000/{R:1}"' in text  # braces kept as they are
    assert text.index("<match") < text.index("<conditions") < text.index("<serverVariables") < text.index("<action")
    item = read(host, RULES, SITE)["element"]["items"][0]
    assert item["locally_stored"] is True
    assert attrs(item["children"]["conditions"]) == {"logicalGrouping": "MatchAny", "trackAllCaptures": False}
    assert attrs(item["children"]["conditions"]["items"][0]) == {
        "input": "{HTTPS}", "matchType": "Pattern", "pattern": "on", "ignoreCase": True, "negate": False}
    assert attrs(item["children"]["serverVariables"]["items"][0]) == {
        "name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}", "replace": True}


def test_add_at_index_and_append(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("a")), op("add", RULES, SITE, element=rule("c")))
    apply(host, op("add", RULES, SITE, index=1, element=rule("b")), op("add", RULES, SITE, index=0, element=rule("0")),
          op("add", RULES, SITE, index=None, element=rule("z")))
    assert names(read(host, RULES, SITE)) == ["0", "a", "b", "c", "z"]
    raises("InvalidValue", apply, host, op("add", RULES, SITE, index=9, element=rule("x")))


def test_add_before_inherited_item_is_refused(host: Host) -> None:
    apply(host, op("add", RULES, APPHOST, element=rule("server")), op("add", RULES, SITE, element=rule("site")))
    raises("InvalidValue", apply, host, op("add", RULES, SITE, index=0, element=rule("first")))
    apply(host, op("add", RULES, SITE, index=1, element=rule("first")))
    assert names(read(host, RULES, SITE)) == ["server", "first", "site"]


def test_set_on_item_path_and_nested_child(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("r1")))
    apply(host, op("set", RULES, SITE, path=[{"item": {"name": "R1"}}], attributes={"stopProcessing": True}),
          op("set", RULES, SITE, path=[{"item": {"name": "r1"}}, "action"],
             attributes={"type": "Redirect", "redirectType": "Found"}))
    item = read(host, RULES, SITE)["element"]["items"][0]
    assert attrs(item)["stopProcessing"] is True
    assert attrs(item["children"]["action"])["redirectType"] == "Found"
    assert 'redirectType="Found"' in host.read_bytes(SITE_WEB_CONFIG).decode()


def test_remove_local_item_and_inherited_item(host: Host) -> None:
    apply(host, op("add", ALLOWED, APPHOST, element={"name": "add", "attributes": {"name": "SERVER_WIDE"}}),
          op("add", ALLOWED, APPHOST, location="Default Web Site",
             element={"name": "add", "attributes": {"name": "LOCAL"}}))
    apply(host, op("remove", ALLOWED, APPHOST, location="Default Web Site", key={"name": "local"}))
    assert names(read(host, ALLOWED, APPHOST, "Default Web Site")) == ["SERVER_WIDE"]
    apply(host, op("remove", ALLOWED, APPHOST, location="Default Web Site", key={"name": "SERVER_WIDE"}))
    assert names(read(host, ALLOWED, APPHOST, "Default Web Site")) == []
    assert names(read(host, ALLOWED)) == ["SERVER_WIDE"]
    assert '<remove name="SERVER_WIDE" />' in host.read_bytes(APPHOST_FILE).decode()
    raises("ItemNotFound", apply, host, op("remove", ALLOWED, APPHOST, key={"name": "NOPE"}))


def test_clear_local_and_inherited(host: Host) -> None:
    apply(host, op("add", RULES, APPHOST, element=rule("server")), op("add", RULES, SITE, element=rule("site")))
    apply(host, op("clear", RULES, SITE))
    assert names(read(host, RULES, SITE)) == []
    assert "<clear />" in host.read_bytes(SITE_WEB_CONFIG).decode()
    assert names(read(host, RULES)) == ["server"]
    apply(host, op("clear", RULES))
    assert "<clear" not in host.read_bytes(APPHOST_FILE).decode()  # nothing inherited at the top


def test_nested_collections_in_items(host: Host) -> None:
    apply(host, op("add", MAPS, SITE, element={"name": "rewriteMap", "attributes": {"name": "hosts"}, "items": [
        {"name": "add", "attributes": {"key": "a", "value": "1"}}]}))
    apply(host, op("add", MAPS, SITE, path=[{"item": {"name": "hosts"}}],
                   element={"name": "add", "attributes": {"key": "A", "value": "2"}}))  # keys are case-sensitive
    entries = read(host, MAPS, SITE)["element"]["items"][0]["items"]
    assert [attrs(e) for e in entries] == [{"key": "a", "value": "1"}, {"key": "A", "value": "2"}]
    raises("DuplicateKey", apply, host, op("add", MAPS, SITE, path=[{"item": {"name": "hosts"}}],
                                           element={"name": "add", "attributes": {"key": "a"}}))


@pytest.mark.parametrize(("section", "pspath", "location"), [
    (ALLOWED, SITE, ""),  # overrideModeDefault="Deny"
    (GLOBAL_RULES, SITE, ""),  # AppHostOnly
    (GLOBAL_RULES, APPHOST, "Default Web Site"),  # AppHostOnly: apphost root only
    (PROXY, SITE, ""),
    (PROXY, APPHOST, "Default Web Site"),
])
def test_locked_writes_are_refused(host: Host, section: str, pspath: str, location: str) -> None:
    before = host.read_bytes(APPHOST_FILE)
    element = rule("g") if section == GLOBAL_RULES else {"name": "add", "attributes": {"name": "X"}}
    operation = op("set", section, pspath, location, attributes={"enabled": True}) if section == PROXY else \
        op("add", section, pspath, location, element=element)
    error = raises("SectionLocked", apply, host, operation)
    assert error.details["hresult"] == "0x80070021"
    assert "cannot be used at this path" in error.message
    assert host.read_bytes(APPHOST_FILE) == before and not host.exists(SITE_WEB_CONFIG)


def test_allowed_server_variables_in_apphost_location_for_a_site(host: Host) -> None:
    apply(host, op("add", ALLOWED, APPHOST, "Default Web Site",
                   element={"name": "add", "attributes": {"name": "HTTP_X_A"}}))
    text = host.read_bytes(APPHOST_FILE).decode()
    assert '<location path="Default Web Site">' in text and '<add name="HTTP_X_A" />' in text
    assert names(read(host, ALLOWED, SITE)) == ["HTTP_X_A"]


def test_unlocked_section_may_be_written_in_web_config(host: Host) -> None:
    text = host.read_bytes(APPHOST_FILE).decode().replace(
        "</configuration>", '<location path="Default Web Site" overrideMode="Allow"><system.webServer><rewrite>'
        "<allowedServerVariables /></rewrite></system.webServer></location></configuration>")
    host.write_bytes(APPHOST_FILE, text.encode())
    apply(host, op("add", ALLOWED, SITE, element={"name": "add", "attributes": {"name": "HTTP_X_B"}}))
    assert '<add name="HTTP_X_B" />' in host.read_bytes(SITE_WEB_CONFIG).decode()


def test_global_rules_at_apphost_root(host: Host) -> None:
    apply(host, op("add", GLOBAL_RULES, element=rule("g1")))
    assert names(read(host, GLOBAL_RULES)) == ["g1"]


@pytest.mark.parametrize(("operation", "code"), [
    (op("set", PROXY, attributes={"enabledd": True}), "UnknownAttribute"),
    (op("set", PROXY, path=["nocache"], attributes={"enabled": True}), "UnknownElement"),
    (op("add", RULES, SITE, element={"name": "rules", "attributes": {"name": "x"}}), "UnknownElement"),
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": "x"}, "children": {"bogus": {}}}),
     "UnknownElement"),
    (op("reset", PROXY, attributes=["nope"]), "UnknownAttribute"),
    (op("set", PROXY, attributes={"httpVersion": "Http20"}), "InvalidValue"),
    (op("set", PROXY, attributes={"enabled": "yes"}), "InvalidValue"),
    (op("set", PROXY, attributes={"maxForwards": -1}), "InvalidValue"),  # uint
    (op("set", PROXY, attributes={"responseBufferLimit": 4194304}), "InvalidValue"),  # integerRange 0,4194303
    (op("set", PROXY, attributes={"timeout": "2.00:00:00"}), "InvalidValue"),  # timeSpanRange 1..86400 s
    (op("set", PROXY, attributes={"timeout": "00:00:00"}), "InvalidValue"),
    (op("set", PROXY, attributes={"timeout": "soon"}), "InvalidValue"),
    (op("set", PROXY, attributes={"enabled": None}), "InvalidValue"),
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": ""}}), "InvalidValue"),  # nonEmpty
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"stopProcessing": True}}), "InvalidValue"),
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": "x"}, "children": {
        "action": {"attributes": {"type": "CustomResponse", "statusCode": 302}}}}), "InvalidValue"),  # 300-307 excl.
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": "x"}, "children": {
        "action": {"attributes": {"subStatusCode": 1000}}}}), "InvalidValue"),
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": "x"}, "children": {
        "action": {"attributes": {"url": " http://x/ "}}}}), "InvalidValue"),  # requireTrimmedString
    (op("add", RULES, SITE, element={"name": "rule", "attributes": {"name": "x"}, "children": {
        "serverVariables": {"items": [{"name": "set", "attributes": {"value": "v"}}]}}}), "InvalidValue"),
    (op("set", RULES, SITE, path=[{"item": {"name": "missing"}}], attributes={"enabled": False}), "ItemNotFound"),
    (op("remove", RULES, SITE, key={"name": "missing"}), "ItemNotFound"),
    (op("frobnicate", RULES, SITE), "InvalidValue"),
    (op("set", "system.webServer/nope", attributes={}), "SectionNotRegistered"),
    (op("set", RULES, "MACHINE/WEBROOT/APPHOST/Nope", attributes={}), "SiteNotFound"),
    (op("set", RULES, SITE + "/nope", attributes={}), "PathNotFound"),
])
def test_refused_operations_write_nothing(host: Host, operation: dict, code: str) -> None:
    before = host.read_bytes(APPHOST_FILE)
    error = raises(code, apply, host, operation)
    assert error.details["operation"] == 0
    assert host.read_bytes(APPHOST_FILE) == before and not host.exists(SITE_WEB_CONFIG)


def test_duplicate_keys(host: Host) -> None:
    apply(host, op("add", RULES, APPHOST, element=rule("same")))
    error = raises("DuplicateKey", apply, host, op("add", RULES, SITE, element=rule("SAME")))
    assert error.message == ("Cannot add duplicate collection entry of type 'rule' with unique key attribute "
                             "'name' set to 'SAME'")
    condition = {"name": "add", "attributes": {"input": "{HTTPS}", "pattern": "on"}}
    # globalRules conditions: every attribute is part of a combined key
    error = raises("DuplicateKey", apply, host, op("add", GLOBAL_RULES, element={
        "name": "rule", "attributes": {"name": "g"}, "children": {"conditions": {"items": [condition, condition]}}}))
    assert "combined key attributes 'input, matchType, pattern, ignoreCase, negate'" in error.message
    # distributed rules: no key, the same condition twice is allowed
    apply(host, op("add", RULES, SITE, element={
        "name": "rule", "attributes": {"name": "d"}, "children": {"conditions": {"items": [condition, condition]}}}))
    assert len(read(host, RULES, SITE)["element"]["items"][1]["children"]["conditions"]["items"]) == 2


def test_set_that_duplicates_a_key_is_refused(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("a")), op("add", RULES, SITE, element=rule("b")))
    before = host.read_bytes(SITE_WEB_CONFIG)
    raises("DuplicateKey", apply, host, op("set", RULES, SITE, path=[{"item": {"name": "b"}}],
                                           attributes={"name": "A"}))
    assert host.read_bytes(SITE_WEB_CONFIG) == before


def test_reset_of_required_key_is_refused(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("a")))
    raises("InvalidValue", apply, host, op("reset", RULES, SITE, path=[{"item": {"name": "a"}}], attributes=["name"]))


def test_all_or_nothing_across_files(host: Host) -> None:
    add_application(host, "Default Web Site", "/myApp", "C:\\apps\\myapp")
    before = host.read_bytes(APPHOST_FILE)
    error = raises("UnknownAttribute", apply, host,
                   op("set", PROXY, attributes={"enabled": True}),
                   op("add", RULES, SITE, element=rule("ok")),
                   op("add", RULES, SITE + "/myApp", element=rule("ok2")),
                   op("set", PROXY, path=["cache"], attributes={"bogus": 1}))
    assert error.details["operation"] == 3
    assert host.read_bytes(APPHOST_FILE) == before
    assert not host.exists(SITE_WEB_CONFIG) and not host.exists("C:\\apps\\myapp\\web.config")
    assert not host.exists("C:\\ProgramData\\winflask\\backup")


def test_each_touched_file_written_once_with_backups(host: Host) -> None:
    apply(host, op("add", RULES, SITE, element=rule("old")))
    old_apphost, old_site = host.read_bytes(APPHOST_FILE), host.read_bytes(SITE_WEB_CONFIG)
    result = apply(host, op("set", PROXY, attributes={"enabled": True}), op("add", RULES, SITE, element=rule("new")),
                   op("set", PROXY, attributes={"preserveHostHeader": True}))
    assert result["changed"] is True and len(result["backups"]) == 2
    folder = result["backups"][0].rsplit("\\C\\", 1)[0]
    assert folder.startswith("C:\\ProgramData\\winflask\\backup\\")
    stamp = folder.rsplit("\\", 1)[1]
    assert len(stamp) == len("20260101-120000-000") and stamp[8] == "-" and stamp[15] == "-"
    assert sorted(result["backups"]) == sorted([folder + "\\C" + APPHOST_FILE[2:],
                                                folder + "\\C\\inetpub\\wwwroot\\web.config"])
    backups = {b.rsplit("\\", 1)[1]: host.read_bytes(b) for b in result["backups"]}
    assert backups == {"applicationHost.config": old_apphost, "web.config": old_site}
    assert host.read_bytes(APPHOST_FILE) != old_apphost


def test_backup_false_writes_no_copy(host: Host) -> None:
    result = apply(host, op("set", PROXY, attributes={"enabled": True}), backup=False)
    assert result == {"changed": True, "backups": []}
    assert not host.exists("C:\\ProgramData\\winflask\\backup")


def test_fingerprint_mismatch_is_refused_before_anything(host: Host) -> None:
    entry = read(host, RULES, SITE)
    fingerprint = entry["fingerprint"]
    apply(host, op("set", PROXY, attributes={"enabled": True}))  # someone else changes applicationHost.config
    before = host.read_bytes(APPHOST_FILE)
    error = raises("FingerprintMismatch", apply, host, op("add", RULES, SITE, element=rule("r")),
                   fingerprint=fingerprint)
    assert error.details["file"] == APPHOST_FILE
    assert host.read_bytes(APPHOST_FILE) == before and not host.exists(SITE_WEB_CONFIG)
    # a web.config that appeared since the read (null in the fingerprint) also counts
    fingerprint = read(host, RULES, SITE)["fingerprint"]
    apply(host, op("add", RULES, SITE, element=rule("someone-else")))
    raises("FingerprintMismatch", apply, host, op("add", RULES, SITE, element=rule("r")), fingerprint=fingerprint)
    fingerprint = read(host, RULES, SITE)["fingerprint"]
    assert apply(host, op("add", RULES, SITE, element=rule("r")), fingerprint=fingerprint)["changed"] is True


def test_check_mode_validates_but_writes_nothing(host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    assert apply(host, op("set", PROXY, attributes={"enabled": True}), check_mode=True) == \
        {"changed": True, "backups": []}
    assert host.read_bytes(APPHOST_FILE) == before
    raises("InvalidValue", apply, host, op("set", PROXY, attributes={"enabled": 3}), check_mode=True)


def test_iis_not_installed(bare_host: Host) -> None:
    raises("IISNotInstalled", apply, bare_host, op("set", PROXY, attributes={"enabled": True}))
