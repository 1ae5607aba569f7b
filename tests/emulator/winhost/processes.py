"""Real processes that belong to an emulated host (the Flask app an nssm service runs, for example).

The emulated host runs some programs for real, on the controller (docs/emulator.md, "Programs, Python and
HTTP"). Each one is started in a session of its own (so it outlives the Ansible module process that
started it) and recorded in ``state.json`` under ``processes``: ``{<pid>: {"pid", "start_time", "argv",
"cwd", "service"}}``. ``start_time`` is the kernel's start tick of the process (``/proc/<pid>/stat``
field 22): a pid that was reused by another program is never signalled.

Stopping copies nssm's first and last stop methods: Ctrl+C to the application's console (here SIGINT to
its process group; Python turns both into KeyboardInterrupt/SIGINT), a wait of ``AppStopMethodConsole``
milliseconds, then TerminateProcess (SIGKILL to the group; ``AppKillProcessTree`` defaults to on).
``stop_all`` is the cleanup every test calls: no process outlives its host.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .host import Host

KEY = "processes"


def start_tick(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks since boot; None when there is no such live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # a zombie has exited; only its parent's wait() is missing
        return None
    return int(fields[19])


def alive(entry: dict[str, Any]) -> bool:
    return start_tick(int(entry["pid"])) == entry.get("start_time")


def spawn(host: Host, argv: Sequence[str], cwd: Path, env: dict[str, str], stdout: Path | None,
          stderr: Path | None, service: str | None = None) -> subprocess.Popen[bytes]:
    """Start ``argv`` for real (stdout/stderr appended to the files, as nssm's OPEN_ALWAYS + seek to end)."""
    handles: dict[Path, Any] = {}

    def open_log(path: Path | None) -> Any:
        if path is None:
            return subprocess.DEVNULL
        if path not in handles:
            handles[path] = path.open("ab")
        return handles[path]

    try:
        process = subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=open_log(stdout),
                                   stderr=open_log(stderr), start_new_session=True, close_fds=True)
    finally:
        for handle in handles.values():
            handle.close()
    entry = {"pid": process.pid, "start_time": start_tick(process.pid), "argv": list(argv), "cwd": str(cwd),
             "service": service, "started": time.time()}
    host.update_state(lambda s: s.setdefault(KEY, {}).__setitem__(str(process.pid), entry))
    return process


def entry_of(host: Host, pid: int) -> dict[str, Any] | None:
    return host.load_state().get(KEY, {}).get(str(pid))


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop(host: Host, pid: int, console_timeout_ms: int = 1500) -> bool:
    """Stop one recorded process as nssm does; returns True when it had to be killed (did not exit in time)."""
    entry = entry_of(host, pid)
    killed = False
    if entry is not None and alive(entry):
        _signal_group(pid, signal.SIGINT)
        deadline = time.monotonic() + max(console_timeout_ms, 0) / 1000
        while alive(entry) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(entry):
            killed = True
            _signal_group(pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while alive(entry) and time.monotonic() < deadline:
                time.sleep(0.05)
    host.update_state(lambda s: s.setdefault(KEY, {}).pop(str(pid), None))
    return killed


def listing(host: Host) -> list[dict[str, Any]]:
    """The recorded processes, each with ``alive``."""
    return [{**entry, "alive": alive(entry)} for entry in host.load_state().get(KEY, {}).values()]


def forget_dead(host: Host) -> list[dict[str, Any]]:
    """Drop the records of processes that have ended; services whose application is gone show
    SERVICE_STOPPED (as after a reboot of the machine that ran them). Returns the live ones."""
    live = [e for e in listing(host) if e["alive"]]
    live_pids = {e["pid"] for e in live}

    def apply(state: dict[str, Any]) -> None:
        state[KEY] = {str(e["pid"]): {k: v for k, v in e.items() if k != "alive"} for e in live}
        for record in state.get("services", {}).values():
            pid = (record.get("process") or {}).get("pid")
            if pid is not None and pid not in live_pids:
                record["status"] = "SERVICE_STOPPED"
                record["process"]["pid"] = None
    host.update_state(apply)
    return live


def stop_all(host: Host, console_timeout_ms: int = 1500) -> list[int]:
    """Stop every process of the host (tests' cleanup, scripts/site.sh before starting over); returns the pids
    that were still running. Services that ran them show SERVICE_STOPPED afterwards."""
    if not host.state_file.exists():
        return []
    running = [int(e["pid"]) for e in listing(host) if e["alive"]]
    for pid in running:
        stop(host, pid, console_timeout_ms)
    forget_dead(host)
    return running
