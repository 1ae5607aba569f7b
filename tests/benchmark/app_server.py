"""Benchmark: the app as the flask_app role deploys it (waitress) against the blog post's Flask development server.

    .venv/main/bin/python tests/benchmark/app_server.py                     # 10, 100, 400 connections, 5 s each
    .venv/main/bin/python tests/benchmark/app_server.py --seconds 3 --concurrency 10 100
    .venv/main/bin/python tests/benchmark/app_server.py --waitress-arg=--threads --waitress-arg=4  # try a setting

Both servers run side by side in one run, each in its own process on a free loopback port:

- waitress: ``run_server.py`` with exactly the arguments the role hands to nssm (the role's defaults,
  rendered from roles/flask_app/tasks/main.yml and defaults/main.yml), only the port changed;
- the blog post's app: one Flask route served by ``app.run()`` (Flask's development server, threaded as
  Flask's default is since 1.0).

The load generator (asyncio, raw sockets, in this process; wrk is not in this machine's packages, and one
generator for both servers keeps the comparison fair) keeps N HTTP/1.1 connections busy for ``--seconds`` per
point, reconnecting whenever a server closes one, and prints requests/s, latency p50/p90/p99 and errors
(refused or reset connections, timeouts, answers other than 200). A last point goes beyond waitress'
``connection_limit`` (connection_limit + 100 connections, one request per connection): those connections must
wait in the listen backlog and be served, not fail. It is a figure, not a test: not run by scripts/test.sh, no
test asserts a time. Loopback only, bounded in time; every process it started is stopped, pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "flask_app"
FILES = ROLE / "files"
GOAL = 2.5  # times the development server's requests/s
REQUEST_TIMEOUT = 10.0

BLOG_APP = """
import sys
from flask import Flask
app = Flask(__name__)

@app.route("/myApp/")
def hello():
    return "Hello World!!!"

