"""Rewrite maps, outbound preConditions and customTags, and server-level distributed rules round-trip
through their modules (issue 9, section 3), and bad input never reaches the host.

One emulated host holds what users write by hand (a map entry without value, a Wildcard MatchAny
preCondition, a customTags set, distributed <rules> at the root of applicationHost.config) next to
what the modules write. A second playbook reads every scope with the info modules and feeds each item
back: changed=0, no config_apply call, every file byte-identical. A third tries bad input: each task
fails naming the option and value, files stay byte-identical, the call log shows no write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
SITE_CONFIG = "C/inetpub/wwwroot/web.config"

SITE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <rewrite>
      <rewriteMaps>
        <rewriteMap name="HandMade" defaultValue="/404" ignoreCase="false">
          <add key="/a" value="/b" />
          <add key="/no-value" />
        </rewriteMap>
      </rewriteMaps>
      <outboundRules>
        <customTags>
          <tags name="HandTags">
            <tag name="video" attribute="src" />
          </tags>
        </customTags>
        <preConditions>
          <preCondition name="HandPre" logicalGrouping="MatchAny" patternSyntax="Wildcard">
            <add input="{RESPONSE_CONTENT_TYPE}" pattern="text/*" />
            <add input="{HTTP_X_NO_REWRITE}" pattern="?*" negate="true" />
          </preCondition>
        </preConditions>
      </outboundRules>
    </rewrite>
  </system.webServer>
</configuration>
"""
SERVER_XML = """<rewrite>
      <rewriteMaps>
        <rewriteMap name="ServerMap">
          <add key="x" value="y" />
        </rewriteMap>
      </rewriteMaps>
      <rules>
        <rule name="Hand distributed" stopProcessing="true">
          <match url="^secret" />
          <action type="AbortRequest" />
        </rule>
      </rules>
    </rewrite>
"""

WRITE = """---
- name: Write with the modules
  hosts: windows
  gather_facts: false
  tasks:
    - winflask.iis.rewrite_map:
        name: Backends
        entries: {shop.example.com: "localhost:50100", "42": ""}
    - winflask.iis.rewrite_map:
        site: Default Web Site
        name: Module map
        ignore_case: false
        entries: [{key: A, value: "1"}, {key: a, value: "2"}]
    - winflask.iis.rewrite_outbound_precondition:
        site: Default Web Site
        name: IsHTML
        conditions: [{input: "{RESPONSE_CONTENT_TYPE}", pattern: "^text/html", ignore_case: false}]
    - winflask.iis.rewrite_outbound_precondition:
        name: ServerPre
        logical_grouping: match_any
        conditions: [{input: "{HTTP_HOST}", pattern: "^a$"}, {input: "{HTTP_HOST}", pattern: "^b$"}]
    - winflask.iis.rewrite_custom_tags:
        site: Default Web Site
        name: Media
        tags: [{name: source, attribute: src}, {name: track, attribute: src}]
    - winflask.iis.rewrite_rule:
        server_rules: distributed
        name: Module distributed
        match: {url: "^old/(.*)"}
        conditions: [{input: "{REQUEST_FILENAME}", match_type: IsFile, negate: true}]
        action: {type: Redirect, url: "/new/{R:1}"}
"""

FEED = """---
- name: Read and feed back
  hosts: windows
  gather_facts: false
  vars:
    site: {site: Default Web Site}
  tasks:
    - winflask.iis.rewrite_map_info: {}
      register: server_maps
    - winflask.iis.rewrite_map_info: {site: Default Web Site}
      register: site_maps
    - winflask.iis.rewrite_outbound_info: {}
      register: server_out
    - winflask.iis.rewrite_outbound_info: {site: Default Web Site}
      register: site_out
    - winflask.iis.rewrite_rule_info: {server_rules: distributed}
      register: server_rules
    - winflask.iis.rewrite_map: "{{ item }}"
      loop: "{{ server_maps.maps + site_maps.maps | map('combine', site) | list }}"
      register: fed_maps
    - winflask.iis.rewrite_outbound_precondition: "{{ item }}"
      loop: "{{ server_out.preconditions + site_out.preconditions | map('combine', site) | list }}"
      register: fed_pre
    - winflask.iis.rewrite_custom_tags: "{{ item | combine({'site': 'Default Web Site'}) }}"
      loop: "{{ site_out.custom_tags }}"
      register: fed_tags
    - winflask.iis.rewrite_rules:
        server_rules: distributed
        rules: "{{ server_rules.rules }}"
      register: fed_rules
    - name: Everything was read and nothing changed
      ansible.builtin.assert:
        that:
          - server_maps.maps | map(attribute='name') | list == ['ServerMap', 'Backends']
          - site_maps.maps | map(attribute='name') | list == ['HandMade', 'Module map']
          - site_maps.inherited_maps | map(attribute='name') | list == ['ServerMap', 'Backends']
          - "site_maps.maps[0].entries[1] == {'key': '/no-value', 'value': ''}"
          - site_maps.maps[0].ignore_case == false and site_maps.maps[0].default_value == '/404'
          - site_out.preconditions | map(attribute='name') | list == ['HandPre', 'IsHTML']
          - site_out.preconditions[0].pattern_syntax == 'Wildcard'
          - site_out.inherited_preconditions | map(attribute='name') | list == ['ServerPre']
          - site_out.custom_tags | map(attribute='name') | list == ['HandTags', 'Media']
          - server_rules.rules | map(attribute='name') | list == ['Hand distributed', 'Module distributed']
          - server_rules.section == 'system.webServer/rewrite/rules'
          - fed_maps.results | length == 4 and fed_maps is not changed
          - fed_pre.results | length == 3 and fed_pre is not changed
          - fed_tags.results | length == 2 and fed_tags is not changed
          - fed_rules is not changed and fed_rules.operations == 0
"""

