"""Parallel playbooks editing one site of one emulated host (issue 8 section 7).

Four ansible-playbook runs at once, each adding its own rewrite rules to Default Web Site over five
rounds, while a reader thread parses the config files without pause. At the end:
- every rule a task reported ``changed`` is on the host, and nothing else was added;
- every task that did not change the host failed clearly: FingerprintMismatch (another run wrote
  between its read and its write) or ConfigChanging (writers kept racing its read), nothing else;
- the reader never saw an empty, truncated or missing file.
"""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playbook_run import ansible_env, create_host, run_playbook, venvs, write_inventory

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C/Windows/System32/inetsrv/config/applicationHost.config"
SITE_CONFIG = "C/inetpub/wwwroot/web.config"
WORKERS = 4
ROUNDS = 5
REFUSALS = {"FingerprintMismatch", "ConfigChanging"}

PLAYBOOK = """---
- name: one of several parallel writers
  hosts: windows
  gather_facts: false
  tasks:
    - name: Add this worker's rules, one task per round
      winflask.iis.rewrite_rule:
        site: Default Web Site
        name: "{{ worker }}-r{{ item }}"
        match:
          url: "^{{ worker }}/{{ item }}/(.*)"
        action:
          type: Rewrite
          url: "/{{ worker }}/{R:1}"
      loop: "{{ range(ROUNDS) | list }}"
      register: added
      ignore_errors: true
    - name: Write every result for the test to read
      ansible.builtin.copy:
        dest: "{{ out_file }}"
        content: "{{ added.results | to_json }}"
        mode: "0644"
""".replace("ROUNDS", str(ROUNDS))


class Reader(threading.Thread):
    """Parses the host's config files until stopped; records every read that is not a whole file."""

    def __init__(self, files: list[Path]) -> None:
        super().__init__(daemon=True)
        self.files = files
        self.stop = threading.Event()
        self.reads = 0
        self.bad: list[str] = []

    def run(self) -> None:
        seen = {f: f.exists() for f in self.files}
        while not self.stop.wait(0.0005):  # thousands of reads, without starving the writers of the 2 cores
            for path in self.files:
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    if seen[path]:  # a rename never leaves the target missing
                        self.bad.append(f"{path.name}: missing")
                    continue
                seen[path] = True
                self.reads += 1
                try:
                    root = ET.fromstring(data)
                except ET.ParseError as exc:
                    self.bad.append(f"{path.name}: {len(data)} bytes: {exc}")
                    continue
                if root.tag != "configuration":
                    self.bad.append(f"{path.name}: root <{root.tag}>")


def site_rules(root: Path) -> list[str]:
    tree = ET.parse(root / SITE_CONFIG)
    return [rule.get("name", "") for rule in tree.getroot().iterfind("system.webServer/rewrite/rules/rule")]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_parallel_playbooks_lose_no_change_and_readers_see_whole_files(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    book = tmp_path / "writer.yml"
    book.write_text(PLAYBOOK, encoding="utf-8")
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    reader = Reader([root / APPHOST, root / SITE_CONFIG])
    reader.start()

    def worker(n: int):
        work = tmp_path / f"w{n}"
        work.mkdir()
        out = work / "results.json"
        start = time.monotonic()
        run = run_playbook(venv, book, inventory, ansible_env(venv, root, work),
                           ["-e", f"worker=w{n}", "-e", f"out_file={out}"])
        spans.append((start, time.monotonic()))
        return run, out

    spans: list[tuple[float, float]] = []

    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            runs = list(pool.map(worker, range(WORKERS)))
    finally:
        reader.stop.set()
        reader.join()

    # The runs did overlap (all four were under way at one moment): the test raced real writers.
    assert max(start for start, _end in spans) < min(end for _start, end in spans), spans
    changed: set[str] = set()
    refused: list[tuple[str, str]] = []
    for n, (run, out) in enumerate(runs):
        assert run.rc == 0, run.failure_report()  # ignore_errors: the play itself completes
        results = json.loads(out.read_text(encoding="utf-8"))
        assert len(results) == ROUNDS
        for result in results:
            name = f"w{n}-r{result['item']}"
            if result.get("failed"):
                assert result.get("error_code") in REFUSALS, result
                assert result["changed"] is False
                refused.append((result["error_code"], result["msg"]))
            else:
                assert result["changed"] is True, result  # each rule is new: a success is a change
                changed.add(name)
    names_of = {f"w{n}-r{i}" for n in range(WORKERS) for i in range(ROUNDS)}
    assert changed <= names_of and changed, (changed, refused)
    on_host = site_rules(root)
    assert len(on_host) == len(set(on_host))
    assert set(on_host) == changed, f"lost: {changed - set(on_host)}, unreported: {set(on_host) - changed}"
    for code, msg in refused:
        assert "run the task again" in msg, msg
        if code == "FingerprintMismatch":
            assert "changed since it was read" in msg and ("applicationHost.config" in msg or "web.config" in msg)
    assert reader.reads > 0 and reader.bad == [], reader.bad[:5]
    leftovers = list(root.rglob("*.tmp"))
    assert leftovers == []
