"""nssm_read, nssm_apply and nssm_extract on the emulated host (docs/architecture.md 3.7-3.9).

Each mirrors its PowerShell script step by step: nssm_read reads the service's registry values and the
SCM status (it does not run nssm.exe), nssm_apply runs nssm.exe (winhost.nssm) with the argument strings
the controller quoted and decodes its output as the script does, nssm_extract (the nssm role's
script, a write script: win_powershell skips it in check mode) copies nssm.exe out of the downloaded zip.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import ntpath
import zipfile
from typing import Any

from . import nssm, services
from .errors import HostError
from .host import Host
from .paths import expand
from .scripts import register_script

LOGON_RIGHT = "SeServiceLogonRight"


DEFAULT_PATHEXT = ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"  # Windows Server 2022's default
BAD_PATH_CHARS = set('"<>|') | {chr(c) for c in range(32)}  # .NET Framework Path.GetInvalidPathChars()


def path_folder(entry: str) -> str | None:
    """A PATH entry as Find-Program uses it: expanded and unquoted; None when it cannot be a folder here
    (relative, characters [IO.Path]::Combine refuses, or a UNC share: the emulated host has no network)."""
    folder = expand(entry.strip().strip('"'))
    if not folder or BAD_PATH_CHARS & set(folder) or not (len(folder) > 2 and folder[1] == ":" and folder[2] in "\\/"):
        return None
    return folder


def find_program(host: Host, name: str | None) -> str | None:
    """Find-Program of nssm_read.ps1: a rooted path that exists, or the name in a folder of the PATH; a name
    without an extension with each PATHEXT extension in order (cmd.exe's command search); unusable entries skipped."""
    if not name:
        return None
    expanded = expand(name)
    if ntpath.isabs(expanded) and len(expanded) > 2 and expanded[1] == ":":
        return expanded if host.local_path(expanded).is_file() else None
    names = [expanded]
    if not ntpath.splitext(expanded)[1]:
        pathext = str(host.load_state().get("environment", {}).get("PATHEXT", DEFAULT_PATHEXT))
        extensions = [e.strip() for e in pathext.split(";") if e.strip()] or [".COM", ".EXE", ".BAT", ".CMD"]
        names = [expanded + extension for extension in extensions]
    for entry in services.machine_path(host).split(";"):
        folder = path_folder(entry)
        if folder is None:
            continue
        for candidate_name in names:
            candidate = ntpath.join(folder, candidate_name)
            if host.local_path(candidate).is_file():
                return candidate
    return None


def find_nssm(host: Host, executable: str | None) -> dict[str, Any] | None:
    if executable:
        path = find_program(host, executable)
    else:
        path = find_program(host, "nssm.exe") or find_program(host, expand("%ProgramFiles%\\nssm\\nssm.exe"))
    if path is None:
        return None
    version = nssm.exe_version(host.read_bytes(path))
    return {"path": path, "version": nssm.file_version(version) if version else ""}


ENV_EXTRA = "AppEnvironmentExtra"


def protect_environment(entries: list[str], names: list[str], key: str,
                        plain: list[str] | None = None) -> list[Any]:
    """Protect-Environment of common/nssm.ps1: entries of the task's secret names (case-insensitive), and with
    ``plain`` (a list: the names whose values may come back) every entry not named there, become
    ``{"name", "hmac_sha256"}``, the HMAC-SHA256 of the value's UTF-8 bytes under the key's UTF-8 bytes."""
    lower = {n.lower() for n in names}
    shown = None if plain is None else {n.lower() for n in plain}
    result: list[Any] = []
    for entry in entries:
        variable, _sep, value = str(entry).partition("=")
        if variable.lower() in lower or (shown is not None and variable.lower() not in shown):
            result.append({"name": variable, "hmac_sha256": hmac.new(key.encode("utf-8"), value.encode("utf-8"),
                                                                     hashlib.sha256).hexdigest()})
        else:
            result.append(entry)
    return result


def service_config(host: Host, name: str, secret_names: list[str] | None = None,
                   key: str = "", plain_names: list[str] | None = None) -> dict[str, Any] | None:
    """Get-ServiceConfig of common/nssm.ps1 (secret variables of the task, and with ``plain_names`` every
    variable not named there, as digests)."""
    record = services.get(host, name)
    if record is None:
        return None
    params = copy.deepcopy(services.parameters(host, record))
    if (secret_names or plain_names is not None) and ENV_EXTRA in params:
        params[ENV_EXTRA] = protect_environment(params[ENV_EXTRA], secret_names or [], key, plain_names)
    return {"name": record["name"], "status": record["status"], "values": copy.deepcopy(record["values"]),
            "parameters": params}


def plain_names(request: dict[str, Any]) -> list[str] | None:
    """Test-PlainNames of common/nssm.ps1: None when the request lacks the field "plain_names" (every entry
    not in secret_names as text), else its names (null = none): the field's presence decides."""
    if "plain_names" not in request:
        return None
    return [str(n) for n in request["plain_names"] or []]


def secure_text(secure: dict[str, Any] | None, name: str) -> str:
    """ConvertFrom-SecureText of a sensitive parameter ('' when not given)."""
    value = (secure or {}).get(name)
    return value.reveal() if value is not None else ""


def account_info(host: Host, name: str) -> dict[str, Any]:
    entry = services.account(host, name)
    if entry is None:
        return {"name": name, "sid": None, "logon_right": False}
    return {"name": name, "sid": entry["sid"], "logon_right": LOGON_RIGHT in entry["rights"]}


@register_script("nssm_read", "read")
def nssm_read(host: Host, request: dict[str, Any], check_mode: bool,
              secure: dict[str, Any] | None = None) -> dict[str, Any]:
    application = None
    if request.get("application"):
        found = find_program(host, request["application"])
        application = {"path": found or request["application"], "exists": found is not None}
    folders = {f: host.local_path(expand(f)).is_dir() for f in request.get("folders") or []}
    return {
        "nssm": find_nssm(host, request.get("executable")),
        "service": service_config(host, str(request.get("name") or ""), list(request.get("secret_names") or []),
                                  secure_text(secure, "DigestKey"), plain_names(request)),
        "application": application,
        "account": account_info(host, request["account"]) if request.get("account") else None,
        "folders": folders,
    }


class _Runner:
    def __init__(self, host: Host, request: dict[str, Any], secure: dict[str, Any] | None = None) -> None:
        self.host = host
        self.request = request
        self.exe = nssm.Nssm(host, str(request.get("executable") or ""))
        self.lines = request.get("control_lines") or {}
        self.secure = secure or {}
        self.password = self.secure.get("Password")  # the -Password SecureString (sensitive_parameters)
        self.saved: tuple[list[str] | None] | None = None  # AppEnvironmentExtra before set_environment

    def set_environment(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """Set-EnvironmentExtra of nssm_apply.ps1: the REG_MULTI_SZ value written directly (as nssm's
        setting_set_environment does), {"secret": NAME} as NAME=<value from -SecretEnvironment>."""
        name = str(self.request.get("name") or "")
        record = services.get(self.host, name)
        if self.saved is None:
            old = services.parameters(self.host, record).get(ENV_EXTRA) if record else None
            self.saved = (list(old) if old is not None else None,)
        values: dict[str, Any] | None = None
        lines = []
        for entry in entries:
            if not entry.get("secret"):
                lines.append(str(entry.get("text") or ""))
                continue
            if values is None:
                text = secure_text(self.secure, "SecretEnvironment")
                if not text:
                    return {"exit_code": 87, "output": "The parameter is incorrect. (no -SecretEnvironment given)"}
                values = json.loads(text)
            if entry["secret"] not in values:
                return {"exit_code": 87, "output": f"The parameter is incorrect. (-SecretEnvironment has no "
                                                   f"{entry['secret']})"}
            lines.append(f"{entry['secret']}={values[entry['secret']]}")
        if record is None:
            return {"exit_code": 3, "output": f"Can't open service {name}'s Parameters key"}
        services.set_protected(self.host, name, ENV_EXTRA, lines)
        return {"exit_code": 0, "output": ""}

    def restore_environment(self) -> dict[str, Any]:
        """Restore-EnvironmentExtra: the value as it was before set_environment ran (if it did)."""
        if self.saved is not None:
            services.set_protected(self.host, str(self.request.get("name") or ""), ENV_EXTRA, self.saved[0])
        return {"exit_code": 0, "output": ""}

    def set_account(self, account: str) -> dict[str, Any]:
        """Set-ServiceAccount of nssm_apply.ps1: ChangeServiceConfigW with the SecureString, no nssm
        command line; a Win32 error is reported like a failed command (its code as exit_code)."""
        if self.password is None:
            return {"exit_code": 87, "output": "The parameter is incorrect. (no -Password given)"}
        try:
            services.change_account(self.host, str(self.request.get("name") or ""), account,
                                    self.password.reveal())
        except services.ScmError as exc:
            return {"exit_code": exc.code, "output": str(exc)}
        return {"exit_code": 0, "output": ""}

    def invoke(self, line: str) -> dict[str, Any]:
        if not self.host.local_path(self.exe.path).is_file():
            raise HostError("ScriptError", f"The system cannot find the file specified: {self.exe.path}")
        run = self.exe.run_line(line)
        text = (nssm.decode_output(run.stdout) + nssm.decode_output(run.stderr)).strip()
        return {"exit_code": run.exit_code, "output": text}

    def commands(self, commands: list[dict[str, Any]]) -> dict[str, Any] | None:
        for command in commands:
            if "account" in command:
                run = self.set_account(str(command["account"]))
            elif "environment" in command:
                run = self.set_environment(list(command["environment"]))
            elif "restore" in command:
                run = self.restore_environment()
            else:
                run = self.invoke(str(command["line"]))
            if run["exit_code"] != 0:
                return {"command": command["label"], **run}
        return None

    def undo(self, restart: bool) -> bool:
        if self.request.get("created"):
            self.invoke(self.lines["stop"])
            self.invoke(self.lines["remove"])
            return True
        self.commands(self.request.get("rollback") or [])
        if restart:  # the failed start left the service paused: nssm start would fail, restart does not
            self.invoke(self.lines["restart"])
        return False

    def log_tail(self) -> list[str]:
        tail: list[str] = []
        count = int(self.request.get("log_lines") or 20)
        for path in self.request.get("logs") or []:
            data = self.host.read_bytes(path)
            if data is None:
                continue
            for line in data.decode("utf-8", "replace").splitlines()[-count:]:
                tail.append(f"{path}: {line}")
        return tail


def _status(host: Host, name: str) -> str | None:
    record = services.get(host, name)
    return record["status"] if record else None


def changed_settings(host: Host, name: str, expected: dict[str, Any] | None, secret_names: list[str] | None = None,
                     key: str = "", plain: list[str] | None = None) -> list[str]:
    """Get-MovedSettings of nssm_apply.ps1: the registry values the write will change, read again now (secret
    variables as digests under the same key), that differ from what the task's read saw (names as in the
    registry, Parameters values prefixed)."""
    expected = expected or {}
    if not (expected.get("values") or expected.get("parameters")):
        return []
    current = service_config(host, name, secret_names, key, plain) or {"values": {}, "parameters": {}}
    moved = []
    for where, prefix in (("values", ""), ("parameters", "Parameters\\")):
        for key, value in sorted((expected.get(where) or {}).items()):
            if current[where].get(key) != value:
                moved.append(prefix + key)
    return moved


@register_script("nssm_apply", "write")
def nssm_apply(host: Host, request: dict[str, Any], check_mode: bool,
               secure: dict[str, Any] | None = None) -> dict[str, Any]:
    name = str(request.get("name") or "")
    moved = changed_settings(host, name, request.get("expected"), list(request.get("secret_names") or []),
                             secure_text(secure, "DigestKey"), plain_names(request))
    if moved:
        raise HostError("ServiceChanged", f"service {name} changed since this task read it: "
                                          f"{', '.join(moved)}", settings=moved)
    runner = _Runner(host, request, secure)
    if request.get("delete_existing") and services.get(host, name) is not None:
        if _status(host, name) != services.STOPPED:
            services.stop(host, name)
        services.delete(host, name)
    if request.get("grant_logon_right"):
        services.grant_right(host, str(request["grant_logon_right"]), LOGON_RIGHT)
    commands = request.get("commands") or []
    failure = runner.commands(commands)
    if failure is not None:
        runner.undo(False)
        raise HostError("NssmFailed", f"nssm {failure['command']} failed with exit code {failure['exit_code']}: "
                                      f"{failure['output']}", **failure)
    control = request.get("control")
    if control == "stop":
        run = runner.invoke(runner.lines["stop"])
        if run["exit_code"] != 0:
            raise HostError("NssmFailed", f"nssm stop {name} failed with exit code {run['exit_code']}: "
                                          f"{run['output']}", command=f"stop {name}", **run)
    elif control in ("start", "restart"):
        run = runner.invoke(runner.lines[control])
        status = _status(host, name)
        if status != services.RUNNING:
            tail = runner.log_tail()
            removed = runner.undo(control == "restart")
            raise HostError("StartFailed", f"service {name} did not stay running after nssm {control} (status "
                                           f"{status}, exit code {run['exit_code']}: {run['output']})",
                            status=status, log_tail=tail, removed=removed, output=run["output"])
    return {"changed": True, "status": _status(host, name), "commands_run": len(commands)}


@register_script("nssm_extract", "write")
def nssm_extract(host: Host, request: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """Copy ``member`` of the zip ``archive`` to ``dest`` unless dest already has the same SHA-256."""
    archive = str(request.get("archive") or "")
    data = host.read_bytes(archive)
    if data is None:
        raise HostError("FileNotFound", f"archive {archive} does not exist")
    member = str(request.get("member") or "").replace("\\", "/")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            content = zipped.read(member)
    except KeyError:
        raise HostError("FileNotFound", f"{member} is not in {archive}") from None
    except zipfile.BadZipFile as exc:
        raise HostError("InvalidArchive", f"{archive} is not a zip file: {exc}") from None
    dest = str(request.get("dest") or "")
    checksum = hashlib.sha256(content).hexdigest()
    expected = str(request.get("checksum") or "").lower()
    if expected and expected != checksum:
        raise HostError("ChecksumMismatch", f"{member} in {archive} has SHA-256 {checksum}, expected {expected}")
    changed = host.sha256(dest) != checksum
    if changed:
        host.write_bytes(dest, content)
    return {"changed": changed, "dest": dest, "checksum": checksum}
