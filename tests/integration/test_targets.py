"""Every integration target, on a fresh emulated Windows host, under each ansible-core version.

A target is a role-like folder ``tests/integration/targets/<name>/`` (ansible-test layout) with
``tasks/main.yml``; it checks its own results with ``ansible.builtin.assert``. For each target and
each venv (.venv/main = newest ansible-core, .venv/core-2.16 = oldest supported) this test lays out
a new emulated host, writes a two-line playbook applying the target as a role to it, runs
ansible-playbook and requires rc 0 with no failed or unreachable host.

The target's ``aliases`` file chooses the host:
  winflask/profile/<name>   emulated profile (server2022 | win11), default server2022
  winflask/bare             a bare host (``winhost create --bare``)
  hidden                    not run on its own (a dependency of other targets, like setup_*)
Folders named setup_* or prepare_* are dependencies too (ansible-test's convention).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playbook_run import (
    DEFAULT_PROFILE,
    TARGETS,
    ansible_env,
    create_host,
    run_playbook,
    venvs,
    write_inventory,
)


def aliases(target: Path) -> list[str]:
    path = target / "aliases"
    if not path.exists():
        return []
    return [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()]


def runnable_targets() -> list[Path]:
    if not TARGETS.is_dir():
        return []
    found = []
    for target in sorted(TARGETS.iterdir()):
        if not (target / "tasks" / "main.yml").is_file():
            continue
        if target.name.startswith(("setup_", "prepare_")) or "hidden" in aliases(target):
            continue
        found.append(target)
    return found


def host_options(target: Path) -> tuple[str, bool]:
    profile = DEFAULT_PROFILE
    bare = False
    for alias in aliases(target):
        if alias.startswith("winflask/profile/"):
            profile = alias.rsplit("/", 1)[1]
        elif alias == "winflask/bare":
            bare = True
    return profile, bare


# No target at all is a failure, not an empty (skipped) parameter set.
TARGET_LIST: list[Path | None] = [*runnable_targets()] or [None]
VENV_LIST = venvs()


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
@pytest.mark.parametrize("target", TARGET_LIST, ids=[t.name if t else "none" for t in TARGET_LIST])
def test_target(target: Path | None, venv: Path, tmp_path: Path) -> None:
    assert target is not None, f"no integration targets found under {TARGETS} (each needs tasks/main.yml)"
    profile, bare = host_options(target)
    root = create_host(venv, tmp_path / "host", profile=profile, bare=bare)
    inventory = write_inventory(tmp_path / "inventory.yml", f"emulated-{profile}")
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        f"---\n- name: Integration target {target.name}\n  hosts: windows\n  gather_facts: false\n"
        f"  roles:\n    - role: {target.name}\n",
        encoding="utf-8",
    )
    run = run_playbook(venv, playbook, inventory, ansible_env(venv, root, tmp_path))

    assert run.rc == 0, run.failure_report()
    host = f"emulated-{profile}"
    assert host in run.recap, f"no PLAY RECAP line for {host}\n{run.failure_report()}"
    assert run.recap[host]["failed"] == 0 and run.recap[host]["unreachable"] == 0, run.failure_report()
    assert run.recap[host]["ok"] > 0, f"target {target.name} ran no task\n{run.failure_report()}"
