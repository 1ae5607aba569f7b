"""python.exe on the emulated host: a python.org install, ``-m venv``, ``-c`` code, scripts, and services.

Every new host gets a python.org-style all-users install of the controller's own Python version:
``C:\\Program Files\\Python3XX\\python.exe`` (plus ``Lib\\site-packages`` holding pip), its folder and
``Scripts`` prepended to the machine PATH (the installer's ``PrependPath=1``). The emulated python.exe
is a marker file; what it does is done by the controller's REAL interpreter (``sys.executable``), so an
emulated venv is backed by the controller's interpreter and its site-packages (which hold Flask and
waitress in the test venvs). Honest limits: ``-c`` code and scripts run on the controller (Linux), with
Windows paths in the arguments mapped to the host folder; ``sys.platform`` inside them is the controller's.

- ``-V``/``--version``: ``Python 3.13.0``.
- ``-c CODE``: runs CODE with the real interpreter (bounded time), output with CRLF line ends.
- ``-m venv DIR``: a Windows-shaped venv: ``pyvenv.cfg`` (home, include-system-site-packages, version,
  executable, command), ``Scripts\\python.exe``/``pythonw.exe``/``activate.bat``/``Activate.ps1``,
  ``Lib\\site-packages`` with pip (unless ``--without-pip``). Changes the host.
- ``-m pip ...``: winhost.pip.
- a venv's python.exe whose base interpreter is gone fails like the venv launcher (``No Python at``).
- ``SCRIPT args`` / ``-m MODULE args``: run for real (bounded time for win_command; as a service,
  ``start_service_app`` starts it in the background: winhost.processes).
"""

from __future__ import annotations

import ntpath
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cmdline, paths, processes, services
from .host import CREATE_HOOKS, Host
from .programs import Completed

MARK = b"winhost-python "
RUN_TIMEOUT = 120
FLAGS = {"-I", "-E", "-s", "-S", "-u", "-B", "-O", "-OO", "-q", "-b", "-bb", "-d", "-v", "-x", "-R", "-P"}
USAGE = ("usage: python.exe [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"
         "Try `python -h' for more information.\n")
# The venv launcher's exit code when the base interpreter is missing (PC/launcher.c RC_NO_PYTHON; UNCONFIRMED).
NO_PYTHON_RC = 103


def controller_version() -> str:
    return ".".join(str(n) for n in sys.version_info[:3])


def fake_exe(version: str, kind: str = "python") -> bytes:
    """The bytes of an emulated python.exe (``kind``: python, pythonw, pip)."""
    return b"MZ\x90\x00" + MARK + f"{version} {kind}".encode() + b"\r\n"


def exe_version(data: bytes | None) -> str | None:
    if not data or MARK not in data:
        return None
    return data.split(MARK, 1)[1].split(b" ", 1)[0].decode()


