"""rewrite_rule_info output fed back into rewrite_rules changes nothing, for every rule shape.

The shapes are those of the test suite (targets rewrite_rule / rewrite_rules, test_rewrite.py, the
unit tests) written by the modules, plus rules IIS loads that the modules used to refuse, written by
hand into the config files as users have them (issue 8, section 4): a rule without <match> or without
a url (iisnode / Ghost-on-Azure), conditions without input (IsFile/IsDirectory), action attributes
the type does not use, customTags without CustomTags, an outbound rule without a pattern.

Two playbook runs on one emulated host: the first writes (modules), the second reads every scope
with rewrite_rule_info and feeds ``rules`` straight back into rewrite_rules. The second must report
``changed=0``, make no config_apply call and leave every file of the host byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
SITE_CONFIG = "C/inetpub/wwwroot/web.config"
APP_CONFIG = "C/inetpub/wwwroot/myApp/web.config"

# Rules as users have them in their files (IIS loads every one of them).
SITE_RULES = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <rewrite>
      <rules>
        <rule name="iisnode" stopProcessing="true">
          <conditions>
            <add input="{REQUEST_FILENAME}" matchType="IsFile" negate="true" />
          </conditions>
          <action type="Rewrite" url="server.js" />
        </rule>
        <rule name="ghost">
          <match ignoreCase="false" />
          <conditions logicalGrouping="MatchAny">
            <add matchType="IsFile" />
            <add matchType="IsDirectory" />
          </conditions>
          <action type="None" />
        </rule>
        <rule name="Forbidden" stopProcessing="true">
          <match url="^secret" />
          <action type="CustomResponse" url="/ignored" statusCode="403" subStatusCode="5"
                  statusReason="Forbidden" statusDescription="No" />
        </rule>
        <rule name="Drop">
          <match url="^wp-" negate="false" />
          <action type="AbortRequest" redirectType="Found" appendQueryString="false" />
        </rule>
      </rules>
      <outboundRules>
        <customTags>
          <tags name="MyTags">
            <tag name="video" attribute="src" />
          </tags>
        </customTags>
        <preConditions>
          <preCondition name="IsHTML">
            <add input="{RESPONSE_CONTENT_TYPE}" pattern="^text/html" />
          </preCondition>
        </preConditions>
        <rule name="Tags" preCondition="IsHTML">
          <match filterByTags="A, Img, CustomTags" customTags="MyTags" pattern="^/(.*)" />
          <action type="Rewrite" value="/app/{R:1}" />
        </rule>
        <rule name="StrayCustomTags">
          <match filterByTags="A" customTags="MyTags" pattern="x" />
          <action type="Rewrite" value="y" />
        </rule>
        <rule name="NoPattern">
          <match serverVariable="RESPONSE_X_Powered_By" />
          <action type="Rewrite" />
        </rule>
      </outboundRules>
    </rewrite>
  </system.webServer>
</configuration>
"""
GLOBAL_RULES = """<rewrite>
      <globalRules>
        <rule name="Global without match">
          <conditions>
            <add input="{REQUEST_METHOD}" pattern="^TRACE$" />
          </conditions>
          <action type="AbortRequest" />
        </rule>
        <rule name="Global backup files" patternSyntax="Wildcard">
          <match url="*.bak" />
          <action type="CustomResponse" statusCode="404" url="/unused" />
        </rule>
      </globalRules>
      <outboundRules>
        <rule name="Server header">
          <match serverVariable="RESPONSE_Server" pattern=".+" />
          <action type="Rewrite" />
        </rule>
      </outboundRules>
    </rewrite>
"""

