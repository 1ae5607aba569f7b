"""The whole brief on a bare emulated Windows Server 2022 host: winflask.iis.site deploys the Flask app,
runs it as an nssm service (a REAL waitress process on the controller's loopback) and the app answers,
straight and through the emulated IIS (winhost.front: the site's live rules, then ARR's proxy), end to end:
the app sees the client's address without a port, the client's Host and http, never a client's own
forwarding headers as trusted values; the app stopped gives 502.3, ARR's proxy off gives 404.

The port is not the default 50100 (a user's `scripts/site.sh` app may hold it): playbook_run.app_port()'s,
passed to both the app (flask_app_port) and the IIS rule (reverse_proxy_backend_url). Every process the
host started is stopped by the fixture's finalizer (``winhost.processes.stop_all``), pass or fail.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playbook_run import (
    EMULATED_INVENTORY, Run, ansible_env, app_port, create_host, port_free, read_calls, run_playbook, venv_bin, venvs)
from test_site import assert_reverse_proxy_configured
from winhost import Host
from winhost.front import SERVICE as W3SVC
from winhost.front import ensure_running
from winhost import services
from winhost.processes import alive, listing, stop_all

HOST = "emulated-server2022"
SERVICE = "winflask-myapp"
VENV_LIST = venvs()


def extra_vars(venv: Path, port: int) -> list[str]:
    checksums = subprocess.run([str(venv_bin(venv, "python")), "-m", "winhost", "extra-vars"], capture_output=True,
                               text=True, check=True).stdout
    return ["-e", checksums, "-e", f"flask_app_port={port}", "-e", f"reverse_proxy_backend_url=http://127.0.0.1:{port}"]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:  # IIS's error pages (404, 502.3) are answers too
        with exc:
            return exc.code, exc.read().decode()


def assert_through_iis(iis: str, port: int) -> None:
    """Real HTTP to the emulated IIS, on to the app: what the rule and ARR hand the app."""
    assert get(f"{iis}/myApp/help?x=1") == (200, "This is the Help Page")
    # The client's own X-Forwarded-Proto / X-Original-Host are overwritten by the rule, and the app takes
    # only the last X-Forwarded-For hop (ARR's, without the port: includePortInXForwardedFor false).
    for claimed in ({}, {"X-Forwarded-Proto": "https", "X-Original-Host": "evil.example",
                         "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"}):
        status, body = get(f"{iis}/myApp/whoami", {"Host": "www.example.com", **claimed})
        assert status == 200, body
        assert json.loads(body) == {"remote_addr": "127.0.0.1", "scheme": "http", "host": "www.example.com",
                                    "url_root": "http://www.example.com/myApp/"}, (claimed, body)
    assert f"127.0.0.1:{port}" not in get(f"{iis}/myApp/whoami")[1], "the app saw the back-end address as host"


def rerun_site_changes_nothing(venv: Path, root: Path, env: dict[str, str], extra: list[str]) -> Run:
    """site.yml once more on a converged host: rc 0, changed=0 and no write sent to the host."""
    calls_before = read_calls(root)
    again = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, env, extra)
    assert again.rc == 0, again.failure_report()
    assert again.recap[HOST]["changed"] == 0, f"second run changed something\n{again.stdout[-6000:]}"
    writes = [c for c in read_calls(root)[len(calls_before):] if c.get("kind") == "write"]
    assert not writes, f"second run wrote to the host: {writes}"
    return again


@pytest.fixture
def host_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "host"
    yield root
    if (root / "state.json").exists():
        stop_all(Host(root))


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_site_deploys_a_running_app(venv: Path, tmp_path: Path, host_root: Path) -> None:
    port = app_port()
    root = create_host(venv, host_root, bare=True)
    env = ansible_env(venv, root, tmp_path)
    extra = extra_vars(venv, port)

    first = run_playbook(venv, "winflask.iis.site", EMULATED_INVENTORY, env, extra)
    assert first.rc == 0, first.failure_report()
    assert first.recap[HOST]["changed"] > 0 and first.recap[HOST]["failed"] == 0

    # The app answers for real, on the port the IIS rule forwards to.
    base = f"http://127.0.0.1:{port}/myApp"
    assert get(f"{base}/") == (200, "Hello World!!!")
    assert get(f"{base}/help") == (200, "This is the Help Page")
    status, body = get(f"{base}/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    # What ARR sends after the rule (X-Original-Host and X-Forwarded-Proto overwritten), whatever the
    # client claimed in X-Forwarded-Host.
    seen = json.loads(get(f"{base}/whoami", {"X-Original-Host": "public.example", "X-Forwarded-Proto": "http",
                                             "X-Forwarded-Host": "evil.example"})[1])
    assert seen["host"] == "public.example" and seen["url_root"] == "http://public.example/myApp/"
    assert_reverse_proxy_configured(root, f"http://127.0.0.1:{port}")

    host = Host(root)
    # site.yml's last health check went through the emulated IIS: its server is running.
    iis = f"http://127.0.0.1:{ensure_running(host)['*:80:']}"
    assert_through_iis(iis, port)
    service = host.load_state()["services"][SERVICE]
    assert_service(service, port)
    pid = service["process"]["pid"]
    stdout_log = root / "C/apps/myApp/logs/stdout.log"
    assert f"serving http://127.0.0.1:{port}/myApp/" in stdout_log.read_text(encoding="utf-8")
    installed = host.load_state()["python"]["environments"]["C:\\apps\\myApp\\venv"]["packages"]
    assert {"Flask", "waitress"} <= set(installed)

    rerun_site_changes_nothing(venv, root, env, extra)
    again = host.load_state()["services"][SERVICE]
    assert again["status"] == "SERVICE_RUNNING" and again["process"]["pid"] == pid, "the app was restarted"
    assert get(f"{base}/") == (200, "Hello World!!!")

    entry_of_app = next(e for e in listing(host) if e["pid"] == pid)
    # ARR's proxy switched off (as in IIS Manager): the Rewrite to an absolute URL is not proxied, 404.
    apphost = root / "C/Windows/System32/inetsrv/config/applicationHost.config"
    text = apphost.read_text(encoding="utf-8")
    apphost.write_text(text.replace('<proxy enabled="true"', '<proxy enabled="false"', 1), encoding="utf-8")
    status, body = get(f"{iis}/myApp/")
    assert status == 404 and "404" in body, (status, body)
    apphost.write_text(text, encoding="utf-8")
    assert get(f"{iis}/myApp/") == (200, "Hello World!!!")

    # The app's service stopped (Stop-Service): ARR cannot reach the app, 502.3.
    services.stop(host, SERVICE)
    assert not alive(entry_of_app) and port_free(port)
    status, body = get(f"{iis}/myApp/")
    assert status == 502 and "502.3" in body, (status, body)

    # Cleanup leaves nothing running: the emulated W3SVC stops too and its port closes.
    entries = listing(host)
    assert [e.get("service") for e in entries] == [W3SVC]
    assert stop_all(host) == [entries[0]["pid"]]
    assert not alive(entries[0]) and port_free(int(iis.rsplit(":", 1)[1]))
    assert host.load_state()["services"][SERVICE]["status"] == "SERVICE_STOPPED"
    assert "received signal SIGINT, stopping" in stdout_log.read_text(encoding="utf-8")


def assert_service(service: dict, port: int) -> None:
    """The brief's service: venv python running run_server.py, logs in <app>\\logs rotated daily or at 1 MiB."""
    assert service["status"] == "SERVICE_RUNNING"
    assert service["values"]["Start"] == 2 and "DelayedAutostart" not in service["values"]
    params = service["parameters"]
    assert params["Application"] == "C:\\apps\\myApp\\venv\\Scripts\\python.exe"
    assert params["AppDirectory"] == "C:\\apps\\myApp"
    assert params["AppParameters"].startswith("C:\\apps\\myApp\\run_server.py --host 127.0.0.1 --port "
                                              f"{port} --prefix /myApp")
    assert "--host-header x-original-host" in params["AppParameters"]
    assert params["AppStdout"] == "C:\\apps\\myApp\\logs\\stdout.log"
    assert params["AppStderr"] == "C:\\apps\\myApp\\logs\\stderr.log"
    assert (params["AppRotateFiles"], params["AppRotateOnline"]) == (1, 1)
    assert (params["AppRotateSeconds"], params["AppRotateBytes"]) == (86400, 1048576)
