"""The open-proxy guard (issue 8, section 3): where each part of a Rewrite target comes from.

Every row is one target with the rule's match pattern, conditions and the rewrite maps defined at the
scope (None: the rule uses no map, the host-free check decides alone), and the verdict: None = accepted
without allow_open_proxy, else a substring of the refusal. Rows marked "was accepted" got through the
guard before issue 8; "was refused" was the {URL}/index.php false alarm.
"""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.validate import check_rule

GUARD = "ansible_collections.winflask.iis.plugins.module_utils.rewrite.proxy_guard"
ANY = "(.*)"
HOST = [{"input": "{HTTP_HOST}", "pattern": "^(.+)$"}]
TARGET_HEADER = [{"input": "{HTTP_X_TARGET}", "pattern": ".+"}]
BACKENDS = {"Backends": ["http://10.0.0.5:8080", "http://10.0.0.6:8080", ""]}
ROUTES = {"Routes": ["http://localhost:50100/app/", "/static/", ""]}
# Refusals of the text itself (validate.py, before the guard): they name the option and value, not allow_open_proxy.
UNTRIMMED = "must not start or end with whitespace"
UNBALANCED = "unbalanced braces"

# (id, target, match.url, conditions, maps, verdict)
TABLE = [
    # --- the client writes the host in the authority of an absolute target
    ("host-header", "http://{HTTP_HOST}/{R:1}", ANY, [], None, "{HTTP_HOST}"),
    ("backref-host", "https://{R:1}/x", ANY, [], None, "{R:1}"),
    ("condition-host", "http://{C:1}.internal:8080/", ANY, HOST, None, "{C:1}"),
    ("header-in-host", "http://backend{HTTP_X_NODE}.local/", ANY, [], None, "{HTTP_X_NODE}"),
    ("function-host", "http://{ToLower:{HTTP_HOST}}/", ANY, [], None, "{HTTP_HOST}"),
    ("server-name", "http://{SERVER_NAME}/{R:1}", ANY, [], None, "{SERVER_NAME}"),
    ("digits-port", "http://localhost:{R:1}/", r"^port/(\d+)$", [], None, "{R:1}"),
    ("client-port", "http://localhost:{C:1}/", ANY, [{"input": "{HTTP_HOST}", "pattern": r":(\d+)$"}], None,
     "{C:1}"),
    ("request-uri-after-host", "http://localhost:8080{REQUEST_URI}", ANY, [], None, "{REQUEST_URI}"),
    # --- the target starts with something that can hold scheme://host
    ("leading-header", "{HTTP_X_TARGET}/path", ANY, [], None, "{HTTP_X_TARGET}"),
    ("go-url", "{R:1}", r"^go/(https?://.+)$", [], None, "{R:1}"),  # was accepted
    ("go-any", "{R:1}", ANY, [], None, "{R:1}"),  # was accepted
    ("wildcard", "{R:1}", "go/*", [], None, "{R:1}"),  # was accepted
    ("condition-header", "{C:0}", ANY, TARGET_HEADER, None, "{C:0}"),  # was accepted
    ("condition-query", "{C:1}", ANY, [{"input": "{QUERY_STRING}", "pattern": "^to=(.*)$"}], None,
     "{C:1}"),  # was accepted
    ("tracked-captures", "{C:2}", ANY,
     [{"input": "{HTTP_HOST}", "pattern": "^(www)$"}, {"input": "{HTTP_X_TARGET}", "pattern": "^(.+)$"}],
     None, "{C:2}"),  # was accepted
    ("query-string", "{QUERY_STRING}", ANY, [], None, "{QUERY_STRING}"),
    ("cache-url", "{CACHE_URL}", ANY, [], None, "{CACHE_URL}"),
    ("unencoded-url", "{UNENCODED_URL}", ANY, [], None, "{UNENCODED_URL}"),
    ("url-decode", "{UrlDecode:{R:1}}", r"^go/([a-z0-9%.]+)$", [], None, "{R:1}"),
    ("scheme-relative", "//{HTTP_HOST}/x", ANY, [], None, "{HTTP_HOST}"),  # was accepted
    ("scheme-then-url", "http:/{URL}", ANY, [], None, "{URL}"),  # was accepted
    # --- a path variable can start with '//' (a request for //evil.example/x or /%2Fevil.example/x)
    ("colon-url", "http:{URL}", ANY, [], None, "{URL}"),  # was accepted
    ("colon-path-info", "https:{PATH_INFO}", ANY, [], None, "{PATH_INFO}"),  # was accepted
    ("colon-lower-script", "http:{ToLower:{SCRIPT_NAME}}", ANY, [], None, "{SCRIPT_NAME}"),  # was accepted
    ("authority-url", "http://{URL}", ANY, [], None, "{URL}"),  # was accepted
    ("authority-path-info", "https://{PATH_INFO}/x", ANY, [], None, "{PATH_INFO}"),  # was accepted
    # --- text IIS's schema refuses or that does not parse into references (validate.py)
    ("leading-space", " http://{HTTP_HOST}/", ANY, [], None, UNTRIMMED),  # was accepted
    ("trailing-space", "http://localhost/{R:1} ", ANY, [], None, UNTRIMMED),  # was accepted
    ("trailing-tab-url", "{URL}\t", ANY, [], None, UNTRIMMED),
    ("unclosed-brace", "http://{HTTP_HOST", ANY, [], None, UNBALANCED),  # was accepted
    ("unclosed-nested", "http://localhost/{ToLower:{R:1}", ANY, [], None, UNBALANCED),  # was accepted
    ("stray-brace", "http://localhost/}{R:1}", ANY, [], None, UNBALANCED),  # was accepted
    # --- rewrite maps: read in the same config_read, every value must leave the host fixed
    ("missing-map", "{Missing:{R:1}}", ANY, [], BACKENDS, "rewrite map 'Missing' is not defined"),  # was accepted
    ("map-no-host", "{Prefix:{HTTP_HOST}}{HTTP_X_TARGET}/", ANY, [], {"Prefix": ["http://"]},
     "{HTTP_X_TARGET}"),  # was accepted
    ("map-default-empty", "{Routes:{R:1}}{R:2}", "^([^/]+)/(.*)$", [], ROUTES, "{R:2}"),  # was accepted
    ("map-then-host", "{Backends:{HTTP_HOST}}{R:1}", ANY, [], BACKENDS, "{R:1}"),  # was accepted
    # --- accepted: relative targets, fixed authorities, server-set parts, fixed maps
    ("fixed-host", "http://localhost:50100/{R:1}", ANY, [], None, None),
    ("server-port", "http://localhost:{SERVER_PORT}/{R:1}", ANY, [], None, None),
    ("url-index", "{URL}/index.php", ANY, [], None, None),  # was refused (false alarm)
    ("path-info", "{PATH_INFO}?page={QUERY_STRING}", ANY, [], None, None),  # was refused
    ("url-after-host", "http://backend{URL}x", ANY, [], None, None),
    ("url-ends-host", "http://backend{URL}", ANY, [], None, None),
    ("url-after-host-slash", "http://backend/{URL}", ANY, [], None, None),
    ("url-after-port", "https://backend:8443{PATH_INFO}", ANY, [], None, None),
    ("slash-url", "/{URL}", ANY, [], None, None),
    ("query-in-path", "/app/{R:1}?h={HTTP_HOST}", ANY, [], None, None),
    ("relative-word", "{R:1}", r"^api/(\w+)$", [], None, None),
    ("relative-query", "{R:1}?q={QUERY_STRING}", r"^(\d+)$", [], None, None),
    ("relative-prefix", "index.php/{R:1}", ANY, [], None, None),
    ("lowercase-url", "{ToLower:{URL}}", ANY, [], None, None),  # was refused
    ("server-condition", "http://localhost:{C:1}/", ANY, [{"input": "{SERVER_PORT}", "pattern": r"(\d+)"}],
     None, None),
    ("map-host", "http://{Backends:{HTTP_HOST}}/{R:1}", ANY, [], {"Backends": ["10.0.0.5:8080", "10.0.0.6"]}, None),
    ("map-urls", "{Backends:{HTTP_HOST}}/{R:1}", ANY, [], BACKENDS, None),
    ("map-routes", "{Routes:{R:1}}", ANY, [], ROUTES, None),
    ("map-in-path", "/{Anything:{R:1}}/x", ANY, [], {"Anything": ["{HTTP_HOST}", "http://x"]}, None),
    ("map-condition", "{C:1}", ANY, [{"input": "{Routes:{REQUEST_URI}}", "pattern": "(.+)"}], ROUTES, None),
    ("url-decode-word", "{R:1}", r"^go/([a-z0-9%.]+)$", [], None, None),
]