def install_dir(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"C:\\Program Files\\Python{major}{minor}"


def install(host: Host, version: str | None = None) -> str:
    """A python.org all-users install (``InstallAllUsers=1 PrependPath=1``); returns python.exe's path."""
    version = version or controller_version()
    home = install_dir(version)
    host.write_bytes(f"{home}\\python.exe", fake_exe(version))
    host.write_bytes(f"{home}\\pythonw.exe", fake_exe(version, "pythonw"))
    host.write_bytes(f"{home}\\Scripts\\pip.exe", fake_exe(version, "pip"))
    from . import pip

    pip.write_dist(host, f"{home}\\Lib\\site-packages", "pip", pip.controller_pip_version(), [])

    def apply(state: dict[str, Any]) -> None:
        env = state.setdefault("environment", {})
        entries = [e for e in env.get("Path", services.DEFAULT_PATH).split(";") if e]
        new = [f"{home}\\Scripts\\", f"{home}\\"]
        env["Path"] = ";".join(new + [e for e in entries if e not in new])
        state.setdefault("python", {}).setdefault("installs", {})[home] = version
    host.update_state(apply)
    return f"{home}\\python.exe"


def uninstall(host: Host, version: str | None = None) -> None:
    """Remove an install (tests of a host without Python)."""
    import shutil

    home = install_dir(version or controller_version())
    local = host.local_path(home)
    if local.is_dir():
        shutil.rmtree(local)

    def apply(state: dict[str, Any]) -> None:
        env = state.setdefault("environment", {})
        entries = [e for e in env.get("Path", services.DEFAULT_PATH).split(";") if e]
        env["Path"] = ";".join(e for e in entries if e not in (f"{home}\\Scripts\\", f"{home}\\"))
        state.setdefault("python", {}).setdefault("installs", {}).pop(home, None)
    host.update_state(apply)


def _on_create(host: Host, bare: bool) -> None:
    install(host)


CREATE_HOOKS.append(_on_create)


# -- interpreters -------------------------------------------------------------------------------------
@dataclass
class Interpreter:
    exe: str  # Windows path of the python.exe that was run
    version: str
    prefix: str  # sys.prefix: the venv folder, or the install folder
    base: str | None  # the base install of a venv (pyvenv.cfg home); None for an install

    @property
    def site_packages(self) -> str:
        return f"{self.prefix}\\Lib\\site-packages"


def read_cfg(host: Host, path: str) -> dict[str, str] | None:
    data = host.read_bytes(path)
    if data is None:
        return None
    cfg = {}
    for line in data.decode("utf-8", "replace").splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            cfg[key.strip().lower()] = value.strip()
    return cfg


def interpreter(host: Host, exe: str) -> Interpreter | Completed:
    """Who a python.exe is; a venv launcher without its base interpreter fails as on Windows."""
    version = exe_version(host.read_bytes(exe)) or controller_version()
    folder = ntpath.dirname(exe)
    for cfg_dir in (folder, ntpath.dirname(folder)):
        cfg = read_cfg(host, f"{cfg_dir}\\pyvenv.cfg")
        if cfg is None:
            continue
        home = cfg.get("home", "")
        base_exe = ntpath.join(home, "python.exe")
        if not home or not host.local_path(base_exe).is_file():
            return Completed(NO_PYTHON_RC, "", f"No Python at '\"{base_exe}'\r\n")
        return Interpreter(exe, cfg.get("version", version), cfg_dir, home)
    return Interpreter(exe, version, folder, None)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def map_arg(host: Host, arg: str) -> str:
    """A Windows absolute path in an argument becomes the host folder's local path."""
    if len(arg) > 2 and arg[1] == ":" and arg[0].isalpha() and arg[2] in "\\/":
        return str(host.local_path(arg))
    return arg


def real_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONPATH", "ANSIBLE_"))}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def _real_run(argv: list[str], cwd: Path, stdin: str | None) -> Completed:
    try:
        done = subprocess.run(argv, cwd=cwd, env=real_env(), input=(stdin or "").encode(), capture_output=True,
                              timeout=RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return Completed(1, "", f"winhost: {argv[1:3]} did not end within {RUN_TIMEOUT} s and was killed\r\n")
    return Completed(done.returncode, crlf(done.stdout.decode("utf-8", "replace")),
                     crlf(done.stderr.decode("utf-8", "replace")))


@dataclass
class Command:
    mode: str  # version, code, module, script, interactive, error
    target: str = ""
    rest: list[str] | None = None
    error: str = ""


def parse(args: list[str]) -> Command:
    """Python's own command line: options, then -c / -m / a script."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-V", "--version"):
            return Command("version")
        if arg.startswith("-c") or arg.startswith("-m"):
            value = arg[2:] or (args[i + 1] if i + 1 < len(args) else None)
            if value is None:
                return Command("error", error=f"Argument expected for the {arg} option\n{USAGE}")
            rest = args[i + 1:] if arg[2:] else args[i + 2:]
            return Command("code" if arg[1] == "c" else "module", value, rest)
        if arg in FLAGS:
            i += 1
            continue
        if arg in ("-X", "-W"):
            i += 2
            continue
        if arg.startswith("-") and arg != "-":
            return Command("error", error=f"Unknown option: {arg}\n{USAGE}")
        return Command("script", arg, args[i + 1:])
    return Command("interactive")


def run(host: Host, exe: str, args: list[str], cwd: str, stdin: str | None = None) -> Completed:
    """What ``exe args`` does when win_command runs it (``cwd`` a Windows folder)."""
    who = interpreter(host, exe)
    if isinstance(who, Completed):
        return who
    command = parse(args)
    local_cwd = host.local_path(cwd)
    if command.mode == "error":
        return Completed(2, "", crlf(command.error))
    if command.mode == "version":
        return Completed(0, f"Python {who.version}\r\n", "")
    if command.mode == "interactive":
        return _real_run([sys.executable, "-"], local_cwd, stdin)
    if command.mode == "code":
        return _real_run([sys.executable, "-c", command.target, *(command.rest or [])], local_cwd, stdin)
    if command.mode == "module" and command.target == "venv":
        return make_venv(host, who, command.rest or [], cwd)
    if command.mode == "module" and command.target == "pip":
        from . import pip

        return pip.run(host, who, command.rest or [], cwd)
    argv = real_argv(host, who, command, cwd)
    if isinstance(argv, Completed):
        return argv
    return _real_run(argv, local_cwd, stdin)


def real_argv(host: Host, who: Interpreter, command: Command, cwd: str) -> list[str] | Completed:
    """The controller command for a script or module run; a missing script fails as python.exe does."""
    rest = [map_arg(host, a) for a in command.rest or []]
    if command.mode == "module":
        return [sys.executable, "-m", command.target, *rest]
    script = command.target if ntpath.isabs(command.target) else ntpath.join(cwd, command.target)
    if not host.local_path(script).is_file():
        return Completed(2, "", f"{who.exe}: can't open file '{script}': [Errno 2] No such file or directory\r\n")
    return [sys.executable, str(host.local_path(script)), *rest]


# -- python -m venv -----------------------------------------------------------------------------------
VENV_OPTIONS = {"--clear", "--without-pip", "--upgrade-deps", "--system-site-packages", "--symlinks", "--copies",
                "--upgrade", "--without-scm-ignore-files"}


def make_venv(host: Host, who: Interpreter, args: list[str], cwd: str) -> Completed:
    options = [a for a in args if a.startswith("-")]
    dirs = [a for a in args if not a.startswith("-")]
    unknown = [o for o in options if o not in VENV_OPTIONS and not o.startswith("--prompt")]
    if unknown or not dirs:
        problem = f"unrecognized arguments: {' '.join(unknown)}" if unknown else \
            "the following arguments are required: ENV_DIR"
        return Completed(2, "", crlf("usage: venv [-h] [--system-site-packages] [--symlinks | --copies] [--clear]\n"
                                     "            [--upgrade] [--without-pip] [--prompt PROMPT] [--upgrade-deps]\n"
                                     f"            ENV_DIR [ENV_DIR ...]\nvenv: error: {problem}\n"))
    home = who.base or who.prefix
    for target in dirs:
        folder = paths.normalize(target if ntpath.isabs(target) else ntpath.join(cwd, target))
        local = host.local_path(folder)
        if local.is_file():
            return Completed(1, "", f"Error: [WinError 183] Cannot create a file when that file already exists: "
                                    f"'{folder}'\r\n")
        if "--clear" in options and local.is_dir():
            import shutil

            shutil.rmtree(local)
        cfg = (f"home = {home}\n"
               f"include-system-site-packages = {'true' if '--system-site-packages' in options else 'false'}\n"
               f"version = {who.version}\nexecutable = {home}\\python.exe\n"
               f"command = {home}\\python.exe -m venv {folder}\n")
        host.write_bytes(f"{folder}\\pyvenv.cfg", crlf(cfg).encode())
        host.write_bytes(f"{folder}\\Scripts\\python.exe", fake_exe(who.version))
        host.write_bytes(f"{folder}\\Scripts\\pythonw.exe", fake_exe(who.version, "pythonw"))
        activate = f'@echo off\nset "VIRTUAL_ENV={folder}"\nset "PATH=%VIRTUAL_ENV%\\Scripts;%PATH%"\n'
        host.write_bytes(f"{folder}\\Scripts\\activate.bat", crlf(activate).encode())
        host.write_bytes(f"{folder}\\Scripts\\Activate.ps1", b"# winhost: venv activation script\r\n")
        host.local_path(f"{folder}\\Include").mkdir(parents=True, exist_ok=True)
        host.local_path(f"{folder}\\Lib\\site-packages").mkdir(parents=True, exist_ok=True)
        if "--without-pip" not in options:
            from . import pip

            host.write_bytes(f"{folder}\\Scripts\\pip.exe", fake_exe(who.version, "pip"))
            pip.write_dist(host, f"{folder}\\Lib\\site-packages", "pip", pip.controller_pip_version(), [])
        entry = {"home": home, "version": who.version}
        host.update_state(lambda s, key=folder, value=entry: s.setdefault("python", {}).setdefault(
            "venvs", {}).__setitem__(key, value))
    return Completed(0, "", "", changed=True)


# -- python.exe as an nssm service's application ------------------------------------------------------
def start_service_app(host: Host, record: dict[str, Any]) -> str:
    """Start the service's python.exe application for real; returns the service status nssm settles in.

    The process gets the service's arguments (Windows paths mapped to the host folder), AppDirectory as its
    working folder and AppStdout/AppStderr (appended). nssm counts the start as good when the application is
    still running after ``AppThrottle`` ms (default 1500); an earlier exit is throttled (exit action Restart:
    SERVICE_PAUSED), ends the service (Exit: SERVICE_STOPPED) or is ignored (Ignore: SERVICE_RUNNING).
    """
    params = record["parameters"]
    exe = str(params["Application"])
    directory = str(params.get("AppDirectory") or ntpath.dirname(exe))
    stdout = str(params.get("AppStdout") or "") or None
    stderr = str(params.get("AppStderr") or "") or None
    args = cmdline.split(str(params.get("AppParameters") or ""))
    who = interpreter(host, exe)
    command = parse(args)
    if isinstance(who, Completed):
        failed: Completed | list[str] = who
    elif command.mode in ("script", "module"):
        failed = real_argv(host, who, command, directory)
    else:
        failed = Completed(2, "", f"winhost: only scripts and -m modules run as services, not {args!r}\r\n")
    if isinstance(failed, Completed):
        _append(host, stderr or stdout, failed.stderr)
        return _exited(record, failed.rc, exe, args)
    env_extra = dict(e.split("=", 1) for e in params.get("AppEnvironmentExtra") or [] if "=" in e)
    process = processes.spawn(host, failed, host.local_path(directory), real_env(env_extra),
                              host.local_path(stdout) if stdout else None,
                              host.local_path(stderr) if stderr else None, service=record["name"])
    record["process"].update(pid=process.pid, start_time=processes.start_tick(process.pid),
                             argv=[exe, *args], exit_code=None)
    throttle = min(int(params.get("AppThrottle", 1500)), 5000) / 1000
    deadline = time.monotonic() + throttle
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    if process.poll() is None:
        return services.RUNNING
    processes.stop(host, process.pid)
    return _exited(record, process.returncode, exe, args)


def _append(host: Host, log: str | None, text: str) -> None:
    if log and text and host.local_path(ntpath.dirname(log)).is_dir():
        with host.local_path(log).open("ab") as handle:
            handle.write(text.encode("utf-8"))


def _exited(record: dict[str, Any], code: int, exe: str, args: list[str]) -> str:
    record["process"].update(pid=None, exit_code=code, argv=[exe, *args])
    actions = record["parameters"].get("AppExit") or {}
    action = actions.get(str(code), actions.get("Default", "Restart"))
    if action == "Ignore":
        return services.RUNNING
    if action in ("Exit", "Suicide"):
        return services.STOPPED
    return services.PAUSED
