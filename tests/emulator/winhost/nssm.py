"""nssm.exe on the emulated host: its commands, parameters, defaults, output encoding and exit codes.

Facts copied (shared/research/iis-facts.md section 5, docs/nssm.md):
- ``install <svc> <app> [args]`` creates the service (ImagePath = nssm.exe, DisplayName = svc, LocalSystem,
  SERVICE_AUTO_START) and writes Application, AppDirectory (the app's folder), AppParameters and
  ``AppExit\\(Default) = Restart``; exit 5 when CreateService fails (service exists).
- ``set`` joins the remaining arguments with spaces (REG_MULTI_SZ parameters take one entry per argument);
  a DWORD set to nssm's default deletes the value; ``reset`` deletes it. Unknown parameter: exit 1.
  Set that fails (bad value, unknown account): exit 6. Service missing: exit 3.
- ``Start`` accepts SERVICE_AUTO_START, SERVICE_DELAYED_AUTO_START, SERVICE_DEMAND_START, SERVICE_DISABLED
  (not the README's SERVICE_DELAYED_START).
- ``remove <svc> confirm``; without ``confirm`` nssm opens a GUI dialog (here: exit 1 and a message saying so,
  never a hang); with another word: exit 100.
- ``start`` on a running service fails (exit 1); ``stop`` on a stopped one returns 0.
- 2.24 prints UTF-16LE (``_O_U16TEXT``); 2.24-101+ prints ANSI when not attached to a console.
- Pre-release only: AppKillProcessTree, AppTimestampLog, AppRotateDelay, virtual accounts, ``version``.

What the service program does when started (``run_service``): no Application or no log folder -> the
service stops again (nssm cannot start the app); an app file with a line ``rem winhost: exit <code>``
exits at once -> nssm throttles it and the service shows SERVICE_PAUSED, after writing the file's
``rem winhost: stderr <text>`` lines to AppStderr; otherwise it runs and a line
``winhost: started <Application> <AppParameters>`` goes to AppStdout. Log rotation at start follows
AppRotateFiles/AppRotateSeconds/AppRotateBytes (``<name>-<timestamp><ext>``); then each log is opened with
its AppStdoutCreationDisposition/AppStderrCreationDisposition (default 4 OPEN_ALWAYS, 2 CREATE_ALWAYS empties
it; stderr in stdout's file uses stdout's), a CreateFile that fails stops the service (nssm io.cpp).
"""

from __future__ import annotations

import io
import ntpath
import re
import time
import zipfile
from dataclasses import dataclass
from typing import Any

from . import cmdline, services
from .host import Host

RELEASE = "2.24"
PRERELEASE = "2.24-101-g897c7ad"
EXE_MARK = b"winhost-nssm "

DWORD_DEFAULTS = {
    "AppRestartDelay": 0, "AppThrottle": 1500, "AppStopMethodSkip": 0, "AppStopMethodConsole": 1500,
    "AppStopMethodWindow": 1500, "AppStopMethodThreads": 1500, "AppKillProcessTree": 1, "AppKillConsoleDelay": 0,
    "AppNoConsole": 0, "AppRotateFiles": 0, "AppRotateOnline": 0, "AppRotateSeconds": 0, "AppRotateBytes": 0,
    "AppRotateBytesHigh": 0, "AppRotateDelay": 0, "AppTimestampLog": 0, "AppRedirectHook": 0,
    "AppStdoutShareMode": 3, "AppStdoutCreationDisposition": 4, "AppStdoutFlagsAndAttributes": 128,
    "AppStderrShareMode": 3, "AppStderrCreationDisposition": 4, "AppStderrFlagsAndAttributes": 128,
    "AppStdinShareMode": 1, "AppStdinCreationDisposition": 3, "AppStdinFlagsAndAttributes": 128,
    "AppStdoutCopyAndTruncate": 0, "AppStderrCopyAndTruncate": 0,
}
STRING_PARAMS = {"Application", "AppParameters", "AppDirectory", "AppStdin", "AppStdout", "AppStderr",
                 "AppAffinity", "AppPriority"}
MULTI_PARAMS = {"AppEnvironment", "AppEnvironmentExtra"}
NATIVE = {"DisplayName", "Description", "ObjectName", "Start", "Type", "DependOnService", "DependOnGroup",
          "Name", "ImagePath"}
PRERELEASE_ONLY = {"AppKillProcessTree", "AppTimestampLog", "AppRotateDelay", "AppRedirectHook",
                   "AppStdoutCopyAndTruncate", "AppStderrCopyAndTruncate", "AppEvents"}
