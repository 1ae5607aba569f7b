"""Programs on the emulated host: win_command's resolution and errors, python.exe, venv, pip."""

from __future__ import annotations

import pytest
from winhost import Host, python
from winhost.pip import installed
from winhost.programs import CreateProcessError, resolve, run, run_logged

VENV = "C:\\apps\\myApp\\venv"
VENV_PY = f"{VENV}\\Scripts\\python.exe"
REQS = "C:\\apps\\myApp\\requirements.txt"


@pytest.fixture
def py(bare_host: Host) -> str:
    exe = resolve(bare_host, "python")
    assert exe == f"{python.install_dir(python.controller_version())}\\python.exe"
    return exe


def test_every_host_gets_python_on_the_machine_path(bare_host: Host, py: str) -> None:
    path = bare_host.load_state()["environment"]["Path"].split(";")
    home = python.install_dir(python.controller_version())
    assert path[:2] == [f"{home}\\Scripts\\", f"{home}\\"]
    done = run(bare_host, py, ["--version"], "C:\\")
    assert (done.rc, done.stdout) == (0, f"Python {python.controller_version()}\r\n")


def test_c_code_runs_for_real_with_crlf_output(bare_host: Host, py: str) -> None:
    done = run(bare_host, py, ["-c", "import sys; print(sys.argv[1]); print('two'); sys.exit(3)", "one"], "C:\\")
    assert (done.rc, done.stdout, done.changed) == (3, "one\r\ntwo\r\n", False)


def test_missing_programs_fail_like_createprocess(bare_host: Host) -> None:
    assert resolve(bare_host, "nosuch") == "nosuch.exe"
    with pytest.raises(CreateProcessError) as relative:
        run(bare_host, "nosuch.exe", [], "C:\\")
    with pytest.raises(CreateProcessError) as no_folder:
        run(bare_host, "C:\\NoPython\\python.exe", [], "C:\\")
    bare_host.write_bytes("C:\\tools\\tool.exe", b"not a PE image")
    with pytest.raises(CreateProcessError) as not_exe:
        run(bare_host, "C:\\tools\\tool.exe", [], "C:\\")
    assert (relative.value.code, no_folder.value.code, not_exe.value.code) == (2, 3, 193)
    assert "The system cannot find the file specified, Win32ErrorCode 2 - 0x00000002" in str(relative.value)


def test_win_command_reports_rc_2_and_logs_a_read(bare_host: Host) -> None:
    result = run_logged(bare_host, {"argv": ["python3x", "-V"]})
    assert result["failed"] and result["rc"] == 2
    assert result["msg"].startswith("Failed to run: 'python3x.exe -V': Exception calling \"CreateProcess\"")
    assert bare_host.calls()[-1]["kind"] == "read" and bare_host.calls()[-1]["failed"]


def test_unknown_option_fails_like_python(bare_host: Host, py: str) -> None:
    done = run(bare_host, py, ["-Z"], "C:\\")
    assert done.rc == 2 and done.stderr.startswith("Unknown option: -Z\r\nusage: python.exe")


def test_venv_is_windows_shaped_and_skipped_by_creates(bare_host: Host, py: str) -> None:
    first = run_logged(bare_host, {"argv": [py, "-m", "venv", VENV], "creates": VENV_PY})
    assert first["rc"] == 0 and bare_host.calls()[-1]["kind"] == "write"
    cfg = bare_host.read_bytes(f"{VENV}\\pyvenv.cfg").decode()
    home = python.install_dir(python.controller_version())
    assert f"home = {home}\r\n" in cfg and "include-system-site-packages = false\r\n" in cfg
    for name in ("Scripts\\python.exe", "Scripts\\pip.exe", "Scripts\\activate.bat", "Lib\\site-packages"):
        assert bare_host.exists(f"{VENV}\\{name}"), name
    assert set(installed(bare_host, f"{VENV}\\Lib\\site-packages")) == {"pip"}
    second = run_logged(bare_host, {"argv": [py, "-m", "venv", VENV], "creates": VENV_PY})
    assert second["skipped"] and bare_host.calls()[-1]["kind"] == "skipped"


def test_venv_without_its_base_python_fails_like_the_launcher(bare_host: Host, py: str) -> None:
    run(bare_host, py, ["-m", "venv", VENV], "C:\\")
    python.uninstall(bare_host)
    done = run(bare_host, VENV_PY, ["-c", "print(1)"], "C:\\")
    assert done.rc == python.NO_PYTHON_RC and done.stderr.startswith("No Python at '\"C:\\Program Files\\Python")
    with pytest.raises(CreateProcessError):
        run(bare_host, resolve(bare_host, "python"), [], "C:\\")


def pip_install(host: Host, *args: str) -> tuple[int, str, str, bool]:
    done = run(host, VENV_PY, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", *args], "C:\\")
    return done.rc, done.stdout, done.stderr, done.changed


def test_pip_installs_from_the_controller_then_is_satisfied(bare_host: Host, py: str) -> None:
    run(bare_host, py, ["-m", "venv", VENV], "C:\\")
    bare_host.write_bytes(REQS, b"# app\r\nflask>=3.0,<4\r\nwaitress>=3.0.2,<4  # server\r\n")
    rc, out, err, changed = pip_install(bare_host, "-r", REQS)
    assert rc == 0 and changed and not err and f"Collecting flask<4,>=3.0 (from -r {REQS} (line 2))" in out
    last = out.splitlines()[-1]
    assert last.startswith("Successfully installed ") and "waitress-" in last and "Werkzeug-" in last
    site = f"{VENV}\\Lib\\site-packages"
    assert {"flask", "waitress", "werkzeug", "jinja2", "pip"} <= set(installed(bare_host, site))
    state = bare_host.load_state()["python"]["environments"][VENV]
    assert state["requirements"] == ["flask<4,>=3.0", "waitress<4,>=3.0.2"] and "Flask" in state["packages"]

    rc, out, err, changed = pip_install(bare_host, "-r", REQS)
    assert rc == 0 and not changed and not err and "Successfully installed" not in out
    assert f"Requirement already satisfied: flask<4,>=3.0 in {site.lower()} (from -r {REQS} (line 2))" in out


@pytest.mark.parametrize(("args", "rc", "error"), [
    (["no-such-package-xyz"], 1, "ERROR: Could not find a version that satisfies the requirement "
                                 "no-such-package-xyz (from versions: none)\r\nERROR: No matching distribution"),
    (["flask>=99"], 1, "satisfies the requirement flask>=99 (from versions: 3."),
    (["-r", "C:\\nope.txt"], 1, "ERROR: Could not open requirements file: [Errno 2] No such file or directory"),
    (["--bogus", "flask"], 2, "no such option: --bogus"),
])
def test_pip_fails_like_pip(bare_host: Host, py: str, args: list[str], rc: int, error: str) -> None:
    run(bare_host, py, ["-m", "venv", VENV], "C:\\")
    got_rc, out, err, changed = pip_install(bare_host, *args)
    assert (got_rc, changed) == (rc, False) and error in err and "Successfully installed" not in out
    assert set(installed(bare_host, f"{VENV}\\Lib\\site-packages")) == {"pip"}