# Rules written by the modules: the shapes used across the test suite, (scope, rule) pairs.
SITE = {"site": "Default Web Site"}
SITE_OUT = {"site": "Default Web Site", "direction": "outbound"}
MODULE_RULES: list[tuple[dict, dict]] = [
    (SITE, {"name": "ReverseProxyInboundRule1", "stop_processing": True, "match": {"url": "(.*)"},
            "server_variables": [{"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"},
                                 {"name": "HTTP_X_FORWARDED_PROTO", "value": "https", "replace": False}],
            "action": {"type": "Rewrite", "url": "http://localhost:50100/{R:1}", "append_query_string": False}}),
    (SITE, {"name": "Redirect to HTTPS", "match": {"url": "(.*)"},
            "conditions": [{"input": "{HTTPS}", "pattern": "^OFF$"}],
            "action": {"type": "Redirect", "url": "https://{HTTP_HOST}/{R:1}", "redirect_type": 302}}),
    (SITE, {"name": "Health", "stop_processing": True, "match": {"url": "^healthz$"},
            "action": {"type": "CustomResponse", "status_code": 200, "status_reason": "OK",
                       "status_description": "healthy"}}),
    (SITE, {"name": "Static", "pattern_syntax": "wildcard", "stop_processing": True, "match": {"url": "static/*"},
            "action": {"type": "None"}}),
    (SITE, {"name": "Front controller", "enabled": False,
            "match": {"url": "^(api)/(.*)$", "negate": True, "ignore_case": False},
            "logical_grouping": "MatchAny", "track_all_captures": True,
            "conditions": [{"input": "{REQUEST_FILENAME}", "match_type": "IsFile", "negate": True},
                           {"input": "{REQUEST_FILENAME}", "match_type": "IsDirectory", "negate": True},
                           {"input": "{HTTP_HOST}", "pattern": "^(www)\\.(.*)$", "ignore_case": False}],
            "action": {"type": "Rewrite", "url": "index.php?h={C:2}", "log_rewritten_url": True}}),
    (SITE, {"name": "Exact", "pattern_syntax": "ExactMatch", "match": {"url": "robots.txt"},
            "action": {"type": "CustomResponse", "status_code": 404, "sub_status_code": 7}}),
    (SITE, {"name": "Everything (empty url)", "match": {"url": ""}, "action": {"type": "Rewrite", "url": "server.js"}}),
    (SITE, {"name": "Abort with leftovers", "match": {"url": "^xmlrpc"},
            "action": {"type": "AbortRequest", "url": "/leftover", "status_code": 410}}),
    ({"site": "Default Web Site", "application": "/myApp"},
     {"name": "App default document", "match": {"url": "^$"}, "action": {"type": "Rewrite", "url": "index.html"}}),
    ({}, {"name": "Block TRACE", "match": {"url": ".*"},
          "conditions": [{"input": "{REQUEST_METHOD}", "pattern": "^TRACE$"}], "action": {"type": "AbortRequest"}}),
    ({}, {"name": "Global HTTPS", "stop_processing": True, "match": {"url": "(.*)"},
          "conditions": [{"input": "{HTTPS}", "pattern": "^OFF$"}],
          "action": {"type": "Redirect", "url": "https://{HTTP_HOST}/{R:1}", "redirect_type": 301}}),
    (SITE_OUT, {"name": "RewriteLocation",
                "match": {"server_variable": "RESPONSE_Location", "pattern": "^http://localhost:50100/(.*)"},
                "action": {"type": "Rewrite", "value": "/{R:1}"}}),
    (SITE_OUT, {"name": "Links", "precondition": "IsHTML", "track_all_captures": False,
                "match": {"filter_by_tags": ["img", "A"], "pattern": "^/(.*)", "occurrences": 2},
                "action": {"type": "Rewrite", "value": "/app/{R:1}", "replace": False}}),
    (SITE_OUT, {"name": "Disabled outbound", "enabled": False,
                "match": {"pattern": "secret", "negate": True, "ignore_case": False}, "action": {"type": "None"}}),
]


