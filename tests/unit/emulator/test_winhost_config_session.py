"""config_apply on large collections: each address is merged once per apply, and the views kept between
operations always equal a fresh merge of the XML (randomised sequences, compared with merging anew
for every operation, as the emulator did before winhost/config/session.py)."""

from __future__ import annotations

import importlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from winhost import Host, HostError
from winhost.config import merge
from winhost.config.address import Address
from winhost.config.merge import Node, key_of
from winhost.config.session import Session
from winhost.config.xmlfiles import parse_xml, serialize
from winhost.iis import add_application, declare_section
from winhost.paths import SCHEMA_DIR, join
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, read, rule

address_module = importlib.import_module("winhost.config.address")
apply_module = importlib.import_module("winhost.config.apply")  # winhost.config.apply is also a function
RULES = "system.webServer/rewrite/rules"
ALLOWED = "system.webServer/rewrite/allowedServerVariables"
FRONT = "system.webServer/winflaskFrontList"  # a test section whose collection has mergeAppend="false"
APP = SITE + "/app"
APP_WEB_CONFIG = "C:\\apps\\app\\web.config"
FRONT_SCHEMA = """<configSchema>
  <sectionSchema name="system.webServer/winflaskFrontList">
    <collection addElement="add" removeElement="remove" clearElement="clear" mergeAppend="false">
      <attribute name="name" type="string" required="true" isUniqueKey="true" />
      <attribute name="value" type="string" />
    </collection>
  </sectionSchema>
</configSchema>
"""


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts whole-section merges (Address.effective) and element merges (merge.build)."""
    counts = {"effective": 0, "build": 0}
    effective, build = Address.effective, merge.build

    def counting_effective(self: Address) -> Node:
        counts["effective"] += 1
        return effective(self)

    def counting_build(*args: Any, **kwargs: Any) -> Node:
        counts["build"] += 1
        return build(*args, **kwargs)

    monkeypatch.setattr(Address, "effective", counting_effective)
    monkeypatch.setattr(merge, "build", counting_build)
    monkeypatch.setattr(apply_module, "build", counting_build)
    monkeypatch.setattr(address_module, "build", counting_build)
    return counts


def names(entry: dict[str, Any]) -> list[str]:
    return [attrs(i)["name"] for i in entry["element"]["items"]]


def test_thousand_adds_in_one_apply_merge_the_section_once(host: Host, merges: dict[str, int]) -> None:
    wanted = [f"rule{n:04d}" for n in range(1000)]
    result = apply(host, *[op("add", RULES, SITE, element=rule(name, url=f"^p{n}/(.*)"))
                           for n, name in enumerate(wanted)])
    assert result == {"changed": True, "backups": []}
    # One merge of the section for the whole apply (it was one per operation: 1000 merges of up to
    # 1000 rules). Element merges: the new rules themselves (rule, match, conditions,
    # serverVariables, action = 5 each) and the section once.
    assert merges["effective"] == 1
    assert merges["build"] == 5 * 1000 + 1
    text = host.read_bytes(SITE_WEB_CONFIG).decode()
    assert text.count("<rule ") == 1000
    entry = read(host, RULES, SITE)
    assert names(entry) == wanted
    assert all(i["locally_stored"] for i in entry["element"]["items"])
    assert attrs(entry["element"]["items"][999]["children"]["match"])["url"] == "^p999/(.*)"
    assert merges["effective"] == 2  # the read: one more


def test_thousand_inserts_and_removes_in_one_apply_each(host: Host, merges: dict[str, int]) -> None:
    apply(host, op("add", RULES, APPHOST, element=rule("server")))  # inherited: index 0 is taken by it
    wanted = [f"r{n:04d}" for n in range(1000)]
    # each new rule goes in front of the previous one: this level's items end up reversed
    ops = [op("add", RULES, SITE, element=rule(wanted[0]))]
    ops += [op("add", RULES, SITE, element=rule(name), index=1) for name in wanted[1:]]
    merges["effective"] = 0
    apply(host, *ops)
    assert merges["effective"] == 1
    assert names(read(host, RULES, SITE)) == ["server", *reversed(wanted)]
    merges["effective"] = 0
    result = apply(host, *[op("remove", RULES, SITE, key={"name": name.upper()}) for name in wanted[::2]])
    assert result["changed"] is True and len(result["backups"]) == 1
    assert merges["effective"] == 1
    assert names(read(host, RULES, SITE)) == ["server", *reversed(wanted[1::2])]
    assert host.read_bytes(SITE_WEB_CONFIG).decode().count("<rule ") == 500


def test_duplicate_among_thousand_adds_writes_nothing(host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    ops = [op("add", RULES, APPHOST, element=rule(f"r{n}")) for n in range(1000)]
    ops.append(op("add", RULES, APPHOST, element=rule("R17")))  # keys compare case-insensitively
    with pytest.raises(HostError) as info:
        apply(host, *ops)
    assert info.value.code == "DuplicateKey" and info.value.details["operation"] == 1000
    assert "unique key attribute 'name' set to 'R17'" in info.value.message
    assert host.read_bytes(APPHOST_FILE) == before


def test_add_then_change_the_same_rule_in_one_apply(host: Host) -> None:
    """A set after adds drops the kept view; the next operations see the changed XML."""
    apply(host, op("add", RULES, SITE, element=rule("a")), op("add", RULES, SITE, element=rule("b")),
          op("set", RULES, SITE, path=[{"item": {"name": "a"}}], attributes={"name": "c"}),
          op("add", RULES, SITE, element=rule("a"), index=1),
          op("add", RULES, SITE, path=[{"item": {"name": "b"}}, "serverVariables"],
             element={"name": "set", "attributes": {"name": "HTTP_X_B"}}))
    entry = read(host, RULES, SITE)
    assert names(entry) == ["c", "a", "b"]
    assert attrs(entry["element"]["items"][2]["children"]["serverVariables"]["items"][0])["name"] == "HTTP_X_B"


# ---- the kept views against merging anew for every operation ---------------------------------------

def _front_section(host: Host) -> None:
    host.write_bytes(join(SCHEMA_DIR, "winflask_test_schema.xml"), FRONT_SCHEMA.encode())
    root = parse_xml(host.read_bytes(APPHOST_FILE) or b"", APPHOST_FILE)
    declare_section(root, FRONT, "Allow", None)
    host.write_bytes(APPHOST_FILE, serialize(root))


def _host(path: Path) -> Host:
    host = Host.create(path, profile="server2022")
    add_application(host, "Default Web Site", "/app", "C:\\apps\\app")
    _front_section(host)
    return host


SCOPES = [(RULES, APPHOST, ""), (RULES, APPHOST, "Default Web Site"), (RULES, SITE, ""), (RULES, APP, ""),
          (ALLOWED, APPHOST, ""), (ALLOWED, APPHOST, "Default Web Site"),
          (FRONT, APPHOST, ""), (FRONT, SITE, ""), (FRONT, APP, "")]
NAMES = ["a", "b", "c", "d"]


def _name(rng: random.Random, scope: int) -> str:
    """Mostly names of the scope's own (an inherited duplicate blocks a level), in either case."""
    name = rng.choice(NAMES) + ("" if rng.random() < 0.1 else str(scope))
    return name.upper() if rng.random() < 0.2 else name


