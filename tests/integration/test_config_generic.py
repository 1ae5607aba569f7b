"""winflask.iis.config_property, config_collection, config_info and config_delegation on an emulated host,
in ONE playbook run (docs/config.md): bad input first (each task fails naming the option and value; the
host's files are byte-identical and the call log shows no write), check mode, typed values and child
elements, reset to the default, a brace-safe collection item in a site web.config, an exclusive ordered
list, the 500.19 lock and its fix through feature delegation, and a second run of every write: no change.
Last, the modules' EXAMPLES, as written (the files on disk are checked after them).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory
from test_rewrite_examples import examples

HOST = "emulated-server2022"
VENV_LIST = venvs()[:1]  # nothing here depends on the ansible-core version
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
SITE_CONFIG = "C/inetpub/wwwroot/web.config"
VARS = "system.webServer/rewrite/allowedServerVariables"
MODULES = ("config_property", "config_collection", "config_info", "config_delegation")

BAD = [  # (options of the module, module, text the message must hold)
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"timeout": "soon"}},
     ["attributes.timeout", "'soon'"]),
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"httpVersion": "Http3"}},
     ["attributes.httpVersion", "'Http3'", "Http11"]),
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"enable": True}},
     ["attributes", "'enable'", "enabled"]),
    ("config_property", {"section": "system.webServer/proxy", "element": "cash", "attributes": {"enabled": False}},
     ["element", "'cash'", "cache"]),
    ("config_property", {"section": "system.webServer/../proxy", "attributes": {"enabled": True}},
     ["section", "'system.webServer/../proxy'"]),
    ("config_collection", {"section": VARS, "items": [{"value": "x"}]}, ["items[0]", "'value'"]),
    ("config_collection", {"section": VARS, "items": [{"name": "A"}, {"name": "a"}]}, ["items[1]", "items[0]"]),
    ("config_delegation", {"section": VARS, "site": "../x", "override_mode": "Allow"}, ["site", "'../x'"]),
    # values the schema's range refuses (IIS would answer InvalidValue): refused after the read, no write
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"minResponseBuffer": 4194304}},
     ["attributes.minResponseBuffer", "4194304", "0 to 4194303", "integerRange"]),
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"maxForwards": -1}},
     ["attributes.maxForwards", "-1", "0 to 4294967295"]),
    ("config_property", {"section": "system.webServer/proxy", "attributes": {"timeout": 0}},
     ["attributes.timeout", "0", "00:00:01 to 1.00:00:00"]),
    ("config_collection", {"section": VARS, "items": [{"name": ""}]}, ["items[0].name", "must not be empty"]),
]

GOOD = f"""
    - name: Check mode predicts a change and writes nothing
      winflask.iis.config_property:
        section: system.webServer/proxy
        attributes: {{timeout: 300}}
      check_mode: true
      register: predicted
    - name: Stat after check mode
      ansible.builtin.stat: {{path: "{{{{ apphost }}}}", checksum_algorithm: sha256}}
      register: after_check
    - name: Typed values (timeSpan as seconds, enum name in any case, bool)
      winflask.iis.config_property: &props
        section: system.webServer/proxy
        attributes: {{timeout: 300, httpVersion: http11, enabled: "true"}}
      register: props1
    - name: Again
      winflask.iis.config_property: *props
      register: props2
    - name: A child element
      winflask.iis.config_property: &cache
        section: system.webServer/proxy
        element: cache
        attributes: {{enabled: false, validationInterval: "00:02:00"}}
      register: cache1
    - name: Again
      winflask.iis.config_property: *cache
      register: cache2
    - name: Reset to the schema default
      winflask.iis.config_property: &reset
        section: system.webServer/proxy
        attributes: {{httpVersion: ~}}
        state: absent
      register: reset1
    - name: Again
      winflask.iis.config_property: *reset
      register: reset2
    - name: Brace-safe item in the site web.config
      winflask.iis.config_collection: &maps
        section: system.webServer/rewrite/rewriteMaps
        site: Default Web Site
        items: [{{name: Schemes, defaultValue: "{{{{ '{{HTTPS}}' }}}}"}}]
      register: maps1
    - name: Again
      winflask.iis.config_collection: *maps
      register: maps2
    - name: A map with a default value and entries, which the reorder below does not list
      winflask.iis.rewrite_map:
        site: Default Web Site
        name: Moved
        default_value: fallback
        entries: {{"/a": "/b"}}
    - name: Another map after it
      winflask.iis.config_collection:
        section: system.webServer/rewrite/rewriteMaps
        site: Default Web Site
        items: [{{name: Last}}]
    - name: Reorder by name only; Moved is removed and added again last, as it was
      winflask.iis.config_collection: &reorder
        section: system.webServer/rewrite/rewriteMaps
        site: Default Web Site
        items: [{{name: Schemes}}, {{name: Last}}, {{name: Moved}}]
        exclusive: true
      register: reorder1
    - name: Again
      winflask.iis.config_collection: *reorder
      register: reorder2
    - name: Exclusive list
      winflask.iis.config_collection:
        section: {VARS}
        items: [{{name: HTTP_X_A}}, {{name: HTTP_X_B}}]
        exclusive: true
      register: list1
    - name: The same list in another order
      winflask.iis.config_collection: &order
        section: {VARS}
        items: [{{name: HTTP_X_B}}, {{name: HTTP_X_A}}]
        exclusive: true
      register: list2
    - name: Again
      winflask.iis.config_collection: *order
      register: list3
    - name: The site web.config cannot hold the locked section (500.19)
      winflask.iis.config_collection: &sitevars
        section: {VARS}
        site: Default Web Site
        items: [{{name: HTTP_X_SITE}}]
      register: locked
      ignore_errors: true
    - name: Unlock it for the site
      winflask.iis.config_delegation: &unlock
        section: {VARS}
        site: Default Web Site
        override_mode: Allow
      register: unlock1
    - name: Again
      winflask.iis.config_delegation: *unlock
      register: unlock2
    - name: Now the site web.config takes it
      winflask.iis.config_collection: *sitevars
      register: sitevars
    - name: Read it back
      winflask.iis.config_info:
        section: {VARS}
        site: Default Web Site
      register: info
    - name: Check the results
      ansible.builtin.assert:
        that:
          - predicted is changed and after_check.stat.checksum == before.stat.checksum
          - props1 is changed and props1.attributes.timeout == '00:05:00'
          - props1.attributes.httpVersion == 'Http11' and props1.attributes.enabled is sameas true
          - props2 is not changed and cache1 is changed and cache2 is not changed
          - reset1 is changed and reset2 is not changed and maps1 is changed and maps2 is not changed
          - list1 is changed and list2 is changed and list3 is not changed
          - reorder1 is changed and reorder2 is not changed
          - "reorder1.collection[-1] == {{'name': 'Moved', 'defaultValue': 'fallback'}}"
          - list3.collection | map(attribute='name') | list == ['HTTP_X_B', 'HTTP_X_A']
          - locked is failed and locked.error_code == 'SectionLocked'
          - unlock1 is changed and unlock2 is not changed and sitevars is changed
          - >-
            info.element['items'] | selectattr('locally_stored') | map(attribute='attributes.name.value')
            | list == ['HTTP_X_SITE']
          - info.element.schema.collection['keys'] == ['name'] and not info.locked
