"""The open-proxy guard against an emulated host (issue 8, section 3).

The site's web.config defines two rewrite maps. One playbook holds a target that is only {R:1} of a
pattern that captures a URL (refused on the controller, before any call), a map lookup followed by
{R:1} (the map's values end in a host, so {R:1} writes the host: refused after the task's one read),
and a map that does not exist, through both rule modules. Every task must fail naming action.url and
its value, the host must be byte-identical, and the call log must hold reads only, each with the
rewriteMaps section in the same config_read as the rules. A map whose values are fixed URLs passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook_run import create_host, read_calls, run_tasks, snapshot, venvs

HOST = "emulated-server2022"
VENV_LIST = venvs()
SITE = "Default Web Site"
MAPS = "system.webServer/rewrite/rewriteMaps"
WEB_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.webServer>
        <rewrite>
            <rewriteMaps>
                <rewriteMap name="Backends">
                    <add key="a.example" value="http://10.0.0.5:8080" />
                </rewriteMap>
                <rewriteMap name="Routes" defaultValue="/static/">
                    <add key="app" value="http://localhost:50100/app/" />
                </rewriteMap>
            </rewriteMaps>
        </rewrite>
    </system.webServer>
</configuration>
"""


def rule(name: str, url: str, pattern: str = "(.*)") -> dict:
    return {"name": name, "match": {"url": pattern}, "action": {"type": "Rewrite", "url": url}}


# (module, options, words the message must hold, whether the rules were read first)
CASES = [
    ("rewrite_rule", {"site": SITE, **rule("Go", "{R:1}", "^go/(https?://.+)$")},
     ["action.url", "'{R:1}'", "scheme and host", "allow_open_proxy=true"], False),
    ("rewrite_rule", {"site": SITE, **rule("MapThenHost", "{Backends:{HTTP_HOST}}{R:1}")},
     ["action.url", "'{Backends:{HTTP_HOST}}{R:1}'", "{R:1}", "host part", "open proxy"], True),
    ("rewrite_rules", {"site": SITE, "rules": [rule("Fine", "/app/{R:1}"), rule("Missing", "{Missing:{R:1}}")]},
     ["rule 'Missing'", "action.url", "rewrite map 'Missing' is not defined at site 'Default Web Site'",
      "defined there: backends, routes"], True),
]


def run(venv: Path, root: Path, tmp_path: Path, cases: list) -> list[dict]:
    return run_tasks(venv, root, tmp_path, [case[:2] for case in cases], HOST)


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_open_proxy_targets_are_refused_and_the_host_is_untouched(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    (root / "C/inetpub/wwwroot/web.config").write_text(WEB_CONFIG, encoding="utf-8")
    before = snapshot(root)
    got = run(venv, root, tmp_path, CASES)
    problems = []
    for n, (module, _args, words, _more) in enumerate(CASES):
        result = got[n]
        msg = result.get("msg", "")
        if not result.get("failed") or result.get("changed") or any(w not in msg for w in words):
            problems.append(f"case {n} ({module}): failed={result.get('failed')} msg={msg[:400]!r}, wanted {words}")
    assert not problems, "\n".join(problems)
    assert snapshot(root) == before
    calls = read_calls(root)
    assert all(c["kind"] == "read" and c["script"] == "config_read" for c in calls), calls
    # one read per task that needed the host, the maps in the same call as the rules
    assert len(calls) == sum(1 for case in CASES if case[3])
    for call in calls:
        assert [r["section"] for r in call["request"]["reads"]] == ["system.webServer/rewrite/rules", MAPS]


@pytest.mark.parametrize("venv", VENV_LIST[:1], ids=[v.name for v in VENV_LIST[:1]])
def test_a_map_of_fixed_urls_passes(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    (root / "C/inetpub/wwwroot/web.config").write_text(WEB_CONFIG, encoding="utf-8")
    got = run(venv, root, tmp_path, [("rewrite_rule", {"site": SITE, **rule("Routes", "{Routes:{R:1}}")})])
    assert got[0].get("changed") and not got[0].get("failed"), got[0]
    assert "{Routes:{R:1}}" in (root / "C/inetpub/wwwroot/web.config").read_text(encoding="utf-8")
    assert [c["kind"] for c in read_calls(root) if c.get("script")] == ["read", "write"]