def _random_op(rng: random.Random) -> dict[str, Any]:
    scope = rng.randrange(len(SCOPES))
    section, pspath, location = SCOPES[scope]
    name = _name(rng, scope)
    index = rng.choice([None, None, None, 0, 1, 2, rng.randint(0, 5)])
    item = [{"item": {"name": _name(rng, scope)}}]
    kind = rng.choice(["add"] * 8 + ["remove"] * 2 + ["set", "reset", "clear", "nested", "nested"])
    if section != RULES:
        element = {"name": "add", "attributes": {"name": name}}
        if kind in ("set", "reset", "nested"):
            return op("set", section, pspath, location, path=item, attributes={"value": name})
        if kind == "add":
            return op("add", section, pspath, location, element=element, index=index)
        if kind == "remove":
            return op("remove", section, pspath, location, key={"name": name})
        return op("clear", section, pspath, location)
    if kind == "add":
        return op("add", RULES, pspath, location, element=rule(name, url=f"^{rng.randint(0, 9)}/(.*)"), index=index)
    if kind == "remove":
        return op("remove", RULES, pspath, location, key={"name": name})
    if kind == "set":
        attributes = rng.choice([{"stopProcessing": True}, {"name": name}, {"enabled": False}])
        return op("set", RULES, pspath, location, path=item, attributes=attributes)
    if kind == "reset":
        return op("reset", RULES, pspath, location, path=[*item, "match"], attributes=["url"])
    if kind == "clear":
        return op("clear", RULES, pspath, location, path=rng.choice([[], [*item, "serverVariables"]]))
    child, tag = rng.choice([("serverVariables", "set"), ("conditions", "add")])
    nested = {"name": tag, "attributes": {"name": f"HTTP_{name}"} if tag == "set" else {"input": name}}
    if rng.random() < 0.3 and tag == "set":
        return op("remove", RULES, pspath, location, path=[*item, child], key={"name": f"HTTP_{name}"})
    return op("add", RULES, pspath, location, path=[*item, child], element=nested, index=rng.choice([None, 0]))


