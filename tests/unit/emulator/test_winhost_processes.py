"""Real processes behind emulated nssm services, and win_uri's real loopback requests."""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
from collections.abc import Iterator

import pytest
from winhost import Host, nssm, services
from winhost.nssm_scripts import nssm_apply
from winhost.processes import alive, listing, stop_all
from winhost.programs import resolve, run
from winhost.webrequest import win_uri
from winhost.winfiles import ModuleFailure

NSSM = "C:\\Program Files\\nssm\\nssm.exe"
APP_DIR = "C:\\apps\\svc"
SERVER = """import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"status": "ok"}'
        self.send_response(200 if self.path == '/health' else 404)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(body)
print('listening', flush=True)
http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def svc_host(bare_host: Host) -> Iterator[Host]:
    bare_host.write_bytes(NSSM, nssm.fake_exe())
    py = resolve(bare_host, "python")
    run(bare_host, py, ["-m", "venv", f"{APP_DIR}\\venv"], "C:\\")
    bare_host.write_bytes(f"{APP_DIR}\\server.py", SERVER.encode())
    bare_host.write_bytes(f"{APP_DIR}\\crash.py", b"import sys; print('boom', file=sys.stderr); sys.exit(4)\n")
    bare_host.local_path(f"{APP_DIR}\\logs").mkdir(parents=True)
    yield bare_host
    stop_all(bare_host)


def install(host: Host, script: str, *args: str) -> None:
    exe = nssm.Nssm(host, NSSM)
    lines = [["install", "svc", f"{APP_DIR}\\venv\\Scripts\\python.exe", f"{APP_DIR}\\{script}", *args],
             ["set", "svc", "AppDirectory", APP_DIR],
             ["set", "svc", "AppStdout", f"{APP_DIR}\\logs\\out.log"],
             ["set", "svc", "AppStderr", f"{APP_DIR}\\logs\\err.log"]]
    for line in lines:
        assert exe.run_line(subprocess.list2cmdline(line)).exit_code == 0


def test_service_runs_the_real_app_until_stopped(svc_host: Host) -> None:
    port = free_port()
    install(svc_host, "server.py", str(port))
    assert services.start(svc_host, "svc") == services.RUNNING
    record = services.get(svc_host, "svc")
    entry = next(e for e in listing(svc_host) if e["pid"] == record["process"]["pid"])
    assert alive(entry) and entry["cwd"].endswith("/C/apps/svc") and entry["service"] == "svc"
    assert svc_host.read_bytes(f"{APP_DIR}\\logs\\out.log") == b"listening\n"

    result = win_uri(svc_host, {"url": f"http://127.0.0.1:{port}/health", "return_content": True}, False)
    assert result["status_code"] == 200 and result["json"] == {"status": "ok"}
    assert result["content_type"] == "application/json"
    with pytest.raises(ModuleFailure, match="Status code of request '404' is not in list of valid status codes 200 "
                                            ": NotFound'"):
        win_uri(svc_host, {"url": f"http://localhost:{port}/other"}, False)

    services.stop(svc_host, "svc")
    assert not alive(entry) and services.get(svc_host, "svc")["status"] == services.STOPPED
    with pytest.raises(ModuleFailure, match="Unable to connect to the remote server"):
        win_uri(svc_host, {"url": f"http://127.0.0.1:{port}/health"}, False)


def test_an_app_that_exits_at_once_is_throttled(svc_host: Host) -> None:
    install(svc_host, "crash.py")
    assert services.start(svc_host, "svc") == services.PAUSED
    record = services.get(svc_host, "svc")
    assert record["process"]["pid"] is None and record["process"]["exit_code"] == 4
    assert svc_host.read_bytes(f"{APP_DIR}\\logs\\err.log") == b"boom\n"
    request = {"name": "svc", "executable": NSSM, "commands": [], "control": "restart", "created": False,
               "control_lines": {"start": "start svc", "stop": "stop svc", "restart": "restart svc",
                                 "remove": "remove svc confirm"}, "logs": [f"{APP_DIR}\\logs\\err.log"]}
    with pytest.raises(Exception, match="did not stay running") as failed:
        nssm_apply(svc_host, request, False)
    assert any(line.endswith("err.log: boom") for line in failed.value.details["log_tail"])


def test_stop_all_and_removal_end_every_process(svc_host: Host) -> None:
    install(svc_host, "server.py", str(free_port()))
    services.start(svc_host, "svc")
    entry = listing(svc_host)[0]
    services.delete(svc_host, "svc")
    assert not alive(entry) and listing(svc_host) == []
    install(svc_host, "server.py", str(free_port()))
    services.start(svc_host, "svc")
    pid = services.get(svc_host, "svc")["process"]["pid"]
    assert stop_all(svc_host) == [pid] and stop_all(svc_host) == []
    assert services.get(svc_host, "svc")["status"] == services.STOPPED


@pytest.mark.parametrize("url", ["http://example.com/", "http://10.0.0.1:50100/", "file:///etc/passwd"])
def test_win_uri_refuses_anything_but_loopback(bare_host: Host, url: str) -> None:
    with pytest.raises(ModuleFailure, match="only reaches the emulated host's loopback network"):
        win_uri(bare_host, {"url": url}, False)


def test_win_uri_sends_method_headers_and_body(bare_host: Host) -> None:
    seen: dict[str, object] = {}

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.update(path=self.path, host=self.headers["X-Original-Host"],
                        body=self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        result = win_uri(bare_host, {"url": f"http://127.0.0.1:{server.server_port}/x", "method": "post",
                                     "headers": {"X-Original-Host": "public.example"}, "body": {"a": 1},
                                     "status_code": [201]}, False)
    finally:
        thread.join(5)
        server.server_close()
    assert result["status_code"] == 201
    assert seen == {"path": "/x", "host": "public.example", "body": b'{"a":1}'}
