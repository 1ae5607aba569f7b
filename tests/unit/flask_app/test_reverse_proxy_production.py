"""reverse_proxy's production options (issue 12 part 3), rendered by Ansible's own templar: the entry checks
(the role's first task) and the variables the tasks hand to the modules."""

from __future__ import annotations

import re

import pytest
from role_vars import failed_checks, load, render, resolved, truth


def test_defaults_keep_todays_behaviour() -> None:
    variables = resolved("reverse_proxy")
    assert variables["reverse_proxy_response_buffer_limit"] is None          # ARR's own value is left alone
    assert variables["reverse_proxy_static_prefixes"] == []
    forwarded = {"HTTP_X_FORWARDED_PROTO": "{C:1}", "HTTP_X_FORWARDED_HOST": "{HTTP_HOST}"}
    assert variables["reverse_proxy_rule_variables"] == forwarded
    assert failed_checks("reverse_proxy") == {}


def test_proxy_timeout_shorter_than_the_app_allows_fails_naming_both() -> None:
    # the default follows the flask_app role's variable (failed_checks' templar renders one level only)
    assert str(resolved("reverse_proxy", flask_app_channel_timeout=120)["reverse_proxy_app_timeout"]) == "120"
    assert str(resolved("reverse_proxy")["reverse_proxy_app_timeout"]) == "0"
    failed = failed_checks("reverse_proxy", reverse_proxy_timeout=60, reverse_proxy_app_timeout=120)
    assert list(failed) == ["reverse_proxy_timeout"]
    assert "'60'" in failed["reverse_proxy_timeout"] and "channel_timeout" in failed["reverse_proxy_timeout"]
    assert "120" in failed["reverse_proxy_timeout"]
    assert failed_checks("reverse_proxy", reverse_proxy_timeout=120, reverse_proxy_app_timeout=120) == {}
    assert failed_checks("reverse_proxy", reverse_proxy_timeout=30, reverse_proxy_app_timeout=0) == {}


@pytest.mark.parametrize("value", [-1, 4194304])
def test_response_buffer_limit_out_of_the_schema_range_fails(value: int) -> None:
    failed = failed_checks("reverse_proxy", reverse_proxy_response_buffer_limit=value)
    assert list(failed) == ["reverse_proxy_response_buffer_limit"]
    assert f"'{value}'" in failed["reverse_proxy_response_buffer_limit"]


@pytest.mark.parametrize("prefixes", [["/"], ["static"], ["/static/../x"], ["/./x"], ["/a b"], ["/a\\b"],
                                      ["/ok", "/{R:1}"], ["//x"]])
def test_static_prefix_that_is_not_a_plain_url_path_fails(prefixes: list[str]) -> None:
    failed = failed_checks("reverse_proxy", reverse_proxy_static_prefixes=prefixes)
    assert list(failed) == ["reverse_proxy_static_prefixes"]
    assert str(prefixes[-1]).replace("\\", "\\\\") in failed["reverse_proxy_static_prefixes"] or \
        prefixes[-1] in failed["reverse_proxy_static_prefixes"]


def test_static_prefixes_become_one_anchored_pattern() -> None:
    variables = resolved("reverse_proxy", reverse_proxy_static_prefixes=["/static", "/media/img/", "/a.b"])
    pattern = variables["reverse_proxy_static_pattern"]
    assert pattern == r"^(?:static|media/img|a\.b)(?:/|$)"
    for url in ("static/app.css", "static", "media/img/x.png", "a.b/c"):
        assert re.match(pattern, url)
    for url in ("staticx/app.css", "media/image.png", "axb/c", "myApp/static/x"):
        assert not re.match(pattern, url)


def test_websockets_add_the_feature_and_drop_the_extensions_header() -> None:
    variables = resolved("reverse_proxy", reverse_proxy_websockets="true")   # a string from -e
    assert variables["reverse_proxy_rule_variables"]["HTTP_SEC_WEBSOCKET_EXTENSIONS"] == ""
    assert resolved("reverse_proxy", reverse_proxy_websockets="false")["reverse_proxy_rule_variables"].get(
        "HTTP_SEC_WEBSOCKET_EXTENSIONS") is None
    tasks = load("reverse_proxy", "tasks/production.yml")
    feature = next(t for t in tasks if "winflask.iis.iis_features" in t)
    assert feature["winflask.iis.iis_features"]["name"] == ["websockets"]
    condition = "{{ " + feature["when"] + " }}"
    assert not truth(render(condition, resolved("reverse_proxy", reverse_proxy_websockets="false")))
    assert truth(render(condition, resolved("reverse_proxy", reverse_proxy_websockets="yes")))
