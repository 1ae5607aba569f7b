"""Running programs on the emulated host: what win_command does (ansible.windows 3.x win_command.ps1 and
module_utils/Process.psm1).

- ``argv[0]`` is resolved like ``Resolve-ExecutablePath``: ``.exe`` is added when the name has no extension;
  a rooted path is taken as it is, a bare name is looked up in the folders of the machine PATH, then
  relative to ``chdir``; otherwise the name is used unchanged.
- ``CreateProcess`` of a file that is not there fails with Win32 error 2 "The system cannot find the file
  specified" (3 "The system cannot find the path specified" when its folder is missing); win_command
  reports ``rc`` = that code and the message "Failed to run: '<cmd>': Exception calling "CreateProcess" ...".
- What a file does when run depends on what it is: an emulated python.exe (winhost.python), an emulated
  nssm.exe (winhost.nssm). Any other file is not a program the emulator can run: error 193 "%1 is not a
  valid Win32 application" (what Windows says for a file that is not a PE image).
- The command line shown in ``cmd`` is built as ``ConvertTo-EscapedArgument`` does (C runtime quoting,
  the same rules as ``subprocess.list2cmdline``).
"""

from __future__ import annotations

import ntpath
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from . import cmdline, services
from .host import Host
from .paths import expand

WIN32_MESSAGES = {
    2: "The system cannot find the file specified",
    3: "The system cannot find the path specified",
    193: "%1 is not a valid Win32 application",
    267: "The directory name is invalid",
}


@dataclass
class Completed:
    rc: int
    stdout: str
    stderr: str
    changed: bool = False  # the program changed the host (files, state)


class CreateProcessError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"CreateProcessW() failed ({WIN32_MESSAGES[code]}, Win32ErrorCode {code} - 0x{code:08X})")
        self.code = code


def resolve(host: Host, name: str, working_directory: str | None = None) -> str:
    """Resolve-ExecutablePath of Process.psm1."""
    path = expand(name)
    if not ntpath.splitext(path)[1]:
        path += ".exe"
    if len(path) > 2 and path[1] == ":":
        if host.local_path(path).is_file():
            return path
    elif "\\" not in path and "/" not in path:
        for folder in services.machine_path(host).split(";"):
            folder = expand(folder.strip().strip('"'))
            if folder and host.local_path(ntpath.join(folder, path)).is_file():
                return ntpath.join(folder, path)
    if working_directory:
        candidate = ntpath.join(working_directory, path)
        if host.local_path(candidate).is_file():
            return candidate
    return path


def run(host: Host, exe: str, args: list[str], cwd: str, stdin: str | None = None) -> Completed:
    """CreateProcess(exe, args) and what the program does; raises CreateProcessError."""
    if not (len(exe) > 2 and exe[1] == ":"):
        raise CreateProcessError(2)  # relative to the module's own folder: nothing there
    local = host.local_path(exe)
    if not local.is_file():
        raise CreateProcessError(2 if local.parent.is_dir() else 3)
    data = local.read_bytes()
    from . import nssm, python

    if python.exe_version(data):
        return python.run(host, exe, args, cwd, stdin)
    if nssm.exe_version(data):
        done = nssm.Nssm(host, exe).run(args)
        changed = bool(args) and args[0].lower() not in ("get", "status", "dump", "version", "list", "statuscode")
        return Completed(done.exit_code, nssm.decode_output(done.stdout), nssm.decode_output(done.stderr),
                         changed=changed and done.exit_code == 0)
    raise CreateProcessError(193)


def quote(argv: list[str]) -> str:
    return subprocess.list2cmdline(argv)


def win_command(host: Host, params: dict[str, Any]) -> dict[str, Any]:
    """The win_command module (no check mode, as the real one: Ansible skips it in check mode)."""
    from .winfiles import ModuleFailure

    chdir = expand(str(params["chdir"])) if params.get("chdir") else None
    cwd = chdir or "C:\\Windows\\System32"  # a WinRM session starts in the user's profile; nothing depends on it
    if params.get("argv"):
        argv = [str(a) for a in params["argv"]]
        exe = resolve(host, argv[0], chdir)
        args = argv[1:]
        line = quote([exe, *args])
    else:
        line = str(params.get("cmd") or params.get("_raw_params") or "").strip()
        split = cmdline.split(line)
        exe, args = resolve(host, split[0] if split else "", chdir), split[1:]
    result: dict[str, Any] = {"cmd": line, "rc": 0, "changed": False}
    for key, want in (("creates", True), ("removes", False)):
        path = params.get(key)
        if path and host.local_path(expand(str(path))).exists() is want:
            what = "exists" if want else "does not exist"
            return {**result, "skipped": True, "msg": f"skipped, since {path} {what}", "_kind": "skipped"}
    start = time.time()
    try:
        if chdir and not host.local_path(chdir).is_dir():
            raise CreateProcessError(267)
        done = run(host, exe, args, cwd, params.get("stdin"))
    except CreateProcessError as exc:
        raise ModuleFailure(f"Failed to run: '{line}': Exception calling \"CreateProcess\" with \"7\" argument(s): "
                            f"\"{exc}\"", rc=exc.code, cmd=line) from None
    end = time.time()
    result.update(changed=True, rc=done.rc, stdout=done.stdout, stderr=done.stderr,
                  stdout_lines=done.stdout.splitlines(), stderr_lines=done.stderr.splitlines(),
                  start=_stamp(start), end=_stamp(end), delta=f"0:00:{end - start:09.6f}",
                  _kind="write" if done.changed else "read")
    if done.rc != 0:
        raise ModuleFailure("non-zero return code", **{k: v for k, v in result.items() if k != "_kind"},
                            _kind=result["_kind"])
    return result


def _stamp(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment)) + f".{int(moment * 1e6) % 1000000:06d}"


def run_logged(host: Host, params: dict[str, Any]) -> dict[str, Any]:
    """win_command with its entry in calls.jsonl (kind: write when the program changed the host)."""
    from .winfiles import ModuleFailure

    try:
        result = win_command(host, params)
        failed = False
    except ModuleFailure as exc:
        result = {"changed": True, "failed": True, "msg": str(exc), **exc.extra}
        result.setdefault("_kind", "read")
        failed = True
    kind = result.pop("_kind")
    logged = {k: v for k, v in params.items() if v is not None and k != "stdin"}
    host.log_call("ansible.windows.win_command", None, logged, False, kind,
                  changed=kind == "write", failed=failed, rc=result.get("rc"))
    return result
