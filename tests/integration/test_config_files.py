"""Config files written the way IIS and real deployments write them, through whole playbooks on the emulated
host: rewrite_rule_info reads them, rewrite_rule writes them, rewrite_rule_info reads the result back.

- ``<rules configSource="rewriteRules.config" />`` with the rules in that file (root ``<rules>``): the rules
  are read from it, a new rule lands in it (web.config untouched), it is backed up, and ``file`` names it;
  a configSource naming a missing file fails the task naming the file, and nothing is written;
- a web.config declaring ``gb2312`` with a Chinese rule name: read, written back in gb2312;
- a web.config with a BOM, CRLF line ends and comments before and after ``<configuration>``: all kept.
(docs/emulator.md "configSource" and "How files are read and saved".)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, venvs, write_inventory

HOST = "emulated-server2022"
SITE_DIR = "C/inetpub/wwwroot"
WEB_CONFIG = f"{SITE_DIR}/web.config"
SITE_WEB_CONFIG = "C:\\inetpub\\wwwroot\\web.config"
RULES_FILE = "C:\\inetpub\\wwwroot\\rewriteRules.config"
CHINESE = "反向代理"
VENV_LIST = venvs()


def rule_xml(name: str) -> str:
    return (f'<rule name="{name}" stopProcessing="true">\r\n    <match url="^old/(.*)" />\r\n'
            '    <action type="Rewrite" url="/new/{R:1}" />\r\n</rule>\r\n')


def playbook(path: Path, results: Path, expect_failure: bool = False) -> Path:
    add = {"name": "Add a rule", "register": "added", "ignore_errors": expect_failure,
           "winflask.iis.rewrite_rule": {"site": "Default Web Site", "name": "添加的规则",
                                         "match": {"url": "^added/(.*)"},
                                         "action": {"type": "Rewrite", "url": "/added/{R:1}"}}}
    info = {"site": "Default Web Site"}
    tasks = [
        {"name": "Read before", "winflask.iis.rewrite_rule_info": info, "register": "before",
         "ignore_errors": expect_failure},
        add,
        {"name": "Read after", "winflask.iis.rewrite_rule_info": info, "register": "after",
         "ignore_errors": expect_failure},
        {"name": "The same rule again", "register": "again", "ignore_errors": expect_failure,
         **{k: v for k, v in add.items() if k not in ("name", "register", "ignore_errors")}},
        {"name": "Keep the results", "delegate_to": "localhost",
         "ansible.builtin.copy": {"content": "{{ {'before': before, 'added': added, 'after': after, "
                                             "'again': again} | to_json }}",
                                  "dest": str(results), "mode": "0644"}},
    ]
    play = [{"name": "config files", "hosts": "windows", "gather_facts": False, "tasks": tasks}]
    path.write_text(json.dumps(play, ensure_ascii=False), encoding="utf-8")
    return path


def run(venv: Path, root: Path, tmp_path: Path, expect_failure: bool = False) -> dict:
    results = tmp_path / "results.json"
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    book = playbook(tmp_path / "play.yml", results, expect_failure)
    done = run_playbook(venv, book, inventory, ansible_env(venv, root, tmp_path))
    assert done.rc == 0, done.failure_report()
    return json.loads(results.read_text(encoding="utf-8"))


def names(result: dict) -> list[str]:
    return [r["name"] for r in result["rules"]]


def writes(root: Path) -> list[dict]:
    return [c for c in read_calls(root) if c.get("script") == "config_apply"]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_rules_in_a_config_source_file(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    web_config = (b'<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration>\r\n    <system.webServer>\r\n'
                  b'        <rewrite>\r\n            <rules configSource="rewriteRules.config" />\r\n'
                  b'        </rewrite>\r\n    </system.webServer>\r\n</configuration>\r\n')
    rules = ("<rules>\r\n" + rule_xml("from-file") + "</rules>\r\n").encode()
    (root / WEB_CONFIG).write_bytes(web_config)
    (root / SITE_DIR / "rewriteRules.config").write_bytes(rules)

    got = run(venv, root, tmp_path)
    assert names(got["before"]) == ["from-file"]  # not an empty list: the rules are read through configSource
    assert got["before"]["file"] == RULES_FILE
    assert got["added"]["changed"] is True
    assert names(got["after"]) == ["from-file", "添加的规则"] and got["after"]["file"] == RULES_FILE
    assert got["again"]["changed"] is False

    assert (root / WEB_CONFIG).read_bytes() == web_config  # the referencing web.config is left alone
    written = (root / SITE_DIR / "rewriteRules.config").read_bytes()
    assert written.startswith(b"<rules>") and "添加的规则".encode() in written and b"<configuration" not in written
    [apply] = writes(root)
    assert set(apply["request"]["fingerprint"]) == {
        "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config", SITE_WEB_CONFIG, RULES_FILE}
    backups = sorted(p for p in (root / "C/ProgramData/winflask/backup").rglob("*") if p.is_file())
    assert [p.name for p in backups] == ["rewriteRules.config"] and backups[0].read_bytes() == rules


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_a_missing_config_source_file_fails_the_task_and_writes_nothing(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    web_config = (b'<?xml version="1.0" encoding="UTF-8"?>\r\n<configuration><system.webServer><rewrite>'
                  b'<rules configSource="missing.config" /></rewrite></system.webServer></configuration>\r\n')
    (root / WEB_CONFIG).write_bytes(web_config)
    got = run(venv, root, tmp_path, expect_failure=True)
    for key in ("before", "added", "after"):
        assert got[key]["failed"] is True and got[key].get("changed") is not True
        assert "missing.config" in got[key]["msg"] and SITE_WEB_CONFIG in got[key]["msg"], got[key]["msg"]
    assert (root / WEB_CONFIG).read_bytes() == web_config
    assert not (root / SITE_DIR / "missing.config").exists()
    assert writes(root) == []


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_gb2312_web_config(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    text = ('<?xml version="1.0" encoding="gb2312"?>\r\n<configuration>\r\n<system.webServer>\r\n<rewrite>\r\n'
            '<rules>\r\n' + rule_xml(CHINESE) + '</rules>\r\n</rewrite>\r\n</system.webServer>\r\n'
            '</configuration>\r\n')
    (root / WEB_CONFIG).write_bytes(text.encode("gb2312"))
    got = run(venv, root, tmp_path)
    assert names(got["before"]) == [CHINESE]
    assert names(got["after"]) == [CHINESE, "添加的规则"] and got["again"]["changed"] is False
    data = (root / WEB_CONFIG).read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="gb2312"?>\r\n')
    decoded = data.decode("gb2312")  # GB2312 bytes, as declared
    assert CHINESE in decoded and "添加的规则" in decoded


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_bom_crlf_and_comments_are_kept(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    original = (b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\r\n'
                b"<!-- Generated by the deployment pipeline. Do not edit. -->\r\n<configuration>\r\n"
                b"  <!-- rewrite rules -->\r\n  <system.webServer>\r\n    <rewrite>\r\n      <rules>\r\n"
                + rule_xml("first").encode() + b"      </rules>\r\n    </rewrite>\r\n  </system.webServer>\r\n"
                b"</configuration>\r\n<!-- end -->\r\n")
    (root / WEB_CONFIG).write_bytes(original)
    got = run(venv, root, tmp_path)
    assert names(got["before"]) == ["first"] and names(got["after"]) == ["first", "添加的规则"]
    data = (root / WEB_CONFIG).read_bytes()
    assert data.startswith(b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\r\n'
                           b"<!-- Generated by the deployment pipeline. Do not edit. -->\r\n<configuration>")
    assert b"<!-- rewrite rules -->" in data and data.endswith(b"</configuration>\r\n<!-- end -->\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
