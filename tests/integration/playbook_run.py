"""Run ansible-playbook against an emulated Windows host and read what happened.

Shared by the integration tests (test_targets.py, test_site.py, test_docs.py). No pytest here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
INTEGRATION = REPO / "tests" / "integration"
TARGETS = INTEGRATION / "targets"
STAND_IN_COLLECTIONS = REPO / "tests" / "emulator" / "collections"
COLLECTIONS = REPO / ".build" / "collections"
EMULATED_INVENTORY = INTEGRATION / "inventory.emulated.yml"
DEFAULT_PROFILE = "server2022"
VENV_NAMES = ("main", "core-2.16")

RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)
HEADER = re.compile(r"^(PLAY \[|TASK \[|RUNNING HANDLER \[|PLAY RECAP)")


# Ports for the apps the tests start: below Linux's ephemeral range (net.ipv4.ip_local_port_range,
# 32768-60999 by default), where every bind to port 0 (the emulated IIS front end's bindings, a client's
# source port) lands, so no other socket of the run is ever handed one. Each pytest-xdist worker has
# its own block of APP_PORT_BLOCK and each call its own port in it: two tests running at once never
# share one (a fixed port per test file did: two files both chose 50131).
APP_PORT_BASE = 20000
APP_PORT_BLOCK = 200
_app_ports_given = 0


def port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def app_port() -> int:
    """A loopback port nothing listens on, for one test's app (or for a back end that must stay silent)."""
    global _app_ports_given  # pylint: disable=global-statement
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    while _app_ports_given < APP_PORT_BLOCK:
        port = APP_PORT_BASE + index * APP_PORT_BLOCK + _app_ports_given
        _app_ports_given += 1
        if port_free(port):
            return port
    raise AssertionError(f"no free loopback port left in worker {worker}'s block from "
                         f"{APP_PORT_BASE + index * APP_PORT_BLOCK}")


def venvs() -> list[Path]:
    """The virtual environments to run ansible under (WINFLASK_TEST_VENVS=main,core-2.16 to choose)."""
    names = os.environ.get("WINFLASK_TEST_VENVS", ",".join(VENV_NAMES)).split(",")
    return [REPO / ".venv" / name.strip() for name in names if name.strip()]


def venv_bin(venv: Path, tool: str) -> Path:
    path = venv / "bin" / tool
    if not path.exists():
        raise AssertionError(f"{path} not found: run scripts/setup.sh")
    return path


def create_host(venv: Path, root: Path, profile: str = DEFAULT_PROFILE, bare: bool = False) -> Path:
    """Lay out a fresh emulated Windows host with ``python -m winhost create``."""
    command = [str(venv_bin(venv, "python")), "-m", "winhost", "create", "--profile", profile, "--root", str(root)]
    if bare:
        command.append("--bare")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed (rc={done.returncode}):\n{done.stdout}\n{done.stderr}")
    return root