def write_playbook() -> str:
    tasks = [{"name": "Allow the variables the rules set",
              "winflask.iis.server_variable": {"name": ["HTTP_X_ORIGINAL_HOST", "HTTP_X_FORWARDED_PROTO"],
                                               "site": "Default Web Site"}}]
    tasks += [{"name": f"Rule {rule['name']}", "winflask.iis.rewrite_rule": {**scope, **rule}}
              for scope, rule in MODULE_RULES]
    return yaml.safe_dump([{"name": "Write every rule shape", "hosts": "windows", "gather_facts": False,
                            "tasks": tasks}], sort_keys=False)


SCOPES = [
    ("site_inbound", {"site": "Default Web Site"}),
    ("site_outbound", {"site": "Default Web Site", "direction": "outbound"}),
    ("application", {"site": "Default Web Site", "application": "/myApp"}),
    ("global", {}),
    ("server_outbound", {"direction": "outbound"}),
]


def feed_back_playbook() -> str:
    tasks = []
    for name, scope in SCOPES:
        options = "".join(f"\n        {key}: {value}" for key, value in scope.items())
        tasks.append(f"""
    - name: Read {name}
      winflask.iis.rewrite_rule_info:{options or ' {}'}
      register: read_{name}

    - name: Feed {name} back
      winflask.iis.rewrite_rules:{options}
        rules: "{{{{ read_{name}.rules }}}}"
      register: fed_{name}

    - name: Nothing to do for {name}
      ansible.builtin.assert:
        that:
          - read_{name}.rules | length > 0
          - fed_{name} is not changed
          - fed_{name}.operations == 0
          - fed_{name}.rules == read_{name}.rules
""")
    return "---\n- name: Read and feed back\n  hosts: windows\n  gather_facts: false\n  tasks:" + "".join(tasks)


def seed_files(root: Path) -> None:
    """Rules as a user has them in the files before the modules ever ran."""
    (root / SITE_CONFIG).write_text(SITE_RULES, encoding="utf-8")
    (root / APP_CONFIG).parent.mkdir(parents=True, exist_ok=True)
    apphost = root / APPHOST
    text = apphost.read_text(encoding="utf-8")
    assert text.count("</system.webServer>") == 1
    apphost.write_text(text.replace("</system.webServer>", GLOBAL_RULES + "    </system.webServer>"),
                       encoding="utf-8")


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_info_output_fed_back_changes_nothing(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    seed_files(root)
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    env = ansible_env(venv, root, tmp_path)

    write_book = tmp_path / "write.yml"
    write_book.write_text(write_playbook(), encoding="utf-8")
    written = run_playbook(venv, write_book, inventory, env)
    assert written.rc == 0, written.failure_report()
    # the hand-written rules are still there next to the module-written ones
    assert "iisnode" in (root / SITE_CONFIG).read_text(encoding="utf-8")
    site_xml = (root / SITE_CONFIG).read_text(encoding="utf-8")
    assert 'url=""' not in site_xml, "an empty match url was written (IIS refuses it on read)"
    assert 'url="/leftover"' in site_xml and 'statusCode="410"' in site_xml, "unused attributes were dropped"

    before = snapshot(root)
    calls_before = len(read_calls(root))
    feed_book = tmp_path / "feed.yml"
    feed_book.write_text(feed_back_playbook(), encoding="utf-8")
    fed = run_playbook(venv, feed_book, inventory, env)
    assert fed.rc == 0, fed.failure_report()
    assert fed.recap[HOST]["changed"] == 0 and fed.recap[HOST]["failed"] == 0, fed.stdout[-3000:]
    new_calls = read_calls(root)[calls_before:]
    assert [c["kind"] for c in new_calls if c.get("script") == "config_apply"] == []
    assert {c["script"] for c in new_calls} == {"config_read"}, new_calls
    assert snapshot(root) == before, "feeding the info output back changed a file on the host"
    # what IIS keeps but does not use is reported, not refused
    output = " ".join((fed.stdout + fed.stderr).split())  # ansible prints [WARNING] on stderr
    assert "action.url ('/ignored') is not used by a CustomResponse action" in output, fed.stdout[-3000:]
    assert "match.custom_tags ('MyTags') is used only when match.filter_by_tags contains CustomTags" in output
