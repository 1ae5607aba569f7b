"""config_read validates attribute values as IIS does when it parses a config file.

MWA ConfigurationAttributeSchema.ValidationType: "Attribute validation is done at run time when IIS
parses the configuration XML to get a configuration section, and when IIS calls the configuration
API to get or set values. If validation fails, the desired operation also fails." An attribute that
is not in the file is not validated (it takes the schema default).
"""

from __future__ import annotations

from winhost import Host
from winhost_helpers import SITE, SITE_WEB_CONFIG, raises, read

RULES = "system.webServer/rewrite/rules"


def write_rules(host: Host, rules: str) -> None:
    host.write_bytes(SITE_WEB_CONFIG, ('<?xml version="1.0" encoding="UTF-8"?>\n<configuration><system.webServer>'
                                       f"<rewrite><rules>{rules}</rules></rewrite></system.webServer>"
                                       "</configuration>\n").encode())


def test_rule_without_match_or_url_reads(host: Host) -> None:
    write_rules(host, '<rule name="no match"><action type="Rewrite" url="server.js" /></rule>'
                      '<rule name="no url"><match ignoreCase="false" /></rule>')
    items = read(host, RULES, SITE)["element"]["items"]
    assert [i["children"]["match"]["attributes"]["url"]["value"] for i in items] == [None, None]


def test_explicit_empty_match_url_fails_the_read(host: Host) -> None:
    write_rules(host, '<rule name="empty"><match url="" /></rule>')
    error = raises("ConfigFileError", read, host, RULES, SITE)
    assert "'url'" in error.message and "empty" in error.message
    assert error.details["file"] == SITE_WEB_CONFIG


def test_integer_range_is_checked_on_read(host: Host) -> None:
    write_rules(host, '<rule name="r"><match url="x" /><action type="CustomResponse" statusCode="302" /></rule>')
    assert "'statusCode'" in raises("ConfigFileError", read, host, RULES, SITE).message
    write_rules(host, '<rule name="r"><match url="x" /><action type="CustomResponse" statusCode="403" '
                      'subStatusCode="1000" /></rule>')
    assert "'subStatusCode'" in raises("ConfigFileError", read, host, RULES, SITE).message
