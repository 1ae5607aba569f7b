"""Benchmark: winflask.iis.rewrite_rules with 1, 100 and 1000 rules in one task.

    .venv/main/bin/python tests/benchmark/rewrite_rules.py            # replay host: controller time only
    .venv/main/bin/python tests/benchmark/rewrite_rules.py --emulated # ansible-playbook on an emulated host

Replay mode runs the action plugin against replayed win_powershell results (the unit tests' FakeHost):
the seconds are the controller's own work (validation, planning, diff), without any transport.
Emulated mode runs a whole playbook (first run, then the same again) on a fresh emulated host and
counts round trips from the host's call log; its seconds include ansible-playbook's start-up and the
emulator's XML work (about 8 s for the first run with 1000 rules).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "plugins"))
sys.path.insert(0, str(REPO / "tests" / "integration"))


from collection_path import make_importable  # noqa: E402  tests/benchmark/collection_path.py

make_importable()

from replay import FakeHost, make_action  # noqa: E402
from rewrite_host import applied, read_reply, rules_section  # noqa: E402

from ansible_collections.winflask.iis.plugins.action.rewrite_rules import ActionModule  # noqa: E402

SIZES = (1, 100, 1000)
SITE = "Default Web Site"


def rules(count: int) -> list[dict]:
    return [{"name": f"rule{n:04d}", "stop_processing": n % 2 == 0,
             "match": {"url": f"^section{n}/(.*)"},
             "conditions": [{"input": "{HTTP_HOST}", "pattern": "^(www\\.)?example\\.com$"}],
             "action": {"type": "Rewrite", "url": f"/app/{n}/{{R:1}}"}} for n in range(count)]


def replay(count: int) -> list[str]:
    wanted = rules(count)
    lines = []
    for label, replies in (("first run", [read_reply(rules_section([])), applied()]),
                           ("second run", [read_reply(rules_section(wanted))])):
        host = FakeHost(replies)
        start = time.perf_counter()
        result = make_action(ActionModule, {"site": SITE, "rules": wanted}, host, diff=True).run(task_vars={})
        seconds = time.perf_counter() - start
        assert not result.get("failed"), result.get("msg")
        reads = sum(c["script"] == "config_read" for c in host.calls)
        writes = sum(c["script"] == "config_apply" for c in host.calls)
        lines.append(f"{count:>5} rules  {label:<10}  controller {seconds:8.3f} s  "
                     f"round trips {reads + writes} (read {reads}, write {writes})  changed={result['changed']}")
    return lines


def emulated(count: int) -> list[str]:
    import yaml
    from playbook_run import ansible_env, create_host, read_calls, run_playbook, venvs, write_inventory

    venv = venvs()[0]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = create_host(venv, work / "host")
        inventory = write_inventory(work / "inventory.yml", "emulated-server2022")
        book = work / "play.yml"
        book.write_text(yaml.safe_dump([{"name": "benchmark", "hosts": "windows", "gather_facts": False,
                                         "tasks": [{"name": "rules", "winflask.iis.rewrite_rules":
                                                    {"site": SITE, "rules": rules(count)}}]}]), encoding="utf-8")
        for label in ("first run", "second run"):
            seen = len(read_calls(root))
            start = time.perf_counter()
            run = run_playbook(venv, book, inventory, ansible_env(venv, root, work))
            seconds = time.perf_counter() - start
            assert run.rc == 0, run.failure_report()
            calls = [c for c in read_calls(root)[seen:] if c.get("script")]
            writes = sum(c["kind"] == "write" for c in calls)
            lines.append(f"{count:>5} rules  {label:<10}  playbook   {seconds:8.3f} s  "
                         f"round trips {len(calls)} (read {len(calls) - writes}, write {writes})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emulated", action="store_true", help="run ansible-playbook on an emulated host")
    parser.add_argument("--sizes", help="rule counts, comma-separated (default 1,100,1000)")
    args = parser.parse_args()
    sizes = args.sizes.split(",") if args.sizes else [str(s) for s in SIZES]
    for count in (int(s) for s in sizes):
        for line in (emulated(count) if args.emulated else replay(count)):
            print(line, flush=True)


if __name__ == "__main__":
    main()
