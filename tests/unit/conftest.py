"""Shared pytest fixtures for the unit tests (run on .venv/main and .venv/core-2.16).

- The collection is importable as ``ansible_collections.winflask.iis`` (a symlink to the
  repository under a temporary ``ansible_collections`` tree, first on ``sys.path``), so the tests
  run from a plain checkout without scripts/setup.sh having laid out ``.build/collections``.
- ``repo_root``: the repository (= collection root) as a Path.
- ``emulated_host``: a factory that lays out a fresh emulated Windows host with
  ``python -m winhost create`` in the test's tmp_path and returns its root.
- ``emulator_calls``: reads ``<root>/calls.jsonl`` (one dict per call the host received).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _make_collection_importable() -> None:
    root = Path(tempfile.mkdtemp(prefix="winflask-collections-"))
    (root / "ansible_collections" / "winflask").mkdir(parents=True)
    os.symlink(REPO, root / "ansible_collections" / "winflask" / "iis")
    sys.path.insert(0, str(root))


_make_collection_importable()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def emulated_host(tmp_path: Path) -> Callable[..., Path]:
    """Return ``make(profile="server2022", bare=False) -> Path`` creating a fresh emulated host."""
    counter = 0

    def make(profile: str = "server2022", bare: bool = False) -> Path:
        nonlocal counter
        counter += 1
        root = tmp_path / f"host{counter}-{profile}"
        command = [sys.executable, "-m", "winhost", "create", "--profile", profile, "--root", str(root)]
        if bare:
            command.append("--bare")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (
            f"could not create the emulated host ({' '.join(command)}): rc={done.returncode}\n"
            f"{done.stdout}\n{done.stderr}\n(is tests/emulator installed? run scripts/setup.sh)")
        return root

    return make


def read_calls(root: Path) -> list[dict[str, Any]]:
    """The calls an emulated host received, in order (docs/architecture.md section 4)."""
    log = root / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def emulator_calls() -> Callable[[Path], list[dict[str, Any]]]:
    return read_calls