EXIT_ACTIONS = {"restart": "Restart", "ignore": "Ignore", "exit": "Exit", "suicide": "Suicide"}
START_NAMES = {"SERVICE_AUTO_START": (2, 0), "SERVICE_DELAYED_AUTO_START": (2, 1),
               "SERVICE_DEMAND_START": (3, 0), "SERVICE_DISABLED": (4, 0)}
BUILTIN_NO_PASSWORD = {"localsystem", "nt authority\\system", "nt authority\\localservice",
                       "nt authority\\networkservice"}


def fake_exe(version: str = PRERELEASE, arch: str = "win64") -> bytes:
    """The bytes of an emulated nssm.exe (the emulator reads the version back from them)."""
    return b"MZ\x90\x00" + EXE_MARK + version.encode() + b" " + arch.encode() + b"\r\n"


def fake_zip(version: str = PRERELEASE) -> bytes:
    """A zip laid out like nssm.cc's: ``nssm-<version>/win32/nssm.exe`` and ``win64/nssm.exe``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for arch in ("win32", "win64"):
            info = zipfile.ZipInfo(f"nssm-{version}/{arch}/nssm.exe", date_time=(2017, 4, 26, 0, 0, 0))
            archive.writestr(info, fake_exe(version, arch))
        archive.writestr(zipfile.ZipInfo(f"nssm-{version}/README.txt", date_time=(2017, 4, 26, 0, 0, 0)),
                         "NSSM: The Non-Sucking Service Manager\r\n")
    return buffer.getvalue()


def exe_version(data: bytes | None) -> str | None:
    """nssm version held by an emulated nssm.exe; None when the bytes are not one."""
    if not data or EXE_MARK not in data:
        return None
    return data.split(EXE_MARK, 1)[1].split(b" ", 1)[0].decode()


def file_version(version: str) -> str:
    """The PE FileVersion the read script reports (2.24-101-g897c7ad -> 2.24.101.0; UNCONFIRMED)."""
    match = re.match(r"^(\d+)\.(\d+)(?:-(\d+))?", version)
    if not match:
        return version
    return f"{match.group(1)}.{match.group(2)}.{match.group(3) or 0}.0"


def is_prerelease(version: str) -> bool:
    return version != RELEASE


def decode_output(data: bytes) -> str:
    """What nssm_apply.ps1's ConvertFrom-NssmBytes does: UTF-16LE when there are NUL bytes, else UTF-8."""
    if not data:
        return ""
    if data[:2] == b"\xff\xfe":
        return data[2:].decode("utf-16-le")
    if b"\x00" in data:
        return data.decode("utf-16-le")
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8")
    return data.decode("utf-8")


@dataclass
class Run:
    exit_code: int
    stdout: bytes
    stderr: bytes