"""


def playbook(path: Path, root: Path) -> Path:
    bad = "".join(f"""
    - name: bad {n}
      winflask.iis.{module}: {options!r}
      register: bad_{n}
      ignore_errors: true""" for n, (module, options, _words) in enumerate(BAD))
    path.write_text(f"""---
- name: config generic
  hosts: windows
  gather_facts: false
  vars:
    apphost: "{root / APPHOST}"
  tasks:
    - name: Stat before
      ansible.builtin.stat: {{path: "{{{{ apphost }}}}", checksum_algorithm: sha256}}
      register: before{bad}
    - name: Keep the bad results
      ansible.builtin.copy:
        content: "{{{{ [{', '.join(f'bad_{n}' for n in range(len(BAD)))}] | to_json }}}}"
        dest: "{path.parent / 'bad.json'}"
        mode: "0644"
      delegate_to: localhost
{GOOD}{example_tasks()}""", encoding="utf-8")
    return path


def example_tasks() -> str:
    tasks = [task for module in MODULES for task in examples(module)]
    text = yaml.safe_dump(tasks, sort_keys=False, default_flow_style=False)
    return "".join(f"    {line}\n" for line in text.splitlines())


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_generic_config_modules(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    before = snapshot(root)
    book = playbook(tmp_path / "play.yml", root)
    done = run_playbook(venv, book, write_inventory(tmp_path / "inventory.yml", HOST),
                        ansible_env(venv, root, tmp_path))
    assert done.rc == 0, done.failure_report()

    bad = json.loads((tmp_path / "bad.json").read_text(encoding="utf-8"))
    for (module, options, words), result in zip(BAD, bad, strict=True):
        assert result["failed"] is True and result["changed"] is False, (module, options, result)
        assert all(w in result["msg"] for w in words), (module, options, result["msg"])
    calls = read_calls(root)
    first_write = next(n for n, c in enumerate(calls) if c["kind"] == "write")
    # bad input: the section and site refused before any call, the others after their one read (the schema
    # says what is wrong); then the check-mode task's read and the first good task's read
    assert [(c["kind"], c["check_mode"]) for c in calls[:first_write]] == (
        [("read", False)] * (len(BAD) - 2) + [("read", True), ("read", False)])
    assert not any(c["kind"] == "write" and c["check_mode"] for c in calls)

    apphost = ET.parse(root / APPHOST).getroot()
    proxy = apphost.find("system.webServer/proxy")  # the examples set timeout, httpVersion, then reset timeout
    assert proxy is not None and proxy.get("timeout") is None and proxy.get("httpVersion") == "Http11"
    assert proxy.find("cache").attrib == {"enabled": "false", "validationInterval": "00:02:00"}
    server_vars = apphost.find(f"{VARS}")  # the example's exclusive list replaced the task's
    assert [a.get("name") for a in server_vars.findall("add")] == ["HTTP_X_ORIGINAL_HOST", "HTTP_X_FORWARDED_PROTO"]
    unlocked = [loc for loc in apphost.findall("location") if loc.get("path") == "Default Web Site"
                and loc.find(VARS) is not None]
    assert [loc.get("overrideMode") for loc in unlocked] == ["Allow"]
    site = ET.parse(root / SITE_CONFIG).getroot()
    maps = site.findall("system.webServer/rewrite/rewriteMaps/rewriteMap")
    assert [m.get("name") for m in maps] == ["Schemes", "Last", "Moved"]
    assert maps[0].attrib == {"name": "Schemes", "defaultValue": "{HTTPS}"}
    # the exclusive reorder moved Moved with remove + add and kept what the task did not list
    assert maps[2].attrib == {"name": "Moved", "defaultValue": "fallback"}
    assert [e.attrib for e in maps[2].findall("add")] == [{"key": "/a", "value": "/b"}]
    assert [a.get("name") for a in site.findall(f"{VARS}/add")] == ["HTTP_X_SITE"]
    assert before != snapshot(root)
