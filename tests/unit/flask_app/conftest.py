"""Fixtures for the sample app (roles/flask_app/files) tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sample_server import STOP_TIMEOUT, RunningServer, start


@pytest.fixture
def start_server() -> Iterator[Callable[..., RunningServer]]:
    """``start_server(*args, env={...})`` runs a real server; all are stopped at teardown."""
    started: list[RunningServer] = []

    def start_tracked(*args: str, env: dict[str, str] | None = None) -> RunningServer:
        server = start(*args, env=env)
        started.append(server)
        return server

    yield start_tracked
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=STOP_TIMEOUT)