app.run(host="127.0.0.1", port=int(sys.argv[1]))
"""


def role_arguments() -> list[str]:
    """The service arguments the role builds (after the script path), from its defaults."""
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text(encoding="utf-8"))
    tasks = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text(encoding="utf-8"))
    facts = next(task["ansible.builtin.set_fact"] for task in tasks if "ansible.builtin.set_fact" in task)
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    _script, *arguments = [environment.from_string(item).render(**defaults)
                           for item in facts["flask_app_service_arguments"]]
    return arguments


def with_port(arguments: list[str], port: int) -> list[str]:
    changed = list(arguments)
    changed[changed.index("--port") + 1] = str(port)
    return changed


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@dataclass
class Point:
    completed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class Client(asyncio.Protocol):
    """One connection: sends the request again as soon as the whole answer is in (cheap parsing: the
    answers are small and carry a Content-Length)."""

    def __init__(self, request: bytes, point: Point, stop_at: float, closed: asyncio.Future[bool]) -> None:
        self.request, self.point, self.stop_at, self.closed = request, point, stop_at, closed
        self.buffer = b""
        self.started = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.send()

    def send(self) -> None:
        self.started = time.monotonic()
        assert self.transport is not None
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = self.buffer[:head_end].decode("latin-1").lower()
        length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0]) if "content-length:" in head else 0
        if len(self.buffer) < head_end + 4 + length:
            return
        self.buffer = self.buffer[head_end + 4 + length:]
        now = time.monotonic()
        if now <= self.stop_at:
            self.point.completed += 1
            self.point.latencies.append(now - self.started)
            if not head.startswith("http/1.1 200") and not head.startswith("http/1.0 200"):
                self.point.error(f"HTTP {head[9:12]}")
        keep = head.startswith("http/1.1") and "connection: close" not in head
        assert self.transport is not None
        if now < self.stop_at and keep:
            self.send()
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and time.monotonic() <= self.stop_at:
            self.point.error(type(exc).__name__)
        if not self.closed.done():
            self.closed.set_result(True)


async def client(port: int, path: str, stop_at: float, point: Point, close_each: bool) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"{'Connection: close' if close_each else 'Connection: keep-alive'}\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    while time.monotonic() < stop_at:
        closed: asyncio.Future[bool] = loop.create_future()
        try:
            await asyncio.wait_for(
                loop.create_connection(functools.partial(Client, request, point, stop_at, closed), "127.0.0.1", port),
                REQUEST_TIMEOUT)
            # Over when the server (or the client at stop time) closes the connection: then a new one.
            await asyncio.wait_for(closed, max(stop_at - time.monotonic(), 0) + REQUEST_TIMEOUT)
        except TimeoutError:
            point.error("timeout")
        except OSError as exc:
            point.error(type(exc).__name__)


async def load(port: int, path: str, connections: int, seconds: float, close_each: bool) -> Point:
    point = Point()
    started = time.monotonic()
    stop_at = started + seconds
    tasks = [asyncio.create_task(client(port, path, stop_at, point, close_each)) for _n in range(connections)]
    # A request in flight at the end gets REQUEST_TIMEOUT more; then the point is over whatever happens.
    done, pending = await asyncio.wait(tasks, timeout=seconds + 2 * REQUEST_TIMEOUT + 1)
    for task in pending:
        task.cancel()
    for task in done:
        failure = task.exception()
        if failure is not None:
            point.error(type(failure).__name__)
    point.seconds = seconds
    return point


def measure(port: int, path: str, connections: int, seconds: float, close_each: bool = False) -> Point:
    return asyncio.run(load(port, path, connections, seconds, close_each))


def row(name: str, connections: int, point: Point) -> str:
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted(point.errors.items())) or "0"
    return (f"| {name} | {connections} | {point.completed / point.seconds:,.0f} | {point.percentile(0.5):.1f} | "
            f"{point.percentile(0.9):.1f} | {point.percentile(0.99):.1f} | {errors} |")


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import flask
    import waitress

    waitress_version = getattr(waitress, "__version__", None) or _version("waitress")
    return (f"nproc {os.cpu_count()}, {model}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, Flask {_version('flask') or flask.__name__}, "
            f"waitress {waitress_version}")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def start(command: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run(args: argparse.Namespace) -> bool:
    arguments = role_arguments() + list(args.waitress_arg)
    waitress_port, flask_port = free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start([sys.executable, str(FILES / "run_server.py"), *with_port(arguments, waitress_port)],
                               FILES))
        blog = Path(args.work) / "blog_app.py"
        blog.write_text(BLOG_APP, encoding="utf-8")
        processes.append(start([sys.executable, str(blog), str(flask_port)], blog.parent))
        wait_for(waitress_port, processes[0])
        wait_for(flask_port, processes[1])
        print(f"machine: {machine()}")
        print(f"waitress: run_server.py {' '.join(with_port(arguments, waitress_port))}")
        print("flask: app.run() (development server, threaded)")
        print(f"{args.seconds:g} s per point, keep-alive connections, loopback\n")
        print("| server | connections | requests/s | p50 ms | p90 ms | p99 ms | errors |")
        print("|---|---|---|---|---|---|---|")
        ok = True
        for connections in args.concurrency:
            served = measure(waitress_port, "/myApp/", connections, args.seconds)
            dev = measure(flask_port, "/myApp/", connections, args.seconds)
            print(row("waitress (role)", connections, served))
            print(row("flask run", connections, dev))
            ratio = (served.completed / max(dev.completed, 1))
            passed = ratio >= GOAL and not served.errors
            ok = ok and passed
            verdict = "PASS" if passed else "FAIL"
            print(f"|  | ratio | {ratio:.1f}x | goal {GOAL}x, no waitress errors: {verdict} | | | |")
        limit = int(option(arguments, "--connection-limit"))
        beyond = limit + 100
        point = measure(waitress_port, "/myApp/", beyond, args.seconds, close_each=True)
        passed = not point.errors and point.completed > 0
        ok = ok and passed
        print(row(f"waitress, one request per connection, beyond connection_limit {limit}", beyond, point))
        print(f"\nbeyond connection_limit: {'PASS' if passed else 'FAIL'} (connections wait in the backlog, none fail)")
        return ok
    finally:
        for process in processes:
            stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each point (default 5)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 100, 400])
    parser.add_argument("--waitress-arg", action="append", default=[],
                        help="an extra run_server.py argument after the role's (repeat for each word)")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="winflask-bench-") as work:
        args.work = work
        return 0 if run(args) else 1


if __name__ == "__main__":
    sys.exit(main())
