"""Helpers for the sample app tests: its modules importable, and run_server.py started as a
real waitress server in a subprocess on a free loopback port."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

# Importing the app here must not leave __pycache__ in the role's files/ (the role copies them).
sys.dont_write_bytecode = True
APP_DIR = Path(__file__).resolve().parents[3] / "roles" / "flask_app" / "files"
sys.path.insert(0, str(APP_DIR))

START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0
SERVING = re.compile(r"serving http://127\.0\.0\.1:(\d+)/")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def get(self, path: str, headers: dict[str, str] | None = None, source: str = "127.0.0.1") -> Response:
        """GET over a real TCP connection from ``source`` (any 127.x address is loopback on Linux)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        try:
            connection.request("GET", path, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
            raise AssertionError(f"server did not stop within {STOP_TIMEOUT}s after {sig!r}") from None
        self.drain()
        return code

    def drain(self, timeout: float = 2.0) -> list[str]:
        """Collect the output lines read so far (all of them once the process has ended)."""
        while True:
            try:
                line = self._queue.get(timeout=timeout if self.process.poll() is not None else 0.05)
            except queue.Empty:
                return self.lines
            if line is None:
                return self.lines
            self.lines.append(line)


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))
    lines.put(None)


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WINFLASK_APP_")}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-u", str(APP_DIR / "run_server.py"), *args],
        cwd=APP_DIR, env=environment, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )


def start(*args: str, env: dict[str, str] | None = None) -> RunningServer:
    """Run run_server.py (``--port 0`` unless a port is given) and wait for its "serving" line."""
    argv = list(args)
    if "--port" not in argv and "WINFLASK_APP_PORT" not in (env or {}):
        argv += ["--port", "0"]
    process = spawn(argv, env)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            process.kill()
            raise AssertionError(f"no 'serving' line within {START_TIMEOUT}s: {seen}") from None
        if line is None:
            process.wait(timeout=STOP_TIMEOUT)
            raise AssertionError(f"server exited with {process.returncode} before serving: {seen}")
        seen.append(line)
        match = SERVING.search(line)
        if match:
            break
    return RunningServer(process, int(match.group(1)), seen, lines)
