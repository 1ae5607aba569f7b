"""The service control manager of the emulated host: services, their registry values, status, accounts.

State lives in ``state.json``:
- ``services``: ``{<name>: {"name", "status", "values": {...}, "parameters": {...}}}``. ``values`` are the
  registry values of ``HKLM\\SYSTEM\\CurrentControlSet\\Services\\<name>`` (ImagePath, DisplayName,
  ObjectName, Start, Type, Description, DependOnService, DelayedAutostart); ``parameters`` those of its
  ``Parameters`` key (where nssm keeps its settings; a subkey such as ``AppExit`` is a nested dict and
  its unnamed default value is ``"Default"``). DWORDs are ints, REG_MULTI_SZ lists, strings str.
- ``accounts``: ``{<lower name>: {"name", "sid", "password_sha256", "rights": [...]}}`` local/domain
  accounts the host knows (built-in and virtual accounts are implicit).
- Passwords are never stored in clear: Windows keeps an account's password as a hash (SAM) and a
  service's logon password as an LSA secret (``_SC_<service>``), neither in a readable registry value
  ("ChangeServiceConfigW ... lpPassword": the password is stored by the SCM, not in the service key).
  The emulator keeps only a SHA-256 of each (``password_sha256`` on the account and on the service
  record), enough to decide whether the service can log on; nothing under the host root holds a password.
- ``environment``: machine environment variables (``Path``), as under
  ``HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment``.
- Registry values written with ``set_protected`` (nssm_apply's direct write of ``AppEnvironmentExtra`` when
  the task has secret variables) are kept out of ``state.json``: the record holds ``{"protected": true}``
  in their place and the data is in ``<root>/registry-protected.json`` (mode 0600), which stands for that
  registry value. On Windows the value is plain REG_MULTI_SZ data of the service's Parameters key; the
  emulator keeps it apart only so that tests can prove no other file, output or log holds a secret.
  ``parameters(host, record)`` gives a record's Parameters with such values read back.

Service names are case-insensitive, as in the SCM. Errors carry the Win32 error code the SCM returns.
What starting a service does is up to its binary: ``RUNNERS`` maps an image file name (``nssm.exe``)
to a function that plays the service program (winhost.nssm registers nssm's).
"""

from __future__ import annotations

import hashlib
import json
import ntpath
import os
from collections.abc import Callable
from typing import Any

from .host import CREATE_HOOKS, Host, write_whole
from .paths import ENVIRONMENT

