"""Bad input against an emulated host: refused on the controller, the host untouched.

One playbook holds one task per bad value (the classes of issue 8: control characters in what becomes
XML, the registry or an nssm command; header names; lengths; paths that leave the site; a string where
a list or dict is wanted). Every task must fail with a message naming the option, every file of the
host must be byte-identical afterwards, and the host must not have been called at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook_run import create_host, read_calls, run_tasks, snapshot, venvs

HOST = "emulated-server2022"
VENV_LIST = venvs()
SITE = "Default Web Site"
RULE = {"site": SITE, "name": "Bad", "match": {"url": "(.*)"},
        "action": {"type": "Rewrite", "url": "http://127.0.0.1:50100/{R:1}"}}
ONE = {k: v for k, v in RULE.items() if k != "site"}

# (module, options, words the message must hold)
CASES = [
    ("rewrite_rule", {**RULE, "name": "Bad\x01"}, ["name", "U+0001", "position 3"]),
    ("rewrite_rule", {**RULE, "match": {"url": "(.*)\x0b"}}, ["match.url", "U+000B"]),
    ("rewrite_rule", {**RULE, "server_variables": [{"name": "HTTP_X_ORIGINAL_HOST", "value": "a\x01"}]},
     ["server_variables[0].value", "U+0001"]),
    ("rewrite_rule", {**RULE, "conditions": [{"input": "{HTTP_HOST}", "pattern": "a\r\nb"}]},
     ["conditions[0].pattern", "U+000D"]),
    ("rewrite_rule", {**RULE, "match": {"url": "a" * 1_000_000}}, ["match.url", "1000000", "32767"]),
    ("rewrite_rule", {**RULE, "conditions": "text"}, ["conditions", "list of dictionaries"]),
    ("rewrite_rule", {**RULE, "application": "/../../Windows"}, ["application", "'..'", "/../../Windows"]),
    ("rewrite_rule", {**RULE, "site": f"{SITE}/../../Windows"}, ["site", "'/'"]),
    ("rewrite_rule", {**RULE, "action": {"type": "Rewrite", "url": " http://{HTTP_HOST}/"}},
     ["action.url", "whitespace"]),
    ("rewrite_rule", {**RULE, "action": {"type": "Rewrite", "url": "http://{HTTP_HOST/x"}},
     ["action.url", "unbalanced braces"]),
    ("rewrite_rule", {**RULE, "action": {"type": "Rewrite", "url": "{R:1}"}, "match": {"url": "^go/(https?://.+)$"}},
     ["action.url", "open proxy"]),
    ("rewrite_rules", {"site": SITE, "rules": "text"}, ["rules", "list of dictionaries"]),
    ("rewrite_rules", {"site": SITE, "rules": [{**ONE, "name": "x\x1f"}]}, ["rules[0].name", "U+001F"]),
    ("rewrite_rule_info", {"site": SITE, "application": "/.."}, ["application", "'..'"]),
    ("server_variable", {"name": "HTTP_X_A", "site": SITE, "application": "/../.."}, ["application", "'..'"]),
    ("server_variable", {"name": "HTTP_X_A", "site": SITE, "application": "/app\\x"}, ["application", "'\\'"]),
    ("arr_proxy", {"enabled": True, "x_forwarded_for_header_name": "X-For\x01"},
     ["x_forwarded_for_header_name", "U+0001"]),
    ("arr_proxy", {"enabled": True, "x_forwarded_for_header_name": 'X-<For>&"q"'},
     ["x_forwarded_for_header_name", "RFC 7230"]),
    ("arr_proxy", {"enabled": True, "x_forwarded_for_header_name": "X" * 100_000},
     ["x_forwarded_for_header_name", "32767"]),
    ("server_variable", {"name": "HTTP_X_A", "site": SITE, "backup_keep": -1}, ["backup_keep", "-1"]),
    ("nssm_service", {"name": "svc", "application": "C:\\apps\\app.exe", "environment": {"A": "1\nB=2"}},
     ["environment.A", "U+000A"]),
    ("nssm_service", {"name": "svc\x01", "application": "C:\\apps\\app.exe"}, ["name", "U+0001"]),
    ("rewrite_rule_test", {"site": f"{SITE}/../x", "requests": [{"url": "/"}]}, ["site", "'/'"]),
    ("rewrite_rule_test", {"site": SITE, "requests": "text"}, ["requests", "list of dictionaries"]),
    ("rewrite_rule_test", {"config": [{"path": "/", "xml": "<configuration>\x01</configuration>"}],
                           "requests": [{"url": "/"}]}, ["config[0].xml", "U+0001"]),
    ("rewrite_rule_test", {"config": [{"path": "/", "xml": '<configuration><system.webServer><rewrite>'
                                       '<rules configSource="rules.config" /></rewrite></system.webServer>'
                                       '</configuration>'}], "requests": [{"url": "/"}]},
     ["config[0] (/)", "configSource", "rules.config"]),
]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_bad_input_is_refused_and_the_host_is_untouched(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    before = snapshot(root)
    got = run_tasks(venv, root, tmp_path, [(module, args) for module, args, _words in CASES], HOST)
    problems = []
    for n, (module, _args, words) in enumerate(CASES):
        result = got[n]
        msg = result.get("msg", "")
        if not result.get("failed") or result.get("changed") or any(w not in msg for w in words):
            problems.append(f"case {n} ({module}): failed={result.get('failed')} changed={result.get('changed')} "
                            f"msg={msg[:300]!r}, wanted {words}")
    assert not problems, "\n".join(problems)
    assert snapshot(root) == before
    assert read_calls(root) == []  # refused on the controller: not even a read reached the host