class Nssm:
    """One nssm.exe on the host; ``run_line`` takes the argument string exactly as CreateProcess gets it."""

    def __init__(self, host: Host, path: str) -> None:
        self.host = host
        self.path = path
        self.version = exe_version(host.read_bytes(path)) or PRERELEASE

    # -- output ------------------------------------------------------------------------------
    def _encode(self, text: str) -> bytes:
        if not text:
            return b""
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return text.encode("utf-16-le") if not is_prerelease(self.version) else text.encode("utf-8")

    def _done(self, code: int, out: str = "", err: str = "") -> Run:
        return Run(code, self._encode(out), self._encode(err))

    # -- entry points --------------------------------------------------------------------------
    def run_line(self, line: str) -> Run:
        return self.run(cmdline.split(line))

    def run(self, argv: list[str]) -> Run:
        if not argv:
            return self._done(1, err="winhost: nssm without arguments shows its usage in a message box (GUI)\n")
        verb = argv[0].lower()
        handler = getattr(self, f"cmd_{verb}", None)
        if handler is None or (verb in ("version", "dump", "statuscode", "list") and not is_prerelease(self.version)):
            return self._done(1, err=f"winhost: nssm {self.version} has no command '{argv[0]}': usage shown in a "
                                     "message box (GUI)\n")
        return handler(argv[1:])

    # -- commands --------------------------------------------------------------------------------
    def cmd_version(self, args: list[str]) -> Run:
        return self._done(0, f"NSSM: The non-sucking service manager\nVersion {self.version} 64-bit, 2017-04-26\n")

    def cmd_install(self, args: list[str]) -> Run:
        if len(args) < 2:
            return self._done(1, err="winhost: nssm install without an application opens the GUI installer\n")
        name, application, rest = args[0], args[1], args[2:]
        try:
            services.create(self.host, name, f'"{self.path}"', name)  # nssm quotes its own path
        except services.ScmError as exc:
            return self._done(5, err=f"Error creating service!\nCreateService(): {exc}\n")
        params: dict[str, Any] = {"Application": application, "AppDirectory": ntpath.dirname(application),
                                  "AppParameters": " ".join(rest), "AppExit": {"Default": "Restart"}}
        services.update(self.host, name, lambda r: r.__setitem__("parameters", params))
        return self._done(0, f'Service "{name}" installed successfully!\n')

    def cmd_remove(self, args: list[str]) -> Run:
        if len(args) == 1:
            return self._done(1, err="winhost: nssm remove without 'confirm' opens a confirmation dialog (GUI)\n")
        if len(args) != 2 or args[1].lower() != "confirm":
            return self._done(100, err="To remove a service without confirmation: nssm remove <servicename> confirm\n")
        if services.get(self.host, args[0]) is None:
            return self._no_service(args[0])
        services.delete(self.host, args[0])
        return self._done(0, f'Service "{args[0]}" removed successfully!\n')

    def cmd_status(self, args: list[str]) -> Run:
        record = services.get(self.host, args[0]) if args else None
        if record is None:
            return self._no_service(args[0] if args else "")
        return self._done(0, record["status"] + "\n")

    def cmd_start(self, args: list[str]) -> Run:
        name = args[0] if args else ""
        if services.get(self.host, name) is None:
            return self._no_service(name)
        try:
            status = services.start(self.host, name)
        except services.ScmError as exc:
            return self._done(1, err=f"{name}: START: {exc}\n")
        if status == services.STOPPED:
            return self._done(1, err=f"{name}: Unexpected status SERVICE_STOPPED in response to START control.\n")
        return self._done(0, f"{name}: START: The operation completed successfully.\n")

    def cmd_stop(self, args: list[str]) -> Run:
        name = args[0] if args else ""
        if services.get(self.host, name) is None:
            return self._no_service(name)
        try:
            services.stop(self.host, name)
        except services.ScmError as exc:
            return self._done(0, f"{name}: STOP: {exc}\n")  # already stopped: nssm returns 0
        return self._done(0, f"{name}: STOP: The operation completed successfully.\n")

    def cmd_restart(self, args: list[str]) -> Run:
        name = args[0] if args else ""
        stopped = self.cmd_stop(args)
        if stopped.exit_code != 0:
            return stopped
        return self.cmd_start([name])

    def cmd_get(self, args: list[str]) -> Run:
        if len(args) < 2:
            return self._done(1, err="Usage: nssm get <servicename> <parameter> [<subparameter>]\n")
        record = services.get(self.host, args[0])
        if record is None:
            return self._no_service(args[0])
        param = self._param_name(args[1])
        if param is None:
            return self._invalid_param(args[1])
        value = self._get(record, param, args[2] if len(args) > 2 else None)
        if isinstance(value, list):
            return self._done(0, "".join(f"{v}\n" for v in value))
        return self._done(0, f"{value}\n")

    def cmd_set(self, args: list[str]) -> Run:
        if len(args) < 3:
            return self._done(1, err="Usage: nssm set <servicename> <parameter> [<subparameter>] <value>\n")
        return self._change(args[0], args[1], args[2:], reset=False)

    def cmd_reset(self, args: list[str]) -> Run:
        if len(args) < 2:
            return self._done(1, err="Usage: nssm reset <servicename> <parameter> [<subparameter>]\n")
        return self._change(args[0], args[1], args[2:], reset=True)

    cmd_unset = cmd_reset

    # -- parameters ------------------------------------------------------------------------------
    def _no_service(self, name: str) -> Run:
        return self._done(3, err=f"Can't open service!\nOpenService(): {services.ERROR_MESSAGES[1060]}\n")

    def _invalid_param(self, name: str) -> Run:
        return self._done(1, err=f'Invalid parameter "{name}"\n')

    def _param_name(self, name: str) -> str | None:
        known = set(DWORD_DEFAULTS) | STRING_PARAMS | MULTI_PARAMS | NATIVE | {"AppExit", "AppEvents"}
        if not is_prerelease(self.version):
            known -= PRERELEASE_ONLY
        return next((k for k in known if k.lower() == name.lower()), None)

    def _get(self, record: dict[str, Any], param: str, sub: str | None) -> Any:
        values, params = record["values"], services.parameters(self.host, record)
        if param == "Name":
            return record["name"]
        if param == "Start":
            start, delayed = values.get("Start", 2), values.get("DelayedAutostart", 0)
            return next(k for k, v in START_NAMES.items() if v == (start, 1 if delayed and start == 2 else 0))
        if param == "Type":
            return "SERVICE_WIN32_OWN_PROCESS"
        if param in NATIVE:
            value = values.get(param, "")
            return value if value is not None else ""
        if param == "AppExit":
            return (params.get("AppExit") or {}).get(sub or "Default", "Restart" if (sub or "Default") == "Default"
                                                     else "")
        if param in DWORD_DEFAULTS:
            return params.get(param, DWORD_DEFAULTS[param])
        return params.get(param, [] if param in MULTI_PARAMS else "")

    def _change(self, name: str, raw_param: str, values: list[str], reset: bool) -> Run:
        record = services.get(self.host, name)
        if record is None:
            return self._no_service(name)
        param = self._param_name(raw_param)
        if param is None:
            return self._invalid_param(raw_param)
        image = str(record["values"].get("ImagePath", "")).strip('"')
        is_nssm = ntpath.basename(image.split('"', maxsplit=1)[0]).lower() == "nssm.exe"
        if param not in NATIVE and not is_nssm:
            return self._done(1, err=f'Service "{name}" is not an NSSM service; only native parameters can be set\n')
        try:
            message = self._apply(record, param, values, reset)
        except ValueError as exc:
            return self._done(6, err=f'Error setting parameter "{param}" for service "{name}": {exc}\n')
        services.update(self.host, name, lambda r: r.update(record))
        return self._done(0, message)

    def _apply(self, record: dict[str, Any], param: str, args: list[str], reset: bool) -> str:
        values, params, name = record["values"], record["parameters"], record["name"]
        if reset:
            self._reset(record, param, args[0] if args else None)
            return f'Reset parameter "{param}" for service "{name}" to its default.\n'
        text = " ".join(args)
        if param == "Start":
            if text not in START_NAMES:
                raise ValueError(f"invalid start type {text!r}")
            start, delayed = START_NAMES[text]
            values["Start"] = start
            if delayed:
                values["DelayedAutostart"] = 1
            else:
                values.pop("DelayedAutostart", None)
        elif param == "ObjectName":
            self._set_account(record, args)
        elif param == "DependOnService" or param == "DependOnGroup":
            values[param] = list(args)
        elif param in ("DisplayName", "Description"):
            if text:
                values[param] = text
            else:
                values.pop(param, None)
        elif param in ("Name", "ImagePath", "Type"):
            raise ValueError(f"parameter {param} cannot be set")
        elif param == "AppExit":
            if len(args) != 2 or args[1].lower() not in EXIT_ACTIONS:
                raise ValueError("AppExit needs <Default|exit code> <Restart|Ignore|Exit|Suicide>")
            params.setdefault("AppExit", {})[args[0] if args[0].lower() != "default" else "Default"] = \
                EXIT_ACTIONS[args[1].lower()]
        elif param in DWORD_DEFAULTS:
            if not re.fullmatch(r"\d+", text) or int(text) > 0xFFFFFFFF:
                raise ValueError(f"{text!r} is not a number")
            if int(text) == DWORD_DEFAULTS[param]:
                params.pop(param, None)  # set to the default deletes the value
            else:
                params[param] = int(text)
        elif param in MULTI_PARAMS:
            if args:
                params[param] = list(args)
            else:
                params.pop(param, None)
        elif text:
            params[param] = text
        else:
            params.pop(param, None)
        return f'Set parameter "{param}" for service "{name}" to "{text}".\n'

    def _reset(self, record: dict[str, Any], param: str, sub: str | None) -> None:
        values, params = record["values"], record["parameters"]
        if param == "Start":
            values["Start"] = 2
            values.pop("DelayedAutostart", None)
        elif param == "ObjectName":
            values["ObjectName"] = "LocalSystem"
            record.pop("password_sha256", None)
        elif param == "DisplayName":
            values["DisplayName"] = record["name"]
        elif param in NATIVE:
            values.pop(param, None)
        elif param == "AppExit":
            params.setdefault("AppExit", {}).pop(sub or "Default", None)
            if (sub or "Default") == "Default":
                params["AppExit"]["Default"] = "Restart"
        else:
            params.pop(param, None)

    def _set_account(self, record: dict[str, Any], args: list[str]) -> None:
        user = args[0] if args else ""
        password = args[1] if len(args) > 1 else None
        lower = user.lower()
        virtual = lower.startswith("nt service\\")
        if virtual and not is_prerelease(self.version):
            raise ValueError("virtual service accounts need nssm 2.24-101 or later")
        if not (lower in BUILTIN_NO_PASSWORD or virtual) and password is None:
            raise ValueError(f"a password is needed for {user}")
        try:
            services.set_logon(record, self.host, user, password)  # ChangeServiceConfig, as nssm calls it
        except services.ScmError as exc:
            raise ValueError(str(exc)) from None
        record["values"]["ObjectName"] = "LocalSystem" if lower in ("localsystem", "nt authority\\system") else user


