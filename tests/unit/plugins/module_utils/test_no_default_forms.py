"""Attributes without a schema default: the emulator reports ``null``, Microsoft.Web.Administration may give
the type's empty value (``""`` for a string, ``0`` for a number; issue 9 item 10, docs/powershell.md). The
Python side must read both forms alike: same module shape, same plan, no phantom change."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from winhost import Host
from winhost.config.schema import ElementSchema, load_schema_dir
from winhost.paths import SCHEMA_DIR
from winhost.scripts import SCRIPTS

from ansible_collections.winflask.iis.plugins.module_utils import arr_proxy
from ansible_collections.winflask.iis.plugins.module_utils.config import Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model

SITE = "MACHINE/WEBROOT/APPHOST/Default Web Site"
WEB_CONFIG = "C:\\inetpub\\wwwroot\\web.config"
# A site web.config as IIS Manager writes it: only the attributes that were set.
RULES = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.webServer>
        <rewrite>
            <rules>
                <rule name="proxy" stopProcessing="true">
                    <match url="(.*)" />
                    <conditions>
                        <add input="{HTTP_HOST}" pattern="^example$" />
                        <add input="{REQUEST_FILENAME}" matchType="IsFile" negate="true" />
                    </conditions>
                    <serverVariables>
                        <set name="HTTP_X_ORIGINAL_HOST" value="{HTTP_HOST}" />
                    </serverVariables>
                    <action type="Rewrite" url="http://127.0.0.1:5000/{R:1}" />
                </rule>
                <rule name="gone"><match url="^old$" /><action type="CustomResponse" statusCode="410" /></rule>
                <rule name="bare" />
            </rules>
            <outboundRules>
                <rule name="location">
                    <match serverVariable="RESPONSE_Location" pattern="^http://127.0.0.1:5000/(.*)" />
                    <action type="Rewrite" value="/{R:1}" />
                </rule>
            </outboundRules>
        </rewrite>
    </system.webServer>
</configuration>
"""


@pytest.fixture
def host(tmp_path: Path) -> Host:
    host = Host.create(tmp_path / "host", profile="server2022")
    host.write_files([(WEB_CONFIG, RULES.encode())])
    return host


def read(host: Host, section: str, pspath: str = "MACHINE/WEBROOT/APPHOST") -> dict[str, Any]:
    result = SCRIPTS["config_read"](host, {"reads": [{"section": section, "pspath": pspath, "location": ""}]}, False)
    return result["sections"][0]["element"]


def mwa_form(node: dict[str, Any], schema: ElementSchema) -> tuple[dict[str, Any], int]:
    """The node as MWA may report it: each null value without a schema default as its type's empty value."""
    out = copy.deepcopy(node)
    count = 0
    for name, attr in out["attributes"].items():
        if attr["value"] is None:
            attr["value"] = 0 if schema.attributes[name].type in ("uint", "int", "int64") else ""
            count += 1
    for name, child in out["children"].items():
        out["children"][name], n = mwa_form(child, schema.children[name])
        count += n
    if out["items"] is not None:
        assert schema.collection is not None
        converted = [mwa_form(item, schema.collection.item) for item in out["items"]]
        out["items"] = [c for c, _n in converted]
        count += sum(n for _c, n in converted)
    return out, count


@pytest.mark.parametrize(("flavor", "rules"), [(model.INBOUND, ["proxy", "gone", "bare"]),
                                               (model.OUTBOUND, ["location"])])
def test_rule_shape_is_the_same_for_null_and_empty_values(host: Host, flavor: str, rules: list[str]) -> None:
    section = model.SECTIONS[flavor]
    schema = load_schema_dir(host.local_path(SCHEMA_DIR))[section]
    emulator = read(host, section, SITE)
    real, converted = mwa_form(emulator, schema)
    assert converted >= len(rules)  # the replay really holds "" / 0 where the emulator says null
    shapes = [model.rule_from_node(Node(item), flavor) for item in emulator["items"]]
    assert [s["name"] for s in shapes] == rules
    assert [model.rule_from_node(Node(item), flavor) for item in real["items"]] == shapes
    # and a rule given with only what the file holds compares equal to both forms (no phantom change)
    given = {model.INBOUND: {"name": "gone", "match": {"url": "^old$"},
                             "action": {"type": "CustomResponse", "status_code": 410}},
             model.OUTBOUND: {"name": "location", "match": {"server_variable": "RESPONSE_Location",
                                                            "pattern": "^http://127.0.0.1:5000/(.*)"},
                              "action": {"type": "Rewrite", "value": "/{R:1}"}}}[flavor]
    wanted = model.normalise_rule(given, flavor)
    assert model.same_rule(wanted, next(s for s in shapes if s["name"] == given["name"]))


def test_proxy_settings_and_plan_are_the_same_for_null_and_empty_values(host: Host) -> None:
    schema = load_schema_dir(host.local_path(SCHEMA_DIR))[arr_proxy.SECTION]
    emulator = read(host, arr_proxy.SECTION)
    real, converted = mwa_form(emulator, schema)
    assert converted > 0  # xForwardedByHeader, proxy, proxyBypass, clientCert*: no schema default
    assert arr_proxy.settings(Node(real)) == arr_proxy.settings(Node(emulator))
    args = {"enabled": True, "include_port_in_x_forwarded_for": False, "timeout": 120}
    assert arr_proxy.plan(Node(real), args) == arr_proxy.plan(Node(emulator), args)
    assert arr_proxy.plan(Node(real), {"timeout": 120})[0] == []  # the default again: nothing to write
