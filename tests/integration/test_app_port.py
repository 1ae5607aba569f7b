"""playbook_run.app_port(): every test that starts an app gets a port of its own.

Two test files once both chose the fixed port 50131 and failed CI when pytest-xdist ran them at once; a fixed
port in Linux's ephemeral range can also be handed to any port-0 socket of the run (the emulated IIS front end).
"""

from __future__ import annotations

import socket
from pathlib import Path

import playbook_run
import pytest


def ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text(encoding="ascii").split()
    return int(low), int(high)


def test_ports_differ_per_call_and_per_worker_and_stay_below_the_ephemeral_range(
        monkeypatch: pytest.MonkeyPatch) -> None:
    given = []
    for worker in ("gw0", "gw1", "gw7"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        monkeypatch.setattr(playbook_run, "_app_ports_given", 0)  # a fresh worker process
        given += [playbook_run.app_port(), playbook_run.app_port()]
    assert len(set(given)) == len(given), given
    low, _high = ephemeral_range()
    assert max(given) < low, (given, low)


def test_a_port_something_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    monkeypatch.setattr(playbook_run, "_app_ports_given", 0)
    first = playbook_run.APP_PORT_BASE + 3 * playbook_run.APP_PORT_BLOCK
    with socket.socket() as listener:
        try:
            listener.bind(("127.0.0.1", first))
        except OSError:
            pytest.fail(f"127.0.0.1:{first} is taken on this machine: the test cannot take it itself")
        listener.listen()
        assert playbook_run.app_port() == first + 1