def shaped(url: str, pattern: str, conditions: list, kind: str = "Rewrite") -> dict:
    given = {"name": "r", "match": {"url": pattern}, "conditions": conditions, "action": {"type": kind, "url": url}}
    if pattern == "go/*":
        given["pattern_syntax"] = "Wildcard"
    if len(conditions) > 1:
        given["track_all_captures"] = True
    return model.normalise_rule(given, model.INBOUND)


def verdict(rule: dict, maps: dict | None) -> str | None:
    """None when the rule passes both phases (before the read, and after it with the maps), else the error."""
    try:
        check_rule(rule, model.INBOUND)
        if maps is not None:
            guard = importlib.import_module(GUARD)
            guard.check_target(rule, "rule 'r'", guard.Maps.build(maps, "site 'S'"))
    except ModuleError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("target, pattern, conditions, maps, expected",
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_table(target, pattern, conditions, maps, expected):
    found = verdict(shaped(target, pattern, conditions), maps)
    if expected is None:
        assert found is None
    else:
        assert found is not None, f"{target!r} was accepted"
        assert expected in found
        assert repr(target) in found and "action.url" in found
        assert ("allow_open_proxy=true" in found) == (expected not in (UNTRIMMED, UNBALANCED))


def test_table_is_large_enough():
    assert len(TABLE) >= 30
    assert sum(1 for row in TABLE if row[-1] is None) >= 10


def test_message_says_where_and_what():
    message = verdict(shaped("{R:1}", r"^go/(https?://.+)$", []), None)
    assert message.startswith("rule 'r': action.url '{R:1}'")
    assert "open proxy" in message and "scheme and host" in message
    message = verdict(shaped("http://{HTTP_HOST}/{R:1}", ANY, []), None)
    assert "host part" in message and "request header" in message


def test_allow_open_proxy_and_redirects_are_not_checked():
    rule = shaped("{R:1}", r"^go/(https?://.+)$", [])
    check_rule(rule, model.INBOUND, allow_open_proxy=True)
    check_rule(shaped("https://{HTTP_HOST}/{R:1}", ANY, [], kind="Redirect"), model.INBOUND)


def test_maps_wait_for_the_read():
    """A target with a map is judged only once the maps are read (the host-free phase lets it through)."""
    guard = importlib.import_module(GUARD)
    rule = shaped("{Missing:{R:1}}", ANY, [])
    check_rule(rule, model.INBOUND)
    assert guard.needs_maps(rule)
    assert not guard.needs_maps(shaped("http://localhost/{R:1}", ANY, []))
    assert guard.needs_maps(shaped("{C:1}", ANY, [{"input": "{Routes:{URL}}", "pattern": "(.+)"}]))
    assert not guard.needs_maps(shaped("{Routes:{R:1}}", ANY, [], kind="Redirect"))
    with pytest.raises(ModuleError, match=r"not defined at site 'S' \(defined there: backends\)"):
        guard.check_target(rule, "rule 'r'", guard.Maps.build(BACKENDS, "site 'S'"))


def test_maps_from_the_read():
    guard = importlib.import_module(GUARD)
    from ansible_collections.winflask.iis.plugins.module_utils.config import Node

    def attr(value):
        return {"value": value, "is_default": False}

    element = Node({"name": "rewriteMaps", "attributes": {}, "children": {}, "items": [
        {"name": "rewriteMap", "attributes": {"name": attr("Backends"), "defaultValue": attr("http://fallback")},
         "children": {}, "items": [{"name": "add", "attributes": {"key": attr("a"), "value": attr("http://a/")},
                                    "children": {}, "items": None}]}]})
    maps = guard.Maps.from_element(element, "the server")
    assert maps.values == {"backends": ("http://a/", "http://fallback")}
    assert guard.Maps.from_element(None, "the server").values == {}


def test_group_analysis_is_conservative():
    guard = importlib.import_module(GUARD)
    assert guard.group_chars(r"^go/(\d+)/(.*)$", "ECMAScript", 1) == set()
    assert guard.group_chars(r"^go/(\d+)/(.*)$", "ECMAScript", 2) == {"/", "\\", "%"}
    assert guard.group_chars(r"^([^/]+)$", "ECMAScript", 1) == {"\\", "%"}
    assert guard.group_chars(r"^(a|b/)$", "ECMAScript", 1) == {"/"}
    assert guard.group_chars(r"^((?=/)x)$", "ECMAScript", 1) == set()
    assert guard.group_chars(r"^(\S)$", "ECMAScript", 0) == {"/", "\\", "%"}
    assert guard.group_chars("a%b", "ExactMatch", 0) == {"%"}
