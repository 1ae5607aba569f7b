"""The shared input checks of the action base (module_utils/checks.py), through every module.

Each bad value must fail the task with a message naming the option (and the character or the rule),
before any call to the host: the replayed host has no replies, so a call would fail the test.
"""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import checks
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

from replay import FakeHost, make_action

ONE = {"name": "r1", "match": {"url": "(.*)"}, "action": {"type": "Rewrite", "url": "http://127.0.0.1:50100/{R:1}"}}
RULE = {"site": "Default Web Site", **ONE}


def run(module: str, args: dict, replies: list | None = None) -> tuple[dict, FakeHost]:
    action_class = importlib.import_module(f"ansible_collections.winflask.iis.plugins.action.{module}").ActionModule
    host = FakeHost(replies or [])
    result = make_action(action_class, args, host).run(task_vars={})
    return result, host


CASES = [
    # (module, args, words the message must hold)
    ("rewrite_rule", {**RULE, "name": "bad\x01name"}, ["name", "U+0001", "position 3"]),
    ("rewrite_rule", {**RULE, "match": {"url": "a\x0bb"}}, ["match.url", "U+000B", "position 1"]),
    ("rewrite_rule", {**RULE, "server_variables": [{"name": "HTTP_X_A", "value": "v\x01"}]},
     ["server_variables[0].value", "U+0001"]),
    ("rewrite_rule", {**RULE, "conditions": [{"input": "{HTTP_HOST}", "pattern": "x\ny"}]},
     ["conditions[0].pattern", "U+000A"]),
    ("rewrite_rule", {**RULE, "match": {"url": "a" * 40000}}, ["match.url", "40000", "32767"]),
    ("rewrite_rule", {**RULE, "conditions": "text"}, ["conditions", "list of dictionaries", "'text'"]),
    ("rewrite_rule", {**RULE, "match": "text"}, ["match", "dictionary", "'text'"]),
    ("rewrite_rule", {**RULE, "application": "/../../Windows"}, ["application", "'..'", "/../../Windows"]),
    ("rewrite_rule", {**RULE, "application": "/app/./x"}, ["application", "'.'"]),
    ("rewrite_rule", {**RULE, "application": "/a//b"}, ["application", "empty"]),
    ("rewrite_rule", {**RULE, "application": "\\app"}, ["application", "starting with '/'"]),
    ("rewrite_rule", {**RULE, "application": "/a\\b"}, ["application", "not '\\'"]),
    ("rewrite_rule", {**RULE, "site": "Default Web Site/../../Windows"}, ["site", "'/'"]),
    ("rewrite_rule", {**RULE, "site": ".."}, ["site", "'..'"]),
    ("rewrite_rule", {**RULE, "site": "Default Web Site "}, ["site", "white space"]),
    ("server_variable", {"name": ["HTTP_X_A"], "site": " Default Web Site"}, ["site", "white space"]),
    ("rewrite_rule", {**RULE, "application": "/ "}, ["application", "white space"]),
    ("rewrite_rule", {**RULE, "application": "/app./x"}, ["application", "ends with '.'"]),
    ("rewrite_rule", {**RULE, "application": "/. ."}, ["application", "'.'"]),
    ("rewrite_rules", {"site": "Default Web Site", "rules": "text"}, ["rules", "list of dictionaries"]),
    ("rewrite_rules", {"site": "Default Web Site", "rules": ["text"]}, ["rules[0]", "dictionary"]),
    ("rewrite_rules", {"site": "Default Web Site", "rules": [{**ONE, "name": "\x1f"}]},
     ["rules[0].name", "U+001F"]),
    ("rewrite_rule_info", {"site": "Default Web Site", "application": "/.."}, ["application", "'..'"]),
    ("server_variable", {"name": ["HTTP_X_A"], "site": "Default Web Site", "application": "/../.."},
     ["application", "'..'"]),
    ("server_variable", {"name": ["HTTP_X_A\x00"]}, ["name[0]", "U+0000"]),
    ("server_variable_info", {"site": "a/b"}, ["site", "'/'"]),
    ("arr_proxy", {"x_forwarded_for_header_name": "X-For\x01"}, ["x_forwarded_for_header_name", "U+0001"]),
    ("arr_proxy", {"x_forwarded_for_header_name": 'X-<For>&"q"'}, ["x_forwarded_for_header_name", "'<'"]),
    ("arr_proxy", {"x_forwarded_for_header_name": "X" * 20000}, ["x_forwarded_for_header_name", "16384"]),
    ("arr_proxy", {"x_forwarded_for_header_name": ""}, ["x_forwarded_for_header_name", "RFC 7230"]),
    ("arr_proxy", {"enabled": True, "backup_keep": -1}, ["backup_keep", "0 or more", "-1"]),
    ("rewrite_rule", {**RULE, "backup_keep": -3}, ["backup_keep", "-3"]),
    ("rewrite_rules", {"site": "Default Web Site", "rules": [ONE], "backup_keep": -1}, ["backup_keep"]),
    ("server_variable", {"name": ["HTTP_X_A"], "backup_keep": -1}, ["backup_keep"]),
    ("iis_extension", {"name": ["url_rewrite"], "source": "C:\\msi\x07"}, ["source", "U+0007"]),
    ("nssm_service", {"name": "svc", "application": "C:\\app.exe", "environment": {"A": "1\r\nB=2"}},
     ["environment.A", "U+000D"]),
    ("nssm_service", {"name": "svc", "application": "C:\\app.exe", "environment": {"A\x01": "1"}},
     ["environment key", "U+0001"]),
    ("nssm_service", {"name": "svc\x01", "application": "C:\\app.exe"}, ["name", "U+0001"]),
    ("nssm_service", {"name": " svc", "application": "C:\\app.exe"}, ["name", "white space"]),
    ("nssm_service", {"name": "svc", "application": "C:\\app.exe", "dependencies": ["Tcpip", "a/b"]},
     ["dependencies[1]", "'/'"]),
]


