"""Config files as IIS has them on disk: encodings other than UTF-8, a BOM, CRLF line ends, comments before
and after <configuration>; what a read sees and what a save keeps (docs/emulator.md "How files are read
and saved")."""

from __future__ import annotations

import pytest
from winhost import Host
from winhost_helpers import SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

RULES = "system.webServer/rewrite/rules"
CHINESE = "反向代理"  # "reverse proxy": every character is in GB2312


def rules_body(name: str) -> str:
    return (f'<system.webServer><rewrite><rules><rule name="{name}"><match url="(.*)" />'
            '<action type="Rewrite" url="http://127.0.0.1:5000/{R:1}" /></rule></rules></rewrite></system.webServer>')


def write_gb2312(host: Host) -> bytes:
    text = ('<?xml version="1.0" encoding="gb2312"?>\r\n<configuration>\r\n' + rules_body(CHINESE)
            + '\r\n</configuration>\r\n')
    data = text.encode("gb2312")
    host.write_bytes(SITE_WEB_CONFIG, data)
    return data


def names(entry: dict) -> list[str]:
    return [attrs(item)["name"] for item in entry["element"]["items"]]


def test_gb2312_web_config_is_read_with_its_chinese_rule_name(host: Host) -> None:
    write_gb2312(host)
    assert names(read(host, RULES, SITE)) == [CHINESE]


def test_gb2312_web_config_is_written_back_in_gb2312(host: Host) -> None:
    write_gb2312(host)
    entry = read(host, RULES, SITE)
    apply(host, op("add", RULES, SITE, element=rule("第二条")), fingerprint=entry["fingerprint"])
    data = host.read_bytes(SITE_WEB_CONFIG)
    assert data is not None
    assert data.startswith(b'<?xml version="1.0" encoding="gb2312"?>\r\n')
    text = data.decode("gb2312")  # still valid GB2312, not UTF-8 bytes under a gb2312 declaration
    assert CHINESE in text and "第二条" in text
    assert names(read(host, RULES, SITE)) == [CHINESE, "第二条"]


def test_character_outside_the_file_encoding_is_written_as_a_character_reference(host: Host) -> None:
    write_gb2312(host)
    apply(host, op("add", RULES, SITE, element=rule("café ☃")))
    data = host.read_bytes(SITE_WEB_CONFIG)
    assert data is not None
    data.decode("gb2312")
    assert b"&#9731;" in data  # the snowman has no GB2312 code
    assert names(read(host, RULES, SITE)) == [CHINESE, "café ☃"]


@pytest.mark.parametrize("encoding", ["shift_jis", "windows-1252", "iso-8859-1", "utf-16"])
def test_other_encodings_iis_reads(host: Host, encoding: str) -> None:
    name = {"shift_jis": "日本語", "windows-1252": "Größe €", "iso-8859-1": "Größe", "utf-16": "多语言"}[encoding]
    text = f'<?xml version="1.0" encoding="{encoding}"?>\r\n<configuration>{rules_body(name)}</configuration>\r\n'
    host.write_bytes(SITE_WEB_CONFIG, text.encode(encoding))
    assert names(read(host, RULES, SITE)) == [name]


def test_unknown_encoding_is_a_config_file_error_naming_file_and_encoding(host: Host) -> None:
    before = ('<?xml version="1.0" encoding="x-klingon"?>\n<configuration>' + rules_body("r") + "</configuration>\n")
    host.write_bytes(SITE_WEB_CONFIG, before.encode())
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert error.details["file"] == SITE_WEB_CONFIG and error.details["encoding"] == "x-klingon"
    assert "x-klingon" in error.message and SITE_WEB_CONFIG in error.message
    error = raises("ConfigFileError", apply, host, op("add", RULES, SITE, element=rule("r2")))
    assert host.read_bytes(SITE_WEB_CONFIG) == before.encode()


def test_bytes_that_are_not_in_the_declared_encoding_are_a_config_file_error(host: Host) -> None:
    host.write_bytes(SITE_WEB_CONFIG, b'<?xml version="1.0" encoding="utf-8"?>\n<configuration>'
                     + rules_body("r").encode() + b"<!-- \xff\xfe -->" + b"</configuration>\n")
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert error.details["file"] == SITE_WEB_CONFIG and error.details["encoding"] == "utf-8"


WINDOWS_FILE = ("\ufeff".encode() + b'<?xml version="1.0" encoding="utf-8"?>\r\n'
                b"<!-- Deployed by the build; see README. -->\r\n"
                b"<configuration>\r\n"
                b"    <!-- rewrite rules below -->\r\n"
                + rules_body("first").encode()
                + b"\r\n</configuration>\r\n"
                b"<!-- trailing note -->\r\n")


def test_save_keeps_bom_crlf_declaration_and_comments_in_and_outside_the_root(host: Host) -> None:
    host.write_bytes(SITE_WEB_CONFIG, WINDOWS_FILE)
    entry = read(host, RULES, SITE)
    assert names(entry) == ["first"]
    apply(host, op("add", RULES, SITE, element=rule("second")), fingerprint=entry["fingerprint"])
    data = host.read_bytes(SITE_WEB_CONFIG)
    assert data is not None
    assert data.startswith(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\r\n'
                           b"<!-- Deployed by the build; see README. -->\r\n<configuration>")
    assert b"<!-- rewrite rules below -->" in data
    assert data.rstrip().endswith(b"</configuration>\r\n<!-- trailing note -->")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends in CRLF
    assert names(read(host, RULES, SITE)) == ["first", "second"]


def test_file_without_declaration_or_bom_stays_so(host: Host) -> None:
    host.write_bytes(SITE_WEB_CONFIG, b"<configuration>\n" + rules_body("a").encode() + b"\n</configuration>\n")
    apply(host, op("add", RULES, SITE, element=rule("b")))
    data = host.read_bytes(SITE_WEB_CONFIG)
    assert data is not None and data.startswith(b"<configuration>") and b"\r\n" not in data


def test_new_web_config_is_utf8_with_declaration_and_crlf(host: Host) -> None:
    assert host.read_bytes(SITE_WEB_CONFIG) is None
    apply(host, op("add", RULES, SITE, element=rule("a")))
    data = host.read_bytes(SITE_WEB_CONFIG)
    assert data is not None and data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>')
    assert b"\n" not in data.replace(b"\r\n", b"")