RUNNING = "SERVICE_RUNNING"
STOPPED = "SERVICE_STOPPED"
PAUSED = "SERVICE_PAUSED"
START_VALUES = {"SERVICE_AUTO_START": 2, "SERVICE_DEMAND_START": 3, "SERVICE_DISABLED": 4}
OWN_PROCESS = 16
DEFAULT_PATH = ("C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;"
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\")
BUILTIN_ACCOUNTS = {"localsystem", "nt authority\\system", "nt authority\\localservice",
                    "nt authority\\networkservice"}

# Win32 errors the SCM returns (winerror.h), with their system messages.
ERROR_MESSAGES = {
    1056: "An instance of the service is already running.",
    1058: "The service cannot be started, either because it is disabled or because it has no enabled "
          "devices associated with it.",
    1060: "The specified service does not exist as an installed service.",
    1062: "The service has not been started.",
    1069: "The service did not start due to a logon failure.",
    1073: "The specified service already exists.",
    1075: "The dependency service does not exist or has been marked for deletion.",
    1057: "The account name is invalid or does not exist, or the password is invalid for the account name "
          "specified.",
}

PROTECTED_FILE = "registry-protected.json"
PROTECTED = {"protected": True}

Runner = Callable[[Host, dict[str, Any]], str]
RUNNERS: dict[str, Runner] = {}


class ScmError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(ERROR_MESSAGES.get(code, f"Win32 error {code}"))
        self.code = code


def _state_services(state: dict[str, Any]) -> dict[str, Any]:
    return state.setdefault("services", {})


def key_of(state: dict[str, Any], name: str) -> str | None:
    lower = name.lower()
    return next((k for k in _state_services(state) if k.lower() == lower), None)


def get(host: Host, name: str) -> dict[str, Any] | None:
    state = host.load_state()
    key = key_of(state, name)
    return _state_services(state)[key] if key else None


def update(host: Host, name: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Change one service record in place (raises ScmError 1060 when it does not exist)."""
    def apply(state: dict[str, Any]) -> None:
        key = key_of(state, name)
        if key is None:
            raise ScmError(1060)
        change(_state_services(state)[key])
    state = host.update_state(apply)
    key = key_of(state, name)
    assert key is not None
    return _state_services(state)[key]


def create(host: Host, name: str, image_path: str, display_name: str | None = None,
           start: int = 2, account: str = "LocalSystem") -> dict[str, Any]:
    """CreateService: ERROR_SERVICE_EXISTS (1073) when the name is taken."""
    record = {"name": name, "status": STOPPED, "parameters": {},
              "values": {"ImagePath": image_path, "DisplayName": display_name or name, "ObjectName": account,
                         "Start": start, "Type": OWN_PROCESS, "ErrorControl": 1}}

    def apply(state: dict[str, Any]) -> None:
        if key_of(state, name) is not None:
            raise ScmError(1073)
        _state_services(state)[name] = record
    host.update_state(apply)
    return record


def _protected_store(host: Host) -> dict[str, Any]:
    path = host.root / PROTECTED_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _save_protected(host: Host, store: dict[str, Any]) -> None:
    path = host.root / PROTECTED_FILE
    write_whole([(path, (json.dumps(store, indent=2, sort_keys=True) + "\n").encode("utf-8"))])
    os.chmod(path, 0o600)


def set_protected(host: Host, name: str, param: str, entries: list[str] | None) -> None:
    """RegSetValueEx(REG_MULTI_SZ) of a Parameters value (RegDeleteValue when ``entries`` is empty or None),
    its data kept in the protected store instead of state.json (module docstring)."""
    with host.lock():
        record = get(host, name)
        if record is None:
            raise ScmError(1060)
        store = _protected_store(host)
        values = store.setdefault(record["name"].lower(), {})
        if entries:
            values[param] = list(entries)
        else:
            values.pop(param, None)
        _save_protected(host, store)
        update(host, name, lambda r: r["parameters"].__setitem__(param, dict(PROTECTED)) if entries
               else r["parameters"].pop(param, None))


def parameters(host: Host, record: dict[str, Any]) -> dict[str, Any]:
    """The record's Parameters values as the registry holds them (protected values read back)."""
    params = dict(record.get("parameters") or {})
    stored = None
    for param, value in params.items():
        if value == PROTECTED:
            stored = _protected_store(host) if stored is None else stored
            params[param] = list(stored.get(str(record["name"]).lower(), {}).get(param) or [])
    return params


def delete(host: Host, name: str) -> None:
    """DeleteService. A running service is stopped first (the SCM marks it for deletion and removes it
    once stopped; the emulator does both at once)."""
    record = get(host, name)
    if record is not None:
        end_process(host, record)

    def apply(state: dict[str, Any]) -> None:
        key = key_of(state, name)
        if key is None:
            raise ScmError(1060)
        del _state_services(state)[key]
    host.update_state(apply)
    if record is not None and any(v == PROTECTED for v in record["parameters"].values()):
        store = _protected_store(host)
        store.pop(record["name"].lower(), None)
        _save_protected(host, store)


def end_process(host: Host, record: dict[str, Any]) -> None:
    """Stop the real process a service runs (winhost.processes), the way nssm stops its application."""
    pid = (record.get("process") or {}).get("pid")
    if pid is None:
        return
    from . import processes

    timeout = int(record.get("parameters", {}).get("AppStopMethodConsole", 1500))
    processes.stop(host, int(pid), timeout)
    record["process"]["pid"] = None


def local_name(name: str) -> str:
    """'.\\user' is the local account COMPUTERNAME\\user (ansible-core's Convert-ToSID; the SCM accepts both)."""
    return ENVIRONMENT["COMPUTERNAME"] + name[1:] if name.startswith(".\\") else name


def account_known(host: Host, name: str, service: str | None = None) -> bool:
    lower = local_name(name).lower()
    if lower in BUILTIN_ACCOUNTS or lower.startswith("nt service\\") or lower.endswith("$"):
        return True
    return lower in host.load_state().get("accounts", {})


def password_digest(password: str) -> str:
    """What the emulator keeps of a password (see the module docstring): its SHA-256."""
    return hashlib.sha256(password.encode("utf-8")).hexdigest()


def add_account(host: Host, name: str, password: str, rights: list[str] | None = None) -> str:
    """Make an account the host knows (tests); returns its SID."""
    sid = "S-1-5-21-1000-2000-3000-" + str(1000 + int(hashlib.sha256(name.lower().encode()).hexdigest()[:4], 16))
    host.update_state(lambda s: s.setdefault("accounts", {}).__setitem__(
        name.lower(), {"name": name, "sid": sid, "password_sha256": password_digest(password),
                       "rights": list(rights or [])}))
    return sid


def no_password(name: str) -> bool:
    """Accounts that log on without a password: built-ins, virtual accounts, gMSAs (``name$``)."""
    lower = name.lower()
    return lower in BUILTIN_ACCOUNTS or lower.startswith("nt service\\") or lower.endswith("$")


def set_logon(record: dict[str, Any], host: Host, name: str, password: str | None) -> None:
    """ChangeServiceConfigW(lpServiceStartName, lpPassword) on a service record: the SCM checks that the
    account exists (ERROR_INVALID_SERVICE_ACCOUNT, 1057) but not the password, which is only tried at the
    next start (ERROR_SERVICE_LOGON_FAILED, 1069). A password given for a built-in account is ignored."""
    if not account_known(host, name):
        raise ScmError(1057)
    record["values"]["ObjectName"] = name
    if no_password(name) or password is None:
        record.pop("password_sha256", None)
    else:
        record["password_sha256"] = password_digest(password)


def change_account(host: Host, service: str, name: str, password: str | None) -> None:
    """ChangeServiceConfigW with only the account and password (what ``nssm set <svc> ObjectName <user>
    <password>`` calls, nssm settings.cpp native_set_objectname); ScmError 1060 / 1057."""
    update(host, service, lambda record: set_logon(record, host, name, password))


def account(host: Host, name: str) -> dict[str, Any] | None:
    return host.load_state().get("accounts", {}).get(local_name(name).lower())


def grant_right(host: Host, sid: str, right: str) -> None:
    def apply(state: dict[str, Any]) -> None:
        for entry in state.get("accounts", {}).values():
            if entry["sid"] == sid and right not in entry["rights"]:
                entry["rights"].append(right)
    host.update_state(apply)


def logon_ok(host: Host, record: dict[str, Any]) -> bool:
    """Whether the SCM can log the service on: built-in and virtual accounts always; other accounts need
    the right password (kept by ObjectName's setter) and SeServiceLogonRight."""
    name = str(record["values"].get("ObjectName") or "LocalSystem")
    if no_password(name):
        return True
    entry = account(host, name)
    return bool(entry and entry["password_sha256"] == record.get("password_sha256")
                and "SeServiceLogonRight" in entry["rights"])


def start(host: Host, name: str) -> str:
    """StartService, then what the service program does; returns the status it settles in."""
    record = get(host, name)
    if record is None:
        raise ScmError(1060)
    if record["status"] in (RUNNING, PAUSED):
        raise ScmError(1056)
    if record["values"].get("Start") == 4:
        raise ScmError(1058)
    for dependency in record["values"].get("DependOnService") or []:
        dep = get(host, dependency)
        if dep is None:
            raise ScmError(1075)
        if dep["status"] != RUNNING:
            start(host, dependency)
    if not logon_ok(host, record):
        raise ScmError(1069)
    image = str(record["values"].get("ImagePath") or "").strip()
    exe = image[1:].split('"', maxsplit=1)[0] if image.startswith('"') else image.split(" ", maxsplit=1)[0]
    runner = RUNNERS.get(ntpath.basename(exe).lower())
    # The service program reads its Parameters as they are (protected values included); only its status
    # and process record go back into state.json.
    view = {**record, "parameters": parameters(host, record)}
    status = runner(host, view) if runner else RUNNING
    update(host, name, lambda r: r.update(status=status, process=view.get("process")))
    return status


def stop(host: Host, name: str) -> None:
    """ControlService(STOP): ERROR_SERVICE_NOT_ACTIVE (1062) when it is not running."""
    record = get(host, name)
    if record is None:
        raise ScmError(1060)
    if record["status"] == STOPPED:
        raise ScmError(1062)
    end_process(host, record)
    update(host, name, lambda r: r.update(status=STOPPED, process=record.get("process")))


def machine_path(host: Host) -> str:
    return str(host.load_state().get("environment", {}).get("Path", DEFAULT_PATH))


def _on_create(host: Host, bare: bool) -> None:
    """Defaults a new host gets (read code also falls back to them when this hook did not run)."""
    def apply(state: dict[str, Any]) -> None:
        state.setdefault("environment", {}).setdefault("Path", DEFAULT_PATH)
        state.setdefault("accounts", {})
    host.update_state(apply)


CREATE_HOOKS.append(_on_create)
