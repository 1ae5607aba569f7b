"""The emulated IIS front end after the answer: the site's outbound rules (URL Rewrite 2.x), native HSTS
(Microsoft, "HSTS Settings for a Web Site <hsts>") and requestLimits maxAllowedContentLength (Microsoft,
"Request Limits <requestLimits>": 404.13). docs/emulator.md, "Outbound rules and HSTS", "Request limits".

The pipeline is called without HTTP (``Front.answer``) for the many cases; one real request shows 404.13.
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from winhost import Host
from winhost.front import ensure_running
from winhost.front.server import Front
from winhost.processes import stop_all
import test_winhost_front
from winhost_helpers import APPHOST_FILE, SITE, apply, op

# each test leaves the config files as it found them (the fixture of test_winhost_front, with this module's host)
front = test_winhost_front.front
pytestmark = pytest.mark.usefixtures("front")

OUTBOUND = "system.webServer/rewrite/outboundRules"
FILTERING = "system.webServer/security/requestFiltering"
SITES = "system.applicationHost/sites"
HSTS_PATH = [{"item": {"name": "Default Web Site"}}, "hsts"]
WWWROOT = "C:\\inetpub\\wwwroot"
STS = "strict-transport-security"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    host = Host.create(tmp_path_factory.mktemp("outbound") / "host")
    host.write_bytes(f"{WWWROOT}\\index.html", b"<p>home</p>")
    root = ET.fromstring(host.read_bytes(APPHOST_FILE))
    bindings = root.find("system.applicationHost/sites/site[@name='Default Web Site']/bindings")
    assert bindings is not None
    ET.SubElement(bindings, "binding", {"protocol": "https", "bindingInformation": "*:443:"})
    host.write_bytes(APPHOST_FILE, ET.tostring(root))
    try:
        yield host
    finally:
        stop_all(host)


def outbound_rule(name: str, variable: str, pattern: str, value: str, https_only: bool = False,
                  **attributes: Any) -> dict[str, Any]:
    children: dict[str, Any] = {"match": {"attributes": {"serverVariable": variable, "pattern": pattern}},
                                "action": {"attributes": {"type": "Rewrite", "value": value}}}
    if https_only:
        children["conditions"] = {"items": [{"name": "add", "attributes": {"input": "{HTTPS}", "pattern": "^ON$"}}]}
    return {"name": "rule", "attributes": {"name": name, **attributes}, "children": children, "items": []}


def ask(host: Host, target: str = "/", https: bool = True) -> tuple[int, dict[str, str]]:
    answer = Front(host).answer("GET", target, [("Host", "localhost")], b"", ("127.0.0.1", 50000),
                                443 if https else 80, https)
    return answer.status, {k.lower(): v for k, v in answer.headers}


def test_the_hsts_outbound_rule_adds_the_header_on_https_only(served: Host) -> None:
    """The rule roles/reverse_proxy/tasks/https.yml writes without native HSTS (RW2 'Setting Response
    Headers'; the {HTTPS} ^ON$ condition)."""
    assert ask(served)[1].get(STS) is None
    apply(served, op("add", OUTBOUND, SITE, element=outbound_rule(
        "RESPONSE_Strict_Transport_Security", "RESPONSE_Strict_Transport_Security", ".*", "max-age=600",
        https_only=True)), backup=False)
    status, headers = ask(served)
    assert (status, headers.get(STS), headers["content-type"]) == (200, "max-age=600", "text/html")
    assert STS not in ask(served, https=False)[1]
    # IIS's own error page gets it too (UNCONFIRMED: docs/emulator.md)
    assert ask(served, "/missing.html") == (404, {**ask(served, "/missing.html")[1], STS: "max-age=600"})


def test_an_outbound_rule_rewrites_a_header_of_the_answer(served: Host) -> None:
    ctype = outbound_rule("ctype", "RESPONSE_Content_Type", "^text/(.*)", "text/{R:1}; charset=utf-8")
    apply(served, op("add", OUTBOUND, SITE, element=ctype), backup=False)
    assert ask(served)[1]["content-type"] == "text/html; charset=utf-8"


def test_a_body_rule_answers_500_52_not_a_guess(served: Host) -> None:
    body = {"name": "rule", "attributes": {"name": "links"},
            "children": {"match": {"attributes": {"filterByTags": "A", "pattern": "^/old/(.*)"}},
                         "action": {"attributes": {"type": "Rewrite", "value": "/new/{R:1}"}}}, "items": []}
    apply(served, op("add", OUTBOUND, SITE, element=body), backup=False)
    answer = Front(served).answer("GET", "/", [("Host", "localhost")], b"", ("127.0.0.1", 1), 80, False)
    assert (answer.status, answer.sub_status) == (500, 52)
    assert b"rewrites the response body" in answer.body


def test_native_hsts_header_on_https_and_redirect_http_to_https(served: Host) -> None:
    """<hsts>: "If HSTS is enabled, IIS adds the Strict-Transport-Security HTTP response header when replying
    to HTTPS requests"; includeSubDomains/preload directives when set; redirectHttpToHttps: "replaces the URI
    scheme with https and ignores the port component"."""
    apply(served, op("set", SITES, path=HSTS_PATH, attributes={"enabled": True, "max-age": 31536000}), backup=False)
    assert ask(served)[1][STS] == "max-age=31536000"
    assert STS not in ask(served, https=False)[1]
    more = {"includeSubDomains": True, "preload": True, "redirectHttpToHttps": True}
    apply(served, op("set", SITES, path=HSTS_PATH, attributes=more), backup=False)
    assert ask(served)[1][STS] == "max-age=31536000; includeSubDomains; preload"
    answer = Front(served).answer("GET", "/a?b=1", [("Host", "localhost:8080")], b"", ("127.0.0.1", 1), 80, False)
    assert (answer.status, dict(answer.headers)["Location"]) == (301, "https://localhost/a?b=1")


def test_disabled_native_hsts_adds_nothing(served: Host) -> None:
    apply(served, op("set", SITES, path=HSTS_PATH, attributes={"enabled": False, "max-age": 600}), backup=False)
    assert STS not in ask(served)[1]


def test_a_larger_content_length_than_the_paths_limit_gets_404_13(served: Host) -> None:
    """requestLimits maxAllowedContentLength (default 30000000) from the site's web.config: 404.13."""
    assert Front(served).content_limit("/", [("Host", "localhost")], 80, False) == 30_000_000
    apply(served, op("set", FILTERING, SITE, path=["requestLimits"], attributes={"maxAllowedContentLength": 10}),
          backup=False)
    assert Front(served).content_limit("/", [("Host", "localhost")], 80, False) == 10
    port = ensure_running(served)["*:80:"]
    for body, expected in ((b"x" * 11, (404, True)), (b"x" * 10, (405, False))):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/index.html", body=body, headers={"Host": "localhost"})
        response = connection.getresponse()
        text = response.read()
        connection.close()
        assert (response.status, b"404.13" in text) == expected