@pytest.mark.parametrize(("module", "args", "words"), CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_bad_input_fails_before_any_host_call(module: str, args: dict, words: list[str]) -> None:
    result, host = run(module, args)
    assert result["failed"] is True, result
    assert result["changed"] is False
    for word in words:
        assert word in result["msg"], (word, result["msg"])
    assert host.calls == []


def test_a_secret_is_not_echoed() -> None:
    spec = checks.ModuleSpec(argument_spec={"password": {"type": "str", "no_log": True}})
    with pytest.raises(ModuleError) as caught:
        checks.check_options(spec, {"password": "s3cret\x01"})
    assert "U+0001" in str(caught.value) and "s3cret" not in str(caught.value)


@pytest.mark.parametrize("path", ["/", "/app", "/app/", "/a/b.c", "/a/..b", "/my app/x", "/%2e%2e"])
def test_virtual_paths_that_are_fine(path: str) -> None:
    checks.check_virtual_path(path, "application")


@pytest.mark.parametrize("name", ["Default Web Site", "My Site (2)", "site.example.com", "a..b"])
def test_site_names_that_are_fine(name: str) -> None:
    checks.check_site_name(name, "site")


@pytest.mark.parametrize("name", ["X-Forwarded-For", "X_Real_IP", "x-a!#$%&'*+.^`|~9"])
def test_header_names_that_are_fine(name: str) -> None:
    checks.check_header_name(name, "x_forwarded_for_header_name")


@pytest.mark.parametrize("text", ["{HTTP_HOST}", "é ü 中文 \U0001F600", "\x7f", "tab-free text"])
def test_text_that_is_fine(text: str) -> None:
    checks.check_text(text, "option")


def test_json_text_for_a_dict_is_still_converted_by_ansible() -> None:
    """ansible-core turns JSON or k=v text into a dict: the structure check leaves that to it."""
    result, host = run("rewrite_rule", {**RULE, "match": '{"url": "(.*)"}'},
                       [FakeHost.error("SiteNotFound", "no such site")])
    # the options passed every check and the task went on to its read
    assert [c["script"] for c in host.calls] == ["config_read"]
    assert result["failed"] is True and "no such site" in result["msg"], result
