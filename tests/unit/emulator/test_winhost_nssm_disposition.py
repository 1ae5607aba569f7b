"""The emulated nssm opens its log files as nssm does (io.cpp get_output_handles at every app start):
CreateFile with AppStdoutCreationDisposition / AppStderrCreationDisposition, default OPEN_ALWAYS (append),
CREATE_ALWAYS (2) empties the file; stderr in stdout's file takes stdout's disposition."""

from __future__ import annotations

import pytest
from winhost import Host, nssm, services

EXE = "C:\\Program Files\\nssm\\nssm.exe"
APP = "C:\\apps\\myapp\\run_server.bat"
OUT = "C:\\apps\\myapp\\logs\\out.log"
ERR = "C:\\apps\\myapp\\logs\\err.log"
OLD = b"line from the last run\r\n"


@pytest.fixture
def exe(host: Host) -> nssm.Nssm:
    host.write_bytes(EXE, nssm.fake_exe())
    host.write_bytes(APP, b"@echo off\r\nrem winhost: stderr Traceback of this run\r\nrem winhost: exit 1\r\n")
    host.local_path("C:\\apps\\myapp\\logs").mkdir(parents=True)
    runner = nssm.Nssm(host, EXE)
    assert runner.run(["install", "myapp", APP]).exit_code == 0
    for param, value in (("AppStdout", OUT), ("AppStderr", ERR)):
        assert runner.run(["set", "myapp", param, value]).exit_code == 0
        host.write_bytes(value, OLD)
    return runner


def start(host: Host, exe: nssm.Nssm) -> None:
    assert exe.run(["start", "myapp"]).exit_code == 0
    assert services.get(host, "myapp")["status"] == services.PAUSED


def test_default_open_always_keeps_the_last_run(host, exe):
    start(host, exe)
    assert host.read_bytes(ERR) == OLD + b"Traceback of this run\r\n"
    assert host.read_bytes(OUT) == OLD


def test_create_always_empties_each_file_at_the_start(host, exe):
    for param in ("AppStdoutCreationDisposition", "AppStderrCreationDisposition"):
        assert exe.run(["set", "myapp", param, "2"]).exit_code == 0
    start(host, exe)
    assert host.read_bytes(ERR) == b"Traceback of this run\r\n"
    assert host.read_bytes(OUT) == b""


def test_stderr_in_stdout_file_uses_stdout_disposition(host, exe):
    exe.run(["set", "myapp", "AppStderr", OUT])
    exe.run(["set", "myapp", "AppStderrCreationDisposition", "2"])  # ignored: the file is stdout's
    start(host, exe)
    assert host.read_bytes(OUT) == OLD + b"Traceback of this run\r\n"


@pytest.mark.parametrize("disposition, exists", [(1, True), (3, False), (5, False)])
def test_a_create_file_that_fails_stops_the_service(host, exe, disposition, exists):
    """1 CREATE_NEW on an existing file, 3 OPEN_EXISTING / 5 TRUNCATE_EXISTING on a missing one."""
    exe.run(["set", "myapp", "AppStdoutCreationDisposition", str(disposition)])
    if not exists:
        host.local_path(OUT).unlink()
    assert exe.run(["start", "myapp"]).exit_code == 1
    assert services.get(host, "myapp")["status"] == services.STOPPED
    assert host.local_path(OUT).exists() is exists