BAD = """---
- name: Bad input
  hosts: windows
  gather_facts: false
  tasks:
    - winflask.iis.rewrite_map:
        site: Default Web Site
        name: "{{ item.name | default('M') }}"
        entries: "{{ item.entries | default(omit) }}"
        state: "{{ item.state | default('present') }}"
      loop:
        - {entries: [{key: k, value: "1"}, {key: k, value: "2"}], expect: "entries[1] 'k'"}
        - {entries: "k=v", expect: "entries must be a dictionary"}
        - {entries: {k: "a\\u0001b"}, expect: "entries.k contains the control character U+0001"}
        - {entries: {k: v}, state: absent, expect: "entries is only used with state=present"}
        - {name: servermap, entries: {}, expect: "rewrite map 'servermap' is inherited by site"}
      loop_control: {label: "{{ item.expect }}"}
      register: bad_maps
      failed_when: false
    - winflask.iis.rewrite_outbound_precondition:
        site: Default Web Site
        name: P
        logical_grouping: "{{ item.grouping | default(omit) }}"
        conditions: "{{ item.conditions }}"
      loop:
        - {conditions: [{input: "{A}", pattern: "(x"}], expect: "conditions[0].pattern '(x' is not a valid"}
        - {conditions: [{input: "{A}", pattern: x}, {input: "{A}", pattern: x}], expect: "conditions[1] is the same"}
        - {conditions: [], grouping: any, expect: "logical_grouping must be one of"}
      loop_control: {label: "{{ item.expect }}"}
      register: bad_pre
      failed_when: false
    - winflask.iis.rewrite_custom_tags:
        site: Default Web Site
        name: HandTags
        state: absent
        tags: [{name: a, attribute: b}]
      register: bad_tags
      failed_when: false
    - winflask.iis.rewrite_rule:
        server_rules: distributed
        site: Default Web Site
        name: R
      register: bad_rule
      failed_when: false
    - name: Each refused with its message, nothing changed
      ansible.builtin.assert:
        that:
          - item.msg is defined
          - item.item.expect in item.msg
          - item is not changed
      loop: "{{ bad_maps.results + bad_pre.results }}"
      loop_control: {label: "{{ item.item.expect }}"}
    - ansible.builtin.assert:
        that:
          - "'tags is only used with state=present' in bad_tags.msg"
          - "'server_rules=distributed' in bad_rule.msg and 'site' in bad_rule.msg"
"""


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_maps_preconditions_custom_tags_and_server_rules_round_trip(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    (root / SITE_CONFIG).write_text(SITE_XML, encoding="utf-8")
    apphost = root / APPHOST
    text = apphost.read_text(encoding="utf-8")
    assert text.count("</system.webServer>") == 1 and "<rewrite>" not in text
    apphost.write_text(text.replace("</system.webServer>", SERVER_XML + "    </system.webServer>"), encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    env = ansible_env(venv, root, tmp_path)

    def play(name: str, body: str):
        book = tmp_path / f"{name}.yml"
        book.write_text(body, encoding="utf-8")
        return run_playbook(venv, book, inventory, env)

    written = play("write", WRITE)
    assert written.rc == 0, written.failure_report()
    apphost_xml = apphost.read_text(encoding="utf-8")
    assert 'name="Module distributed"' in apphost_xml and "<globalRules" not in apphost_xml

    for name, body in (("feed", FEED), ("bad", BAD)):
        before = snapshot(root)
        calls_before = len(read_calls(root))
        run = play(name, body)
        assert run.rc == 0, run.failure_report()
        assert run.recap[HOST]["changed"] == 0 and run.recap[HOST]["failed"] == 0, run.stdout[-3000:]
        new_calls = read_calls(root)[calls_before:]
        assert [c for c in new_calls if c.get("script") != "config_read" or c.get("kind") == "write"] == []
        assert snapshot(root) == before, f"the {name} playbook changed a file on the host"
