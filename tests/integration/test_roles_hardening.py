"""The roles' hardening (issue 8) on emulated hosts, with as few playbook runs as possible:

1. site.yml with EVERY boolean role variable given as the string "false" through -e, on a host whose
   feature install asks for a restart: what each guards does not run (no reboot, ARR's proxy off, no
   machine PATH change, no health request).
2. reverse_proxy + flask_app with their DEFAULTS: the rule written to web.config overwrites
   X-Forwarded-Proto and X-Forwarded-Host, the headers the deployed app trusts
   (tests/unit/flask_app/test_forwarded_headers.py sends ARR's request through that app).
3. Bad role variables (and a site.yml whose two host headers disagree): each run fails with a message
   naming the variable and its value; the host's files are byte-identical and calls.jsonl is empty.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from playbook_run import EMULATED_INVENTORY, REPO, ansible_env, app_port, create_host, read_calls, run_playbook, venvs
from test_site import snapshot
from test_site_app import extra_vars
from test_site_app import host_root as app_host_root
from winhost import Host

HOST = "emulated-server2022"
VENV_LIST = venvs()
BOOLEANS = ["reverse_proxy_reboot", "reverse_proxy_arr_enabled", "reverse_proxy_preserve_host_header",
            "reverse_proxy_include_port_in_x_forwarded_for", "reverse_proxy_websockets", "nssm_add_to_path",
            "winflask_verify",
            # HTTPS (docs/https.md; "false" strings for the HSTS directives: tests/integration/test_https.py)
            "reverse_proxy_https", "reverse_proxy_https_redirect", "reverse_proxy_hsts",
            "reverse_proxy_hsts_include_subdomains", "reverse_proxy_hsts_preload", "reverse_proxy_https_acme_static"]


def test_every_boolean_role_variable_is_read_with_bool() -> None:
    """The list above is every bool of the roles' argument specs and site.yml's winflask_verify."""
    declared = {"winflask_verify"}
    for spec in (REPO / "roles").glob("*/meta/argument_specs.yml"):
        for entry in yaml.safe_load(spec.read_text(encoding="utf-8"))["argument_specs"].values():
            declared |= {name for name, option in entry["options"].items() if option.get("type") == "bool"}
    assert declared == set(BOOLEANS)


host_root = app_host_root  # the fixture: stops the service processes the site run started


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_false_as_a_string_turns_off_what_it_guards(venv: Path, tmp_path: Path, host_root: Path) -> None:
    port = app_port()
    root = create_host(venv, host_root, bare=True)
    Host(root).update_state(lambda state: state.update(feature_restart_needed=True))
    falses = [argument for name in BOOLEANS for argument in ("-e", f"{name}=false")]
    run = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, ansible_env(venv, root, tmp_path),
                       [*extra_vars(venv, port), *falses, "-v"])
    assert run.rc == 0, run.failure_report()
    assert re.search(r"^\s*reboot_required: true$", run.stdout, re.MULTILINE), "the host did not ask for a reboot"
    modules = [call["module"] for call in read_calls(root)]
    assert any(m.endswith("win_feature") for m in modules), modules
    assert not [m for m in modules if m.endswith(("win_reboot", "win_path", "win_uri"))], modules
    assert "boot_count" not in Host(root).load_state()
    proxy = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot() \
        .find("system.webServer/proxy")
    assert proxy is not None and proxy.get("enabled") in (None, "false")  # ARR's schema default is false
    assert proxy.get("preserveHostHeader") in (None, "false")
    assert proxy.get("includePortInXForwardedFor") == "false"


def rule_of(web_config: Path) -> ET.Element:
    rules = ET.parse(web_config).getroot().findall("system.webServer/rewrite/rules/rule")
    assert [r.get("name") for r in rules] == ["ReverseProxyInboundRule1"]
    return rules[0]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_roles_defaults_overwrite_every_header_the_app_trusts(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "The roles with their defaults", "hosts": "windows", "gather_facts": False,
        "roles": ["winflask.iis.reverse_proxy", "winflask.iis.flask_app"]}]), encoding="utf-8")
    run = run_playbook(venv, playbook, EMULATED_INVENTORY, ansible_env(venv, root, tmp_path))
    assert run.rc == 0, run.failure_report()

    rule = rule_of(root / "C/inetpub/wwwroot/web.config")
    assert [c.attrib for c in rule.findall("conditions/add")] == [{"input": "{CACHE_URL}", "pattern": "^(https?)://"}]
    assert {s.get("name"): s.get("value") for s in rule.findall("serverVariables/set")} == {
        "HTTP_X_FORWARDED_PROTO": "{C:1}", "HTTP_X_FORWARDED_HOST": "{HTTP_HOST}"}
    assert rule.find("action").get("url") == "http://127.0.0.1:50100/{R:1}"
    apphost = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot()
    allowed = apphost.findall("location[@path='Default Web Site']/system.webServer/rewrite/allowedServerVariables/add")
    assert sorted(a.get("name") for a in allowed) == ["HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO"]

    # The deployed app reads the same host header (run_server.bat: the role's settings).
    app = root / "C/apps/myApp"
    bat = (app / "run_server.bat").read_text(encoding="utf-8")
    assert 'set "WINFLASK_APP_HOST_HEADER=x-forwarded-host"' in bat
    assert 'set "WINFLASK_APP_TRUSTED_PROXY=127.0.0.1"' in bat
    for name in ("app.py", "run_server.py"):
        assert (app / name).read_bytes() == (REPO / "roles/flask_app/files" / name).read_bytes()


BAD = [
    ("winflask.iis.reverse_proxy", "reverse_proxy_backend_url", ""),
    ("winflask.iis.reverse_proxy", "reverse_proxy_backend_url", "127.0.0.1:25000"),
    ("winflask.iis.flask_app", "flask_app_host", "iis.local"),
    ("winflask.iis.flask_app", "flask_app_trusted_proxy", "iis.local"),
    ("winflask.iis.flask_app", "flask_app_dir", "C:\\Windows\\myApp"),
    ("winflask.iis.flask_app", "flask_app_dir", "C:\\apps\\..\\Windows\\myApp"),
]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_bad_role_variables_fail_before_the_host_is_touched(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    before = snapshot(root)
    plays = [{
        "name": f"CASE {number}", "hosts": "windows", "gather_facts": False, "vars": {name: value},
        "tasks": [{"block": [{"ansible.builtin.include_role": {"name": role}}],
                   "rescue": [{"ansible.builtin.debug": {
                       "msg": f"CASE {number}: {{{{ ansible_failed_result | to_json }}}}"}}]}],
    } for number, (role, name, value) in enumerate(BAD)]
    playbook = tmp_path / "bad.yml"
    playbook.write_text(yaml.safe_dump(plays), encoding="utf-8")
    env = ansible_env(venv, root, tmp_path)
    run = run_playbook(venv, playbook, EMULATED_INVENTORY, {**env, "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
    assert run.rc == 0, run.failure_report()
    assert run.recap[HOST]["rescued"] == len(BAD), run.stdout[-4000:]
    failures = {}
    for found in re.finditer(r'^\s*"msg": ("CASE \d+: .*")$', run.stdout, re.MULTILINE):
        number, result = json.loads(found.group(1))[len("CASE "):].split(": ", 1)
        failures[int(number)] = json.loads(result)
    assert sorted(failures) == list(range(len(BAD))), run.stdout[-4000:]
    for number, (_role, name, value) in enumerate(BAD):
        result = failures[number]
        messages = [item["msg"] for item in result.get("results", [result]) if item.get("failed")]
        assert len(messages) == 1 and messages[0].startswith(f"{name} must be "), messages
        assert messages[0].endswith(f"; got '{value}'"), messages

    # site.yml: a rule that sets another host header than the app reads.
    # (JSON results: the YAML callback of ansible-core 2.16 doubles the quotes of the message)
    mismatch = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY,
                            {**env, "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"},
                            ["-e", "reverse_proxy_host_header=x-forwarded-host"])
    assert mismatch.rc != 0
    assert ("reverse_proxy_host_header ('x-forwarded-host') must be flask_app_host_header ('x-original-host')"
            in " ".join(mismatch.stdout.split())), mismatch.failure_report()

    assert read_calls(root) == []
    assert snapshot(root) == before
