"""The emulator's rewrite and proxy schemas against the shipped ones (docs/emulator.md "Schema"), and
elements IIS does not know in the rewrite section group (refused on read and on write, as IIS does)."""

from __future__ import annotations

import pytest
from winhost import Host
from winhost.config.schema import ElementSchema, load_schema_dir
from winhost.paths import SCHEMA_DIR
from winhost_helpers import APPHOST, SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

RULES = "system.webServer/rewrite/rules"
GLOBAL_RULES = "system.webServer/rewrite/globalRules"
OUTBOUND = "system.webServer/rewrite/outboundRules"
PROXY = "system.webServer/proxy"

CONDITION_KEY = ["input", "matchType", "pattern", "ignoreCase", "negate"]


@pytest.fixture
def schemas(host: Host) -> dict[str, ElementSchema]:
    return load_schema_dir(host.local_path(SCHEMA_DIR))


def walk(schemas: dict[str, ElementSchema], section: str, *path: str) -> ElementSchema:
    """A schema element by section and steps: a child name, or "*" for the collection's item."""
    node = schemas[section]
    for step in path:
        if step == "*":
            assert node.collection is not None
            node = node.collection.item
        else:
            node = node.children[step]
    return node


# (section, path to a collection's owner, key names, "unique"|"combined"), as rewrite_schema.xml ships them
KEYS = [
    (RULES, ("*", "conditions"), [], None),  # distributed rules: duplicate conditions allowed
    (GLOBAL_RULES, ("*", "conditions"), CONDITION_KEY, "combined"),
    (OUTBOUND, ("*", "conditions"), CONDITION_KEY, "combined"),
    (OUTBOUND, ("preConditions", "*"), CONDITION_KEY, "combined"),
    (OUTBOUND, ("preConditions",), ["name"], "unique"),
    (OUTBOUND, ("customTags", "*"), ["name", "attribute"], "combined"),
    (RULES, ("*", "serverVariables"), ["name"], "unique"),
    ("system.webServer/rewrite/rewriteMaps", ("*",), ["key"], "unique"),
]


@pytest.mark.parametrize(("section", "path", "names", "kind"), KEYS)
def test_collection_keys_are_the_shipped_ones(schemas: dict[str, ElementSchema], section: str,
                                              path: tuple[str, ...], names: list[str], kind: str | None) -> None:
    coll = walk(schemas, section, *path).collection
    assert coll is not None
    assert coll.key_names() == names
    if kind:
        assert coll.key_kind() == kind


# (section, path, attribute, type, default, validationType) that differed from the shipped schema
ATTRIBUTES = [
    (RULES, (), "useOriginalURLEncoding", "bool", "true", None),  # URL Rewrite 2.1
    (GLOBAL_RULES, (), "useOriginalURLEncoding", "bool", "true", None),
    ("system.webServer/rewrite/rewriteMaps", (), "name", "string", None, "requireTrimmedString"),
    ("system.webServer/rewrite/rewriteMaps", (), "defaultValue", "string", None, None),
    ("system.webServer/rewrite/providers", (), "type", "string", None, "requireTrimmedString"),
    (PROXY, ("cache",), "validationInterval", "timeSpan", "00:01:00", "timeSpanRange"),
]


@pytest.mark.parametrize(("section", "path", "name", "kind", "default", "validation"), ATTRIBUTES)
def test_attributes_are_the_shipped_ones(schemas: dict[str, ElementSchema], section: str, path: tuple[str, ...],
                                         name: str, kind: str, default: str | None,
                                         validation: str | None) -> None:
    element = walk(schemas, section, *path)
    if name not in element.attributes and element.collection is not None:
        element = element.collection.item
    attr = element.attributes[name]
    assert (attr.type, attr.default, attr.validation_type) == (kind, default, validation)


def write_site(host: Host, rewrite: str) -> bytes:
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n    <system.webServer>\n        <rewrite>\n'
            f"{rewrite}\n        </rewrite>\n    </system.webServer>\n</configuration>\n").encode()
    host.write_files([(SITE_WEB_CONFIG, data)])
    return data


def test_rules_of_url_rewrite_21_read(host: Host) -> None:
    write_site(host, '            <rules useOriginalURLEncoding="false">\n'
               '                <rule name="proxy"><match url="(.*)" />'
               '<action type="Rewrite" url="http://127.0.0.1:5000{UNENCODED_URL}" /></rule>\n'
               "            </rules>")
    element = read(host, RULES, SITE)["element"]
    assert element["attributes"]["useOriginalURLEncoding"] == {"value": False, "is_default": False}
    assert [attrs(i)["name"] for i in element["items"]] == ["proxy"]
    assert read(host, GLOBAL_RULES)["element"]["attributes"]["useOriginalURLEncoding"] == {
        "value": True, "is_default": True}


