"""The emulated IIS front end: real HTTP to the emulated host's sites (docs/emulator.md, "HTTP through the
emulated IIS").

``ensure_running(host)`` gives every http binding a loopback port (front.ports) and makes sure one live
server process (``python -m winhost serve``, recorded by winhost.processes with service ``W3SVC``) listens on
them: a live recorded server for the same ports is reused, a dead one or one for other ports is replaced.
The host's lock makes two callers (two playbook runs) start one server.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from .. import processes
from ..errors import HostError
from ..host import Host
from . import ports as ports_mod

SERVICE = "W3SVC"
START_TIMEOUT = 15.0
LOG = "iis-front.log"


def _collection_path(host: Host) -> str:
    """A sys.path entry holding ``ansible_collections/winflask/iis`` for the server process: the one this
    process imports, else a link to the checkout the emulator lives in."""
    try:
        import ansible_collections.winflask.iis as collection

        return str(Path(list(collection.__path__)[0]).parents[2])
    except ImportError:
        pass
    repo = Path(__file__).resolve().parents[4]
    link_root = host.root / ".front" / "collections"
    link = link_root / "ansible_collections" / "winflask" / "iis"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(repo, link)
    return str(link_root)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def server_entry(host: Host) -> dict[str, Any] | None:
    return (host.load_state().get(ports_mod.KEY) or {}).get("server")


def ensure_running(host: Host) -> dict[str, int]:
    """{bindingInformation: loopback port} of the http bindings, with the server listening; {} without IIS."""
    if not host.iis_installed:
        return {}
    with host.lock():
        ports = ports_mod.assign(host)
        wanted = sorted(set(ports.values()) | set(ports_mod.https_ports(host).values()))
        if not wanted:
            return ports
        entry = server_entry(host)
        if entry is not None and processes.alive(entry):
            if entry.get("ports") == wanted:
                return ports
            processes.stop(host, int(entry["pid"]))
        _start(host, wanted)
    return ports


def _start(host: Host, wanted: list[int]) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_collection_path(host), env.get("PYTHONPATH")) if p)
    log = host.root / LOG
    process = processes.spawn(host, [sys.executable, "-m", "winhost", "serve", "--root", str(host.root)],
                              host.root, env, log, log, service=SERVICE)
    entry = processes.entry_of(host, process.pid) or {"pid": process.pid}
    record = {"pid": process.pid, "start_time": entry.get("start_time"), "ports": wanted}
    host.update_state(lambda s: s.setdefault(ports_mod.KEY, {}).__setitem__("server", record))
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if all(_answers(p) for p in wanted):
            return
        time.sleep(0.05)
    processes.stop(host, process.pid)
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
    raise HostError("FrontEndFailed", f"The emulated IIS front end did not start listening on {wanted}: {tail}")


def stop(host: Host) -> bool:
    """Stop the host's front end server; True when one was running."""
    entry = server_entry(host)
    if entry is None or not processes.alive(entry):
        return False
    processes.stop(host, int(entry["pid"]))
    return True


__all__ = ["SERVICE", "ensure_running", "stop"]
