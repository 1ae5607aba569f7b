"""Config writes under concurrency and interruption: whole files, the writer lock, read retries, backups.

Issue 8 section 7: parallel playbooks lost rules reported ``changed``, a reader saw an empty web.config,
a killed write left a truncated applicationHost.config, a kill between two files left a mix, and a
read raced with a write reported stale sections under a fresh fingerprint.
"""

from __future__ import annotations

import importlib
import multiprocessing
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import winhost.config
from winhost import Host, HostError
from winhost_helpers import APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, op, raises, read, rule

PROXY = "system.webServer/proxy"
RULES = "system.webServer/rewrite/rules"
BACKUP_DIR = "C:\\ProgramData\\winflask\\backup"
apply_module = importlib.import_module("winhost.config.apply")  # winhost.config.apply is the function


def names(entry: dict[str, Any]) -> list[str]:
    return [item["attributes"]["name"]["value"] for item in entry["element"]["items"]]


def leftovers(host: Host) -> list[Path]:
    return list(host.root.rglob("*.tmp"))


# ---- files are written whole ----------------------------------------------------------------------

def _half_then_fail(monkeypatch: pytest.MonkeyPatch, when: Any) -> None:
    """Path.write_bytes writes half the data and raises where ``when(path)`` holds: a process killed mid-write."""
    real = Path.write_bytes

    def write(self: Path, data: bytes) -> int:  # type: ignore[override]
        if when(self):
            real(self, data[: len(data) // 2])
            raise KeyboardInterrupt("killed mid-write")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write)


def test_killed_mid_write_leaves_the_old_file(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    before = host.read_bytes(APPHOST_FILE)
    _half_then_fail(monkeypatch, lambda p: "applicationHost.config" in p.name and "ProgramData" not in str(p))
    with pytest.raises(KeyboardInterrupt):
        apply(host, op("set", PROXY, attributes={"enabled": True}), backup=False)
    monkeypatch.undo()
    assert host.read_bytes(APPHOST_FILE) == before
    assert leftovers(host) == []


def test_killed_between_two_files_changes_neither(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    apply(host, op("add", RULES, SITE, element=rule("old")))
    before = {f: host.read_bytes(f) for f in (APPHOST_FILE, SITE_WEB_CONFIG)}
    # applicationHost.config is saved first, then web.config: the second write is killed
    _half_then_fail(monkeypatch, lambda p: "web.config" in p.name and "ProgramData" not in str(p))
    with pytest.raises(KeyboardInterrupt):
        apply(host, op("set", PROXY, attributes={"enabled": True}), op("add", RULES, SITE, element=rule("new")),
              backup=False)
    monkeypatch.undo()
    assert {f: host.read_bytes(f) for f in before} == before
    assert leftovers(host) == []


def test_failed_save_says_where_the_backup_is(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    before = host.read_bytes(APPHOST_FILE)
    real = Path.write_bytes

    def full_disk(self: Path, data: bytes) -> int:  # type: ignore[override]
        if ".config" in self.name and "ProgramData" not in str(self):
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    error = raises("ConfigFileError", apply, host, op("set", PROXY, attributes={"enabled": True}))
    monkeypatch.undo()
    assert len(error.details["backups"]) == 1
    assert host.read_bytes(error.details["backups"][0]) == before == host.read_bytes(APPHOST_FILE)


def test_save_failing_between_two_files_names_the_written_one(
        host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    apply(host, op("add", RULES, SITE, element=rule("old")))
    real = __import__("os").replace

    def replace(src: Any, dst: Any) -> None:
        if "web.config" in str(dst) and "ProgramData" not in str(dst):  # applicationHost.config goes first
            raise OSError(13, "Access is denied")
        real(src, dst)

    fingerprint = {**read(host, PROXY)["fingerprint"], **read(host, RULES, SITE)["fingerprint"]}
    monkeypatch.setattr("winhost.host.os.replace", replace)
    error = raises("ConfigFileError", apply, host, op("set", PROXY, attributes={"enabled": True}),
                   op("add", RULES, SITE, element=rule("new")), fingerprint=fingerprint)
    monkeypatch.undo()
    assert error.details["moved"] == [APPHOST_FILE]
    assert len(error.details["backups"]) == 2


def test_reader_never_sees_a_partial_file(host: Host) -> None:
    for n in range(40):  # a bigger file makes a torn read likelier
        apply(host, op("add", RULES, SITE, element=rule(f"base{n}")), backup=False)
    stop = threading.Event()
    seen: list[str] = []

    def reader() -> None:
        local = host.local_path(SITE_WEB_CONFIG)
        while not stop.is_set():
            data = local.read_bytes()
            try:
                ET.fromstring(data)
            except ET.ParseError as exc:
                seen.append(f"{len(data)} bytes: {exc}")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(40):
            apply(host, op("add", RULES, SITE, element=rule(f"r{n}")), backup=False)
    finally:
        stop.set()
        thread.join()
    assert seen == []


# ---- state.json -------------------------------------------------------------------------------------

def _bump(root: str, rounds: int) -> None:
    host = Host(root)

    def change(state: dict[str, Any]) -> None:
        state["counter"] = state.get("counter", 0) + 1

    for _round in range(rounds):
        host.update_state(change)


def test_parallel_state_updates_lose_nothing(host: Host) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump, args=(str(host.root), 40)) for _worker in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]  # no collision on a shared state.tmp
    assert host.load_state()["counter"] == 160
    assert leftovers(host) == []


# ---- the writer lock: fingerprint check through the last save ------------------------------------------

def test_racing_writers_with_one_fingerprint_one_wins_one_is_refused(host: Host,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprint = read(host, RULES, SITE)["fingerprint"]
    real_check = apply_module.check_fingerprint

    def slow_check(*args: Any, **kwargs: Any) -> None:
        real_check(*args, **kwargs)
        time.sleep(0.2)  # widen the window between the check and the save

    monkeypatch.setattr(apply_module, "check_fingerprint", slow_check)
    outcomes: dict[str, Any] = {}

    def writer(name: str) -> None:
        try:
            outcomes[name] = apply(Host(host.root), op("add", RULES, SITE, element=rule(name)),
                                   fingerprint=fingerprint)["changed"]
        except HostError as exc:
            outcomes[name] = exc.code

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert sorted(outcomes.values(), key=str) == ["FingerprintMismatch", True]
    winner = next(name for name, outcome in outcomes.items() if outcome is True)
    assert names(read(host, RULES, SITE)) == [winner]


# ---- config_read: fingerprint, read, fingerprint again ----------------------------------------------

def test_read_racing_a_write_reads_again(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("r1", "r2"):
        apply(host, op("add", RULES, SITE, element=rule(name)))
    real_read_section = winhost.config.read_section
    calls = {"n": 0}

    def racing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        entry = real_read_section(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 1:  # another writer lands after the sections were read
            apply(host, op("add", RULES, SITE, element=rule("r3")))
        return entry

    monkeypatch.setattr(winhost.config, "read_section", racing)
    entry = read(host, RULES, SITE)
    assert calls["n"] == 2
    assert names(entry) == ["r1", "r2", "r3"]
    assert entry["fingerprint"] == {f: host.sha256(f) for f in entry["fingerprint"]}


def test_read_that_keeps_racing_fails_clearly(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    real_read_section = winhost.config.read_section
    calls = {"n": 0}

    def racing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        entry = real_read_section(*args, **kwargs)
        calls["n"] += 1
        apply(host, op("add", RULES, SITE, element=rule(f"other{calls['n']}")))
        return entry

    monkeypatch.setattr(winhost.config, "read_section", racing)
    error = raises("ConfigChanging", read, host, RULES, SITE)
    assert calls["n"] == 2
    assert SITE_WEB_CONFIG in error.details["files"] and "changed while they were read" in error.message


# ---- backups: folder ACL, pruning ------------------------------------------------------------------------

def _stamps(host: Host) -> list[str]:
    return sorted(p.name for p in host.local_path(BACKUP_DIR).iterdir())


def test_backups_are_pruned_to_the_newest(host: Host) -> None:
    kept: list[str] = []
    for n in range(5):
        request = {"fingerprint": {}, "backup_keep": 3,
                   "operations": [op("set", PROXY, attributes={"timeout": f"00:0{n + 1}:00"})]}
        kept.append(apply_module.apply(host, request)["backups"][0].split("\\")[4])
    assert _stamps(host) == sorted(kept[-3:])


def test_backup_keep_zero_keeps_every_backup(host: Host) -> None:
    for n in range(4):
        request = {"fingerprint": {}, "backup_keep": 0,
                   "operations": [op("set", PROXY, attributes={"timeout": f"00:0{n + 1}:00"})]}
        apply_module.apply(host, request)
    assert len(_stamps(host)) == 4


@pytest.mark.parametrize("keep", [-1, "3", True, 1.5])
def test_bad_backup_keep_is_refused_before_anything(host: Host, keep: Any) -> None:
    before = host.read_bytes(APPHOST_FILE)
    request = {"fingerprint": {}, "backup_keep": keep, "operations": [op("set", PROXY, attributes={"enabled": True})]}
    error = raises("InvalidValue", apply_module.apply, host, request)
    assert "backup_keep" in error.message and repr(keep) in error.message
    assert host.read_bytes(APPHOST_FILE) == before and not host.exists(BACKUP_DIR)


def test_backup_folder_gets_the_config_folder_acl(host: Host) -> None:
    apply(host, op("set", PROXY, attributes={"enabled": True}))
    acl = host.load_state()["acls"][BACKUP_DIR]
    assert acl["protected"] is True  # no inheritance from %ProgramData% (Users: read)
    assert {(ace["sid"], ace["rights"], ace["type"]) for ace in acl["access"]} == {
        ("S-1-5-18", "FullControl", "Allow"), ("S-1-5-32-544", "FullControl", "Allow")}
