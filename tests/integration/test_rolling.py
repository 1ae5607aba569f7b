"""Rolling updates (issue 12, part 3): winflask.iis.site in batches, stopped by ONE failed health check.

ONE playbook run, on the main venv only (serial and max_fail_percentage are play keywords every supported
core handles alike): three bare emulated hosts, ``-e winflask_serial=2`` and no max_fail_percentage given, so
web1 and web2 are the first batch. web2's IIS rule points at a port where no app listens (its
``reverse_proxy_backend_url``), so its app answers on its own port but the health check THROUGH IIS gets 502.3:
that one host of two fails, and the default failure limit with serial set (0) stops the rollout (with ansible's
100 the second batch would start, as one healthy host is left), so web3 is not touched (no call reached it, its
files are byte-identical). web1, deployed side by side with web2, answers.

Each inventory host gets its own emulated host folder through its ``ansible_python_interpreter``: a
two-line wrapper that sets ``WINFLASK_EMULATOR_ROOT`` for that host and execs the venv's python. Every
module of the stand-in runs under the host's interpreter (the connection is ``local``), so nothing in the
emulator has to know about several hosts. Every process a host started is stopped at the end, pass or fail.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from playbook_run import REPO, ansible_env, app_port, create_host, read_calls, run_playbook, snapshot, venv_bin, venvs
from test_site_app import get
from winhost import Host
from winhost.front import ensure_running
from winhost.processes import stop_all

# One run, under the first venv chosen (main by default; scripts/test.sh runs this file on main only).
MAIN = venvs()[0]
HOSTS = ("web1", "web2", "web3")
FAILING = "web2"
SITE = REPO / "playbooks" / "site.yml"


def play_keywords() -> dict[str, Any]:
    return yaml.safe_load(SITE.read_text(encoding="utf-8"))[0]


@pytest.mark.parametrize(("extra", "serial", "max_fail"), [
    ({}, 0, 100),  # every host in one batch, no failure limit
    ({"winflask_serial": "0"}, 0, 100),  # -e winflask_serial=0 is a string: still one batch, no limit
    ({"winflask_serial": 1, "winflask_max_fail_percentage": 0}, 1, 0),
    ({"winflask_serial": 2}, 2, 0),  # serial set: stop at the first failed host, also inside a batch
    ({"winflask_serial": "30%"}, "30%", 0),
    ({"winflask_serial": [1, "50%"]}, [1, "50%"], 0),
    ({"winflask_serial": 2, "winflask_max_fail_percentage": 50}, 2, 50),
])
def test_serial_and_max_fail_percentage_come_from_variables(extra: dict[str, Any], serial: object,
                                                            max_fail: object) -> None:
    play = play_keywords()
    render = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string
    assert yaml.safe_load(render(play["serial"]).render(**extra)) == serial
    assert yaml.safe_load(render(play["max_fail_percentage"]).render(**extra)) == max_fail


@pytest.fixture
def roots(tmp_path: Path) -> Iterator[dict[str, Path]]:
    made = {name: tmp_path / name for name in HOSTS}
    yield made
    for root in made.values():
        if (root / "state.json").exists():
            stop_all(Host(root))


def inventory(path: Path, venv: Path, roots: dict[str, Path], ports: list[int], silent: int) -> Path:
    hosts: dict[str, Any] = {}
    for index, (name, root) in enumerate(roots.items()):
        wrapper = root.with_suffix(".python")
        wrapper.write_text(f"#!/bin/sh\nWINFLASK_EMULATOR_ROOT='{root}' exec '{venv_bin(venv, 'python')}' \"$@\"\n",
                           encoding="utf-8")
        wrapper.chmod(0o755)
        port = ports[index]
        backend = silent if name == FAILING else port  # nothing listens there: IIS answers 502.3
        hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": str(wrapper),
                       "flask_app_port": port, "reverse_proxy_backend_url": f"http://127.0.0.1:{backend}"}
    path.write_text(yaml.safe_dump({"all": {"children": {"windows": {"hosts": hosts}}}}), encoding="utf-8")
    return path


def test_rollout_stops_at_the_host_whose_check_through_iis_fails(tmp_path: Path, roots: dict[str, Path]) -> None:
    ports = [app_port() for _host in HOSTS]
    silent = app_port()
    for root in roots.values():
        create_host(MAIN, root, bare=True)
    untouched = snapshot(roots["web3"])
    checksums = subprocess.run([str(venv_bin(MAIN, "python")), "-m", "winhost", "extra-vars"], capture_output=True,
                               text=True, check=True).stdout
    env = ansible_env(MAIN, None, tmp_path)
    env.pop("WINFLASK_EMULATOR_ROOT", None)  # each host's interpreter names its own folder

    hosts = inventory(tmp_path / "inventory.yml", MAIN, roots, ports, silent)
    run = run_playbook(MAIN, "winflask.iis.site", hosts, env, ["-e", checksums, "-e", "winflask_serial=2"])

    assert run.rc == 2, run.failure_report()
    # web1 ran in the same batch as web2 (not before it): both reached the health check through IIS.
    assert "web1" in run.recap and run.recap["web1"]["failed"] == 0 and run.recap["web1"]["changed"] > 0, run.recap
    checked = next(block for block in run.stdout.split("\nTASK [")
                   if block.startswith("Ask the app for its health through IIS"))
    assert "ok: [web1]" in checked and f"fatal: [{FAILING}]" in checked, checked
    assert run.recap[FAILING]["failed"] == 1, run.recap
    assert "web3" not in run.recap, f"the rollout went on after {FAILING} failed: {run.recap}"
    failed = "\n".join(block for block in run.stdout.split("\nTASK [") if f"fatal: [{FAILING}]" in block)
    assert failed.startswith("Ask the app for its health through IIS"), run.failure_report()
    assert "502" in failed, failed

    # The first host is done and answers through its IIS; the second is deployed but not healthy;
    # the third, in the next batch, was never called.
    iis = ensure_running(Host(roots["web1"]))["*:80:"]
    status, body = get(f"http://127.0.0.1:{iis}/myApp/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}, (status, body)
    assert [c for c in read_calls(roots["web1"]) if c.get("kind") == "write"], "web1 was not deployed"
    assert get(f"http://127.0.0.1:{ports[1]}/myApp/health")[0] == 200, "web2's app should run"
    assert read_calls(roots["web3"]) == [], "web3 was called"
    assert snapshot(roots["web3"]) == untouched, "web3's files changed"