# -- the service program ------------------------------------------------------------------------
def _rotate(host: Host, path: str, params: dict[str, Any]) -> None:
    if not params.get("AppRotateFiles"):
        return
    local = host.local_path(path)
    if not local.is_file():
        return
    stat = local.stat()
    if params.get("AppRotateSeconds") and time.time() - stat.st_mtime < params["AppRotateSeconds"]:
        return
    if params.get("AppRotateBytes") and stat.st_size < params["AppRotateBytes"]:
        return
    stem, ext = ntpath.splitext(ntpath.basename(path))
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime()) + f".{int(time.time() * 1000) % 1000:03d}"
    local.rename(local.with_name(f"{stem}-{stamp}{ext}"))


# CreateFile dwCreationDisposition (learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew):
# 1 CREATE_NEW fails on an existing file, 2 CREATE_ALWAYS empties it, 3 OPEN_EXISTING and 5 TRUNCATE_EXISTING
# fail on a missing one, 4 OPEN_ALWAYS opens or creates; nssm then seeks to the end (write_to_file).
FAILS_IF_EXISTS, EMPTIES, FAILS_IF_MISSING = {1}, {2, 5}, {3, 5}


def _open_logs(host: Host, params: dict[str, Any]) -> bool:
    """io.cpp get_output_handles: rotate (AppRotateFiles), then CreateFile with the stream's disposition
    (default OPEN_ALWAYS); stderr in stdout's file (caseless) is stdout's handle. False: CreateFile failed."""
    opened: list[str] = []
    for stream in ("AppStdout", "AppStderr"):
        path = str(params.get(stream) or "")
        if not path or path.lower() in opened:
            continue
        _rotate(host, path, params)
        disposition = int(params.get(f"{stream}CreationDisposition", DWORD_DEFAULTS[f"{stream}CreationDisposition"]))
        local = host.local_path(path)
        exists = local.is_file()
        if (exists and disposition in FAILS_IF_EXISTS) or (not exists and disposition in FAILS_IF_MISSING):
            return False
        if exists and disposition in EMPTIES:
            local.write_bytes(b"")
        local.touch()
        opened.append(path.lower())
    return True