def ansible_env(venv: Path, host_root: Path | None, work: Path, emulated: bool = True) -> dict[str, str]:
    """Environment for an ansible run: the stand-in ansible.windows first when ``emulated``."""
    env = dict(os.environ)
    paths = [str(COLLECTIONS)]
    if emulated:
        paths.insert(0, str(STAND_IN_COLLECTIONS))
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(paths),
        "ANSIBLE_ROLES_PATH": str(TARGETS),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "yaml",
        "ANSIBLE_LOCAL_TEMP": str(work / "ansible-local"),
        "ANSIBLE_REMOTE_TEMP": str(work / "ansible-remote"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.pop("ANSIBLE_CONFIG", None)
    if host_root is not None:
        env["WINFLASK_EMULATOR_ROOT"] = str(host_root)
    return env


@dataclass
class Run:
    command: list[str]
    rc: int
    stdout: str
    stderr: str
    recap: dict[str, dict[str, int]] = field(default_factory=dict)

    def failure_report(self) -> str:
        """The failing tasks' output (or the whole tail when no task failed), for assertion messages."""
        blocks = failed_blocks(self.stdout)
        body = "\n".join(blocks) if blocks else "\n".join(self.stdout.splitlines()[-60:])
        return (f"$ {' '.join(self.command)}\nrc={self.rc}\n--- failing output ---\n{body}\n"
                f"--- stderr ---\n{self.stderr[-4000:]}")


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    recap: dict[str, dict[str, int]] = {}
    tail = stdout.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in stdout else ""
    for match in RECAP.finditer(tail):
        values = match.groupdict()
        host = values.pop("host")
        recap[host] = {key: int(value) for key, value in values.items()}
    return recap


def failed_blocks(stdout: str) -> list[str]:
    """Each TASK/HANDLER block of the output that holds a 'fatal:'/'failed:' result or an error."""
    blocks: list[list[str]] = [[]]
    for line in stdout.splitlines():
        if HEADER.match(line):
            blocks.append([])
        blocks[-1].append(line)
    markers = ("fatal: [", "failed: [", "ERROR!", "[ERROR]")
    return ["\n".join(block) for block in blocks
            if any(line.lstrip().startswith(markers) for line in block)]


def run_playbook(venv: Path, playbook: str | Path, inventory: Path, env: dict[str, str],
                 extra: list[str] | None = None, cwd: Path | None = None) -> Run:
    command = [str(venv_bin(venv, "ansible-playbook")), "-i", str(inventory), str(playbook), *(extra or [])]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd or REPO,
                          check=False, timeout=900)
    return Run(command, done.returncode, done.stdout, done.stderr, parse_recap(done.stdout))


def read_calls(root: Path) -> list[dict[str, Any]]:
    """The calls the emulated host received (docs/architecture.md section 4)."""
    log = root / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_inventory(path: Path, host: str) -> Path:
    path.write_text(
        "---\nall:\n  children:\n    windows:\n      hosts:\n"
        f"        {host}:\n          ansible_connection: local\n"
        '          ansible_python_interpreter: "{{ ansible_playbook_python }}"\n',
        encoding="utf-8",
    )
    return path


def write_play(path: Path, tasks: list[dict[str, Any]], name: str = "test") -> Path:
    """A playbook of one play of ``tasks`` on the inventory's windows group, without fact gathering."""
    path.write_text(json.dumps([{"name": name, "hosts": "windows", "gather_facts": False, "tasks": tasks}]),
                    encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file of the emulated host except the call log: compare before and after a run."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "calls.jsonl"}


def run_tasks(venv: Path, root: Path, work: Path, tasks: list[tuple[str, dict[str, Any]]],
              host: str = f"emulated-{DEFAULT_PROFILE}") -> list[dict[str, Any]]:
    """One play of one task per (winflask.iis module name, options), each with ignore_errors; returns the
    task results in order. The playbook is written as JSON (which is YAML), so control characters in the
    options reach the module as they are."""
    results = work / "results.json"
    book = [{"name": f"task {n}", f"winflask.iis.{module}": options, "register": f"task_{n}", "ignore_errors": True}
            for n, (module, options) in enumerate(tasks)]
    collected = "{{ [" + ", ".join(f"task_{n}" for n in range(len(tasks))) + "] | to_json }}"
    book.append({"name": "Keep the results", "delegate_to": "localhost",
                 "ansible.builtin.copy": {"content": collected, "dest": str(results), "mode": "0644"}})
    playbook = work / "tasks.json"
    playbook.write_text(json.dumps([{"name": "tasks", "hosts": "windows", "gather_facts": False, "tasks": book}]),
                        encoding="utf-8")
    done = run_playbook(venv, playbook, write_inventory(work / "inventory.yml", host), ansible_env(venv, root, work))
    if done.rc != 0:
        raise AssertionError(done.failure_report())
    return json.loads(results.read_text(encoding="utf-8"))
