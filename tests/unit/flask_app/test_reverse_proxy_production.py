"""reverse_proxy's production options (issue 12 part 3), rendered by Ansible's own templar: the entry checks
(the role's first task) and the variables the tasks hand to the modules."""

from __future__ import annotations

import re

import pytest
from role_vars import entry_checks, failed_checks, load, render, resolved, role_variables, truth


def test_defaults_keep_todays_behaviour() -> None:
    variables = resolved("reverse_proxy")
    assert variables["reverse_proxy_response_buffer_limit"] is None          # ARR's own value is left alone
    assert variables["reverse_proxy_static_prefixes"] == []
    assert variables["reverse_proxy_max_allowed_content_length"] is None     # IIS's own 30000000 is left alone
    assert variables["reverse_proxy_no_dynamic_compression_prefixes"] == []
    forwarded = {"HTTP_X_FORWARDED_PROTO": "{C:1}", "HTTP_X_FORWARDED_HOST": "{HTTP_HOST}"}
    assert variables["reverse_proxy_rule_variables"] == forwarded
    assert failed_checks("reverse_proxy") == {}


def test_proxy_timeout_is_not_tied_to_the_idle_channel_timeout() -> None:
    # waitress' channel_timeout closes IDLE connections only (a running request is never cut by it), so a proxy
    # timeout shorter than it is a valid choice (docs/flask-app.md "In production")
    assert failed_checks("reverse_proxy", reverse_proxy_timeout=60, flask_app_channel_timeout=120) == {}
    assert "reverse_proxy_app_timeout" not in role_variables("reverse_proxy")
    assert all("channel_timeout" not in str(item["want"]) for item in entry_checks("reverse_proxy"))


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


def production_task(module: str, section: str) -> dict:
    tasks = load("reverse_proxy", "tasks/production.yml")
    return next(t for t in tasks if module in t and t[module].get("section") == section)


@pytest.mark.parametrize("value", [-1, 4294967296])
def test_max_allowed_content_length_out_of_the_uint_range_fails(value: int) -> None:
    failed = failed_checks("reverse_proxy", reverse_proxy_max_allowed_content_length=value)
    assert list(failed) == ["reverse_proxy_max_allowed_content_length"]
    assert f"got '{value}'" in failed["reverse_proxy_max_allowed_content_length"]
    assert "4294967295" in failed["reverse_proxy_max_allowed_content_length"]


@pytest.mark.parametrize("value", [0, 104857600, 4294967295])
def test_max_allowed_content_length_in_range_passes(value: int) -> None:
    assert failed_checks("reverse_proxy", reverse_proxy_max_allowed_content_length=value) == {}


def test_max_allowed_content_length_is_written_at_the_site_only_when_set() -> None:
    task = production_task("winflask.iis.config_property", "system.webServer/security/requestFiltering")
    args = task["winflask.iis.config_property"]
    assert args["element"] == "requestLimits" and "in_apphost" not in args   # Allow: the site's web.config
    variables = resolved("reverse_proxy", reverse_proxy_max_allowed_content_length=104857600,
                         reverse_proxy_site="Shop")
    assert render(args["site"], variables) == "Shop"
    assert str(render(args["attributes"]["maxAllowedContentLength"], variables)) == "104857600"
    condition = "{{ " + task["when"] + " }}"
    assert truth(render(condition, variables))
    assert not truth(render(condition, resolved("reverse_proxy")))


@pytest.mark.parametrize("prefixes", [["/"], ["events"], ["/events/../x"], ["/a b"], ["/ok", "/{R:1}"]])
def test_no_dynamic_compression_prefix_that_is_not_a_plain_url_path_fails(prefixes: list[str]) -> None:
    failed = failed_checks("reverse_proxy", reverse_proxy_no_dynamic_compression_prefixes=prefixes)
    assert list(failed) == ["reverse_proxy_no_dynamic_compression_prefixes"]
    assert f"got '{prefixes[-1]}'" in failed["reverse_proxy_no_dynamic_compression_prefixes"]


def test_no_dynamic_compression_prefixes_become_locations_in_apphost() -> None:
    task = production_task("winflask.iis.config_property", "system.webServer/urlCompression")
    args = task["winflask.iis.config_property"]
    assert args["in_apphost"] is True and args["attributes"] == {"doDynamicCompression": False}
    variables = resolved("reverse_proxy", reverse_proxy_no_dynamic_compression_prefixes=["/events/", "/api/stream"])
    assert render(task["loop"], variables) == ["/events/", "/api/stream"]
    assert [render(args["application"], {**variables, "item": p}) for p in ("/events/", "/api/stream")] == [
        "/events", "/api/stream"]
    assert failed_checks("reverse_proxy", reverse_proxy_no_dynamic_compression_prefixes=["/events/", "/a.b"]) == {}