def _snapshot(node: Node) -> Any:
    """Everything a kept view holds: the JSON, the XML elements it points at, the key index."""
    index = None
    if node.key_index is not None:
        index = {k: sorted(id(i) for i in v) for k, v in node.key_index.items() if v}
        coll = node.schema.collection
        assert coll is not None and node.items is not None
        fresh: dict[Any, list[int]] = {}
        for item in node.items:
            key = key_of(coll, item.values)
            if key is not None:
                fresh.setdefault(key, []).append(id(item))
        assert index == {k: sorted(v) for k, v in fresh.items()}
    return (node.name, node.values, node.local, [id(e) for e in node.local_xml], id(node.xml), node.file,
            id(node.parent_xml), {k: _snapshot(c) for k, c in node.children.items()},
            None if node.items is None else [_snapshot(i) for i in node.items])


@pytest.fixture
def checked_views(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """After every operation, each view a Session kept must be what a new merge gives."""
    checks = [0]
    done = Session.operation_done

    def operation_done(self: Session, address: Address, view_updated: bool) -> None:
        done(self, address, view_updated)
        for other in self.addresses():
            if other.cached_view is not None:
                kept = _snapshot(other.cached_view)
                assert kept == _snapshot(other.effective()), f"stale view of {other.section} at {other.pspath}"
                checks[0] += 1

    monkeypatch.setattr(Session, "operation_done", operation_done)
    yield checks


def _outcome(host: Host, request_ops: list[dict[str, Any]]) -> tuple[Any, ...]:
    try:
        result = apply(host, *request_ops)
    except HostError as exc:
        return ("error", exc.code, exc.message, exc.details)
    return ("ok", result["changed"], len(result["backups"]))


@pytest.mark.parametrize("seed", range(6))
def test_kept_views_match_merging_every_time(tmp_path: Path, seed: int, checked_views: list[int],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    fast, slow = _host(tmp_path / "fast"), _host(tmp_path / "slow")
    outcomes: set[str] = set()
    for _request in range(150):
        request_ops = [_random_op(rng) for _op in range(rng.choice([1, 1, 2, 3, 6]))]
        got = _outcome(fast, request_ops)
        with monkeypatch.context() as m:  # the reference: a new merge for every look at the section
            m.setattr(Address, "view", Address.effective)
            expected = _outcome(slow, request_ops)
        assert got == expected, request_ops
        outcomes.add(got[0] if got[0] == "ok" else got[1])
        for path in (APPHOST_FILE, SITE_WEB_CONFIG, APP_WEB_CONFIG):
            assert fast.read_bytes(path) == slow.read_bytes(path), path
    assert "ok" in outcomes and len(outcomes) >= 3  # the sequences did change things and did fail
    assert checked_views[0] > 0
    for scope in SCOPES:  # and reads agree (an add at a parent level can make a lower level unreadable)
        assert _read_outcome(fast, *scope) == _read_outcome(slow, *scope)


def _read_outcome(host: Host, section: str, pspath: str, location: str) -> Any:
    try:
        return read(host, section, pspath, location)["element"]
    except HostError as exc:
        return (exc.code, exc.message, exc.details)


def test_registered_sections_are_read_once_per_call(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = [0]
    load = address_module.load_schema_dir

    def counting(folder: Path) -> Any:
        loads[0] += 1
        return load(folder)

    monkeypatch.setattr(address_module, "load_schema_dir", counting)
    apply(host, *[op("add", ALLOWED, APPHOST, element={"name": "add", "attributes": {"name": f"V{n}"}})
                  for n in range(50)])
    assert loads[0] == 1
    assert len(read(host, ALLOWED)["element"]["items"]) == 50


def _both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setup: Any, *request_ops: dict[str, Any]
          ) -> tuple[Any, Host]:
    """Apply on two equal hosts, with kept views and merging anew; both must end the same."""
    fast, slow = _host(tmp_path / "fast"), _host(tmp_path / "slow")
    setup(fast)
    setup(slow)
    got = _outcome(fast, list(request_ops))
    with monkeypatch.context() as m:
        m.setattr(Address, "view", Address.effective)
        assert _outcome(slow, list(request_ops)) == got
    for path in (APPHOST_FILE, SITE_WEB_CONFIG, APP_WEB_CONFIG, "C:\\apps\\sub\\web.config"):
        assert fast.read_bytes(path) == slow.read_bytes(path), path
    return got, fast


def test_insert_before_a_later_remove_of_the_same_key(tmp_path: Path, checked_views: list[int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A hand-written web.config with <remove name="x"/> after the adds: an x inserted in front of them is
    dropped again by the merge, so the next index counts without it."""
    def setup(host: Host) -> None:
        host.write_bytes(SITE_WEB_CONFIG, b'<configuration><system.webServer><rewrite><rules>'
                         b'<rule name="a" /><remove name="x" /></rules></rewrite></system.webServer></configuration>')

    got, host = _both(tmp_path, monkeypatch, setup, op("add", RULES, SITE, element=rule("x"), index=0),
                      op("add", RULES, SITE, element=rule("y"), index=1))
    assert got[0] == "ok"
    assert names(read(host, RULES, SITE)) == ["a", "y"]  # y went after a: x never showed in the merge
    text = host.read_bytes(SITE_WEB_CONFIG).decode()
    assert text.index('name="x"') < text.index('name="a"') < text.index('<remove') < text.index('name="y"')


def test_location_tag_added_mid_apply_joins_the_site_levels(tmp_path: Path, checked_views: list[int],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    got, _fast = _both(tmp_path, monkeypatch, lambda host: None,
                       op("add", RULES, SITE, element=rule("first")),
                       op("add", RULES, APPHOST, "Default Web Site", element=rule("x")),
                       op("add", RULES, SITE, element=rule("X")))
    assert got[:2] == ("error", "DuplicateKey") and got[3]["operation"] == 2  # x now comes from the location


def test_application_added_mid_apply_moves_the_web_config(tmp_path: Path, checked_views: list[int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def setup(host: Host) -> None:
        host.local_path("C:\\inetpub\\wwwroot\\sub").mkdir(parents=True)
        host.local_path("C:\\apps\\sub").mkdir(parents=True)

    application = {"name": "application", "attributes": {"path": "/sub"}, "items": [
        {"name": "virtualDirectory", "attributes": {"path": "/", "physicalPath": "C:\\apps\\sub"}}]}
    got, host = _both(tmp_path, monkeypatch, setup,
                      op("add", RULES, SITE + "/sub", element=rule("in_folder")),
                      op("add", "system.applicationHost/sites", APPHOST, path=[{"item": {"name": "Default Web Site"}}],
                         element=application),
                      op("add", RULES, SITE + "/sub", element=rule("in_app")))
    assert got[0] == "ok"
    assert read(host, RULES, SITE + "/sub")["file"] == "C:\\apps\\sub\\web.config"
    assert names(read(host, RULES, SITE + "/sub")) == ["in_app"]
    assert b'name="in_folder"' in (host.read_bytes("C:\\inetpub\\wwwroot\\sub\\web.config") or b"")