def _append(host: Host, path: str, text: str) -> None:
    local = host.local_path(path)
    with local.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text.replace("\n", "\r\n"))


def run_service(host: Host, record: dict[str, Any]) -> str:
    """What nssm does when the SCM starts one of its services; returns the status it settles in."""
    params = record["parameters"]
    application = str(params.get("Application") or "")
    data = host.read_bytes(application) if application else None
    if data is None:
        return services.STOPPED  # CreateProcess fails: nssm logs an event and the service stops
    logs = [str(params[p]) for p in ("AppStdout", "AppStderr") if params.get(p)]
    for log in logs:
        if not host.local_path(ntpath.dirname(log)).is_dir():
            return services.STOPPED  # CreateFile of the redirect fails: the app is not started
    if not _open_logs(host, params):
        return services.STOPPED  # get_output_handles failed: nssm stops the service
    text = data.decode("utf-8", "replace")
    exits = re.search(r"^\s*rem winhost: exit (\d+)", text, re.M | re.I)
    record["process"] = {"command_line": f"{application} {params.get('AppParameters', '')}".strip(),
                         "directory": params.get("AppDirectory") or ntpath.dirname(application),
                         # names only: the record goes back into state.json, the values may be secret
                         "environment": [str(e).partition("=")[0] for e in params.get("AppEnvironmentExtra") or []],
                         "account": record["values"].get("ObjectName")}
    from . import python

    if python.exe_version(data):
        return python.start_service_app(host, record)  # the real application (winhost.python, processes)
    if exits:
        if params.get("AppStderr"):
            for line in re.findall(r"^\s*rem winhost: stderr (.*)$", text, re.M | re.I):
                _append(host, str(params["AppStderr"]), line.rstrip("\r") + "\n")
        return services.PAUSED  # exits within AppThrottle: nssm throttles restarts, service shows Paused
    if params.get("AppStdout"):
        _append(host, str(params["AppStdout"]), f"winhost: started {record['process']['command_line']}\n")
    return services.RUNNING


services.RUNNERS["nssm.exe"] = run_service
