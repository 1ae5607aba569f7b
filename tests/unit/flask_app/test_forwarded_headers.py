"""The reverse_proxy rule and the flask_app app agree on the proxy headers, with the roles' DEFAULTS
(not only site.yml's settings): every header the app trusts is one the rule overwrites (or ARR's
own X-Forwarded-For, of which the app takes the last hop), and the app, started with the role's
service command, reports the right client, scheme and host for what ARR sends after the rule ran,
whatever X-Forwarded-* the client put in its own request (docs/flask-app.md, section 3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import run_server
from role_vars import load, render, resolved
from sample_server import RunningServer

CLIENT = "203.0.113.7"
SPOOFED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Original-Host": "evil.example",
           "X-Forwarded-For": "198.51.100.66", "X-Forwarded-Port": "8443", "Forwarded": "for=198.51.100.66"}


def header_of(server_variable: str) -> str:
    """HTTP_X_FORWARDED_HOST -> x-forwarded-host (how IIS maps a request header's server variable)."""
    assert server_variable.startswith("HTTP_"), server_variable
    return server_variable[5:].replace("_", "-").lower()


def rule(host_header: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The rule's server variables and condition from the reverse_proxy role's variables."""
    overrides = {"reverse_proxy_host_header": host_header} if host_header else {}
    variables = resolved("reverse_proxy", **overrides)
    return dict(variables["reverse_proxy_rule_variables"]), dict(variables["reverse_proxy_scheme_condition"])


def arr_forward(scheme: str, host: str, path: str, client_headers: dict[str, str],
                host_header: str | None = None) -> dict[str, str]:
    """The request headers ARR sends to the back end after the rule: the client's own headers, each
    server variable of the rule replacing its header, X-Forwarded-For with the client appended."""
    variables, condition = rule(host_header)
    assert condition["input"] == "{CACHE_URL}"
    captured = re.match(condition["pattern"], f"{scheme}://{host}:{'443' if scheme == 'https' else '80'}{path}",
                        re.IGNORECASE)
    assert captured, "the rule's condition must match every request"
    values = {"{HTTP_HOST}": host, "{C:1}": captured.group(1)}
    headers = {name.lower(): value for name, value in client_headers.items()}
    for name, value in variables.items():
        headers[header_of(name)] = re.sub(r"\{[^}]+\}", lambda ref: values[ref.group(0)], value)
    earlier = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{earlier}, {CLIENT}" if earlier else CLIENT
    return headers


@pytest.mark.parametrize("host_header", [None, "x-original-host"])
def test_every_trusted_header_is_overwritten_by_the_rule(host_header: str | None) -> None:
    flask_overrides = {"flask_app_host_header": host_header} if host_header else {}
    app_host_header = resolved("flask_app", **flask_overrides)["flask_app_host_header"]
    proxy_host_header = resolved("reverse_proxy", **({"reverse_proxy_host_header": host_header}
                                                     if host_header else {}))["reverse_proxy_host_header"]
    assert app_host_header == proxy_host_header, "the roles' defaults must name the same host header"
    overwritten = {header_of(name) for name in rule(host_header)[0]}
    # ARR writes X-Forwarded-For itself; of it the app trusts the last hop only (the one ARR added).
    assert run_server.TRUSTED_HOPS == 1
    assert run_server.TRUSTED_HEADERS - {"x-forwarded-for"} == {"x-forwarded-proto", "x-forwarded-host"}
    # In x-original-host mode the app's X-Forwarded-Host is the X-Original-Host the rule set.
    app_reads = {"x-forwarded-proto", app_host_header}
    assert app_reads <= overwritten, f"the app trusts {app_reads - overwritten}, which the rule does not set"


def test_rule_defaults_set_proto_and_forwarded_host() -> None:
    variables, condition = rule()
    assert variables == {"HTTP_X_FORWARDED_PROTO": "{C:1}", "HTTP_X_FORWARDED_HOST": "{HTTP_HOST}"}
    assert condition == {"input": "{CACHE_URL}", "pattern": "^(https?)://"}


def service_arguments(**overrides: Any) -> list[str]:
    """The arguments the flask_app role hands to nssm (its set_fact), after the script path."""
    variables = resolved("flask_app", **overrides)
    facts = next(task["ansible.builtin.set_fact"] for task in load("flask_app", "tasks/main.yml")
                 if "ansible.builtin.set_fact" in task)
    arguments = [str(render(item, variables)) for item in facts["flask_app_service_arguments"]]
    script, *rest = arguments
    assert script.endswith("\\run_server.py")
    at = rest.index("--port")
    return rest[:at] + rest[at + 2:]  # a free port instead of 50100


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_app_as_deployed_sees_the_rules_values_not_the_clients(start_server, scheme: str) -> None:
    server: RunningServer = start_server(*service_arguments())
    headers = arr_forward(scheme, "public.example", "/myApp/whoami", SPOOFED)
    seen = server.get("/myApp/whoami", headers).json()
    assert seen == {"remote_addr": CLIENT, "scheme": scheme, "host": "public.example",
                    "url_root": f"{scheme}://public.example/myApp/"}


def test_app_in_x_original_host_mode_sees_the_rules_values(start_server) -> None:
    server: RunningServer = start_server(*service_arguments(flask_app_host_header="x-original-host"))
    headers = arr_forward("http", "public.example", "/myApp/whoami", SPOOFED, host_header="x-original-host")
    assert headers["x-forwarded-host"] == "evil.example", "the client's header reaches the app"
    seen = server.get("/myApp/whoami", headers).json()
    assert (seen["scheme"], seen["host"], seen["remote_addr"]) == ("http", "public.example", CLIENT)
