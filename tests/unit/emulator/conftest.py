"""Fixtures for the emulator's own tests: fresh emulated hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from winhost import Host


@pytest.fixture
def host(tmp_path: Path) -> Host:
    return Host.create(tmp_path / "host", profile="server2022")


@pytest.fixture
def bare_host(tmp_path: Path) -> Host:
    return Host.create(tmp_path / "bare", profile="server2022", bare=True)
