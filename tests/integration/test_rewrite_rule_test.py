"""winflask.iis.rewrite_rule_test in a real ansible-playbook run, in ONE play (issue 10, sections 2 and 4):

- from ``config`` with ``delegate_to: localhost``: the reverse_proxy role's rule sends /myApp/help?x=1 to the back
  end with X-Original-Host set; a wrong ``expect`` fails naming the difference; no call reaches the host;
- live on an emulated host: the same rule written by winflask.iis.rewrite_rule (variables allowed by
  winflask.iis.server_variable) is read in ONE config_read and gives the same answer; after one variable is
  disallowed the request gets IIS's HTTP 500.50;
- live, the web.config of an ordinary folder (/blog) that a request lists in ``dirs`` is read in the same
  config_read and its rule runs; a routed URL listing no folder reads none (and does not fail); the same
  web.config's outbound rule rewrites the Location of the response_headers given (issue 12), read in that
  config_read too; bad response_headers fail naming the option before any call.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from playbook_run import (REPO, ansible_env, create_host, read_calls, run_playbook, snapshot, venvs,
                          write_inventory)

HOST = "emulated-server2022"
VENV = next(v for v in venvs() if v.name == "main") if any(v.name == "main" for v in venvs()) else venvs()[0]
SITE = "Default Web Site"
PROXY_RULE: dict[str, Any] = {
    "site": SITE, "name": "ReverseProxyInboundRule1", "stop_processing": True, "match": {"url": "(.*)"},
    "conditions": [{"input": "{CACHE_URL}", "pattern": "^(https?)://"}],
    "server_variables": [{"name": "HTTP_X_FORWARDED_PROTO", "value": "{C:1}"},
                         {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}],
    "action": {"type": "Rewrite", "url": "http://127.0.0.1:50100/{R:1}"}}
WEB_CONFIG = (REPO / "tests" / "unit" / "plugins" / "rewrite_xml.py")  # the same rule, as XML, for the data mode
HELP = {"url": "/myApp/help?x=1", "host": "www.example.com"}
GOOD = {"final": {"type": "Rewrite", "url": "http://127.0.0.1:50100/myApp/help?x=1", "proxy": True},
        "request_headers": {"X-Original-Host": "www.example.com"}}
WRONG = {"final": {"url": "http://127.0.0.1:50100/help"}}
# a web.config in an ordinary folder below the site root (not an application), read when a request lists it
BLOG_WEB_CONFIG = ('<?xml version="1.0" encoding="UTF-8"?>\n<configuration><system.webServer><rewrite><rules>'
                   '<rule name="BlogPost" stopProcessing="true"><match url="^post/(\\d+)$" />'
                   '<action type="Rewrite" url="post.aspx?id={R:1}" /></rule></rules>'
                   '<outboundRules><rule name="BlogLocation">'
                   '<match serverVariable="RESPONSE_Location" pattern="^http://127\\.0\\.0\\.1:50100/(.*)" />'
                   '<action type="Rewrite" value="https://{HTTP_HOST}/{R:1}" /></rule></outboundRules>'
                   "</rewrite></system.webServer></configuration>")
MOVED = {"Content-Type": "text/html", "Location": "http://127.0.0.1:50100/blog/post/8"}


def web_config() -> str:
    spec = importlib.util.spec_from_file_location("rewrite_xml", WEB_CONFIG)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.WEB_CONFIG)


def task(name: str, module: str, options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, module: options, "register": name, "ignore_errors": True, **extra}


def test_rewrite_rule_test_from_data_and_live(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    blog = root / "C" / "inetpub" / "wwwroot" / "blog"
    blog.mkdir(parents=True)
    (blog / "web.config").write_text(BLOG_WEB_CONFIG, encoding="utf-8")
    data = {"config": [{"path": "/", "xml": web_config()}]}
    tasks = [
        task("data_good", "winflask.iis.rewrite_rule_test", {**data, "requests": [{**HELP, "expect": GOOD}]},
             delegate_to="localhost"),
        task("data_wrong", "winflask.iis.rewrite_rule_test", {**data, "requests": [HELP, {**HELP, "expect": WRONG}]},
             delegate_to="localhost"),
        task("allow", "winflask.iis.server_variable",
             {"name": ["HTTP_X_FORWARDED_PROTO", "HTTP_X_ORIGINAL_HOST"], "site": SITE}),
        task("live_folder", "winflask.iis.rewrite_rule_test", {"site": SITE, "requests": [
            {"url": "/blog/post/7", "dirs": ["/blog"], "host": "www.example.com", "response_headers": MOVED,
             "expect": {"response_headers": {"Location": "https://www.example.com/blog/post/8", "Server": None}}},
            {"url": "/api/users/1"}]}),
        task("bad_headers", "winflask.iis.rewrite_rule_test", {"site": SITE, "requests": [
            {"url": "/blog/post/7", "response_headers": {"Bad Name": "x"}}]}),
        task("rule", "winflask.iis.rewrite_rule", PROXY_RULE),
        task("live_good", "winflask.iis.rewrite_rule_test", {"site": SITE, "requests": [{**HELP, "expect": GOOD}]}),
        task("disallow", "winflask.iis.server_variable",
             {"name": ["HTTP_X_FORWARDED_PROTO"], "site": SITE, "state": "absent"}),
        task("live_500_50", "winflask.iis.rewrite_rule_test", {"site": SITE, "requests": [HELP]}),
    ]
    names = [t["name"] for t in tasks]
    results = tmp_path / "results.json"
    collected = "{{ [" + ", ".join(names) + "] | to_json }}"
    tasks.append({"name": "Keep the results", "delegate_to": "localhost",
                  "ansible.builtin.copy": {"content": collected, "dest": str(results), "mode": "0644"}})
    book = tmp_path / "play.json"
    book.write_text(json.dumps([{"name": "rewrite_rule_test", "hosts": "windows", "gather_facts": False,
                                 "tasks": tasks}]), encoding="utf-8")
    before = snapshot(root)
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    done = run_playbook(VENV, book, inventory, ansible_env(VENV, root, tmp_path))
    assert done.rc == 0, done.failure_report()
    got = dict(zip(names, json.loads(results.read_text(encoding="utf-8")), strict=True))

    good = got["data_good"]
    assert not good.get("failed") and good["changed"] is False, good
    (first,) = good["results"]
    assert first["url"] == "/myApp/help?x=1" and first["matched_rules"] == ["ReverseProxyInboundRule1"]
    assert first["final"]["url"] == "http://127.0.0.1:50100/myApp/help?x=1" and first["final"]["proxy"] is True
    assert first["request_headers"] == {"x-forwarded-proto": "http", "x-original-host": "www.example.com"}

    wrong = got["data_wrong"]
    assert wrong["failed"] is True and len(wrong["results"]) == 2
    assert wrong["msg"] == ("1 of 2 request(s) did not do what expect says: requests[1] /myApp/help?x=1: final.url: "
                            "expected 'http://127.0.0.1:50100/help', got 'http://127.0.0.1:50100/myApp/help?x=1'")

    assert not got["allow"].get("failed") and not got["rule"].get("failed"), (got["allow"], got["rule"])
    live = got["live_good"]
    assert not live.get("failed"), live
    assert live["results"] == good["results"]

    # before the site has a rule: the folder /blog, listed in dirs, is read in the same config_read and its
    # web.config's rule runs, relative to /blog; /api/users/1 lists no folder, so none is read for it
    # (config_read refuses a URL level without a physical folder: a routed URL must not fail the task)
    folder = got["live_folder"]
    assert not folder.get("failed"), folder
    posted, routed = folder["results"]
    assert posted["matched_rules"] == ["BlogPost"], posted
    assert posted["final"]["rooted_url"] == "/blog/post.aspx?id=7", posted
    assert routed["matched_rules"] == [] and routed["final"]["type"] == "None", routed
    assert posted["outbound_matched_rules"] == ["BlogLocation"], posted
    assert posted["response_headers"] == {**MOVED, "Location": "https://www.example.com/blog/post/8"}, posted
    assert "response_headers" not in routed, routed  # no response_headers given: no outbound evaluation

    bad = got["bad_headers"]
    assert bad["failed"] is True and "requests[0].response_headers key 'Bad Name'" in bad["msg"], bad
    assert "'Bad Name'" in bad["msg"] and "HTTP header name" in bad["msg"], bad

    blocked = got["live_500_50"]
    assert not blocked.get("failed"), blocked
    final = blocked["results"][0]["final"]
    assert (final["type"], final["status"], final["sub_status"]) == ("Error", 500, 50), final

    # the host: data mode made no call; each live task ONE config_read of the five sections; the module wrote nothing
    calls = [(c["script"], c["kind"]) for c in read_calls(root)]
    assert calls == [("config_read", "read"), ("config_apply", "write"),   # allow
                     ("config_read", "read"),                              # live_folder
                     ("config_read", "read"), ("config_apply", "write"),   # rule
                     ("config_read", "read"),                              # live_good
                     ("config_read", "read"), ("config_apply", "write"),   # disallow
                     ("config_read", "read")], calls                       # live_500_50
    live_read = read_calls(root)[5]["request"]["reads"]
    assert [r["section"].rsplit("/", 1)[1] for r in live_read] == [
        "globalRules", "rules", "allowedServerVariables", "rewriteMaps"], live_read
    folder_read = read_calls(root)[2]["request"]["reads"]
    assert [r["pspath"] for r in folder_read if r["section"].endswith("/rules")] == [
        f"MACHINE/WEBROOT/APPHOST/{SITE}", f"MACHINE/WEBROOT/APPHOST/{SITE}/blog"], folder_read
    # the outboundRules of the folder of the request that gives response_headers only (not /api/users/1's), in
    # the same read (no call for bad_headers: the list above)
    assert [r["pspath"] for r in folder_read if r["section"].endswith("/outboundRules")] == [
        f"MACHINE/WEBROOT/APPHOST/{SITE}/blog"], folder_read
    assert snapshot(root) != before  # the rule and the variables were written by the other modules