DUPLICATE_CONDITION = '<add input="{HTTP_HOST}" pattern="^a$" /><add input="{HTTP_HOST}" pattern="^a$" />'


def test_duplicate_outbound_condition_in_a_file_fails_the_read(host: Host) -> None:
    write_site(host, f'<outboundRules><rule name="o"><match serverVariable="RESPONSE_X" pattern="x" />'
               f'<conditions>{DUPLICATE_CONDITION}</conditions><action type="Rewrite" value="y" /></rule>'
               "</outboundRules>")
    error = raises("DuplicateKey", read, host, OUTBOUND, SITE)
    assert "combined key attributes 'input, matchType, pattern, ignoreCase, negate'" in error.message


def test_duplicate_precondition_condition_in_a_file_fails_the_read(host: Host) -> None:
    write_site(host, f'<outboundRules><preConditions><preCondition name="html">{DUPLICATE_CONDITION}'
               "</preCondition></preConditions></outboundRules>")
    raises("DuplicateKey", read, host, OUTBOUND, SITE)


def test_duplicate_inbound_condition_is_allowed(host: Host) -> None:
    write_site(host, f'<rules><rule name="r"><match url="x" /><conditions>{DUPLICATE_CONDITION}</conditions>'
               "</rule></rules>")
    item = read(host, RULES, SITE)["element"]["items"][0]
    assert len(item["children"]["conditions"]["items"]) == 2


def test_adding_an_outbound_rule_with_a_duplicate_condition_is_refused(host: Host) -> None:
    condition = {"name": "add", "attributes": {"input": "{HTTP_HOST}", "pattern": "^a$"}}
    element = {"name": "rule", "attributes": {"name": "o"},
               "children": {"match": {"attributes": {"serverVariable": "RESPONSE_X", "pattern": "x"}},
                            "conditions": {"attributes": {}, "items": [condition, condition]},
                            "action": {"attributes": {"type": "Rewrite", "value": "y"}}}}
    raises("DuplicateKey", apply, host, op("add", OUTBOUND, SITE, element=element))
    assert not host.exists(SITE_WEB_CONFIG)


@pytest.mark.parametrize("where", ["root", "location"])
def test_unknown_element_in_the_rewrite_group_is_refused_on_read_and_write(host: Host, where: str) -> None:
    body = "<foo /><rules><rule name=\"r\"><match url=\"x\" /></rule></rules>"
    if where == "root":
        before = write_site(host, body)
    else:
        before = ('<?xml version="1.0" encoding="UTF-8"?>\n<configuration><location path=".">'
                  f"<system.webServer><rewrite>{body}</rewrite></system.webServer></location></configuration>\n"
                  ).encode()
        host.write_files([(SITE_WEB_CONFIG, before)])
    error = raises("UnknownElement", read, host, RULES, SITE)
    assert "'foo'" in error.message and error.details["file"] == SITE_WEB_CONFIG
    raises("UnknownElement", read, host, OUTBOUND, SITE)  # IIS cannot load the file for any section
    raises("UnknownElement", apply, host, op("add", RULES, SITE, element=rule("other")))
    assert host.read_bytes(SITE_WEB_CONFIG) == before
    read(host, RULES, APPHOST)  # applicationHost.config alone still loads


def test_unknown_element_inside_a_section_is_refused(host: Host) -> None:
    write_site(host, "<rules><foo /></rules>")
    assert "'foo'" in raises("UnknownElement", read, host, RULES, SITE).message


def test_other_system_webserver_sections_are_left_alone(host: Host) -> None:
    host.write_files([(SITE_WEB_CONFIG, b'<?xml version="1.0" encoding="UTF-8"?>\n<configuration><system.webServer>'
                       b'<handlers><add name="aspNetCore" path="*" verb="*" modules="AspNetCoreModuleV2" /></handlers>'
                       b"<rewrite><rules /></rewrite></system.webServer></configuration>\n")])
    assert read(host, RULES, SITE)["element"]["items"] == []


def test_validation_interval_range_is_checked(host: Host) -> None:
    too_long = op("set", PROXY, path=["cache"], attributes={"validationInterval": "2.00:00:00"})
    raises("InvalidValue", apply, host, too_long)
