"""nssm service settings: module options <-> the registry values nssm keeps, with nssm's defaults.

Facts (shared/research/iis-facts.md section 5.3, docs/nssm.md): nssm stores its own parameters under
``HKLM\\SYSTEM\\CurrentControlSet\\Services\\<svc>\\Parameters`` and the native ones (DisplayName,
Description, ObjectName, Start, DependOnService) on the service key itself. A parameter that is not
in the registry has nssm's built-in default; ``nssm set`` to the default deletes the value.
"""

from __future__ import annotations

import hashlib
import hmac
import ntpath
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.nssm_quote import quote_args

START_MODES = {
    "auto": "SERVICE_AUTO_START",
    "delayed": "SERVICE_DELAYED_AUTO_START",  # the value nssm's code accepts (its README says otherwise)
    "manual": "SERVICE_DEMAND_START",
    "disabled": "SERVICE_DISABLED",
}
# Registry Start value (+ DelayedAutostart) -> start mode.
START_VALUES = {2: "auto", 3: "manual", 4: "disabled"}

EXIT_ACTIONS = {"restart": "Restart", "ignore": "Ignore", "exit": "Exit", "suicide": "Suicide"}

# AppStdoutCreationDisposition / AppStderrCreationDisposition: CreateFile's dwCreationDisposition, used at
# every start of the application (nssm io.cpp get_output_handles). nssm's default is 4 OPEN_ALWAYS (then it
# seeks to the end: append); 2 CREATE_ALWAYS empties an existing file (docs/nssm.md "Log files").
DISPOSITIONS = {"append": 4, "truncate": 2}

DWORD_MAX = 0xFFFFFFFF


@dataclass(frozen=True)
class Setting:
    """One option: where nssm keeps it, its kind and nssm's default (None: computed or none)."""

    option: str
    param: str              # nssm parameter name (``nssm set <svc> <param>``)
    kind: str               # str | path | int | bool | env | list | start | exit | account | args | disposition
    default: Any = None
    native: bool = False    # on the service key, not under Parameters


SETTINGS: list[Setting] = [
    Setting("application", "Application", "path"),
    Setting("arguments", "AppParameters", "args", ""),
    Setting("working_directory", "AppDirectory", "path"),          # default: the application's folder
    Setting("environment", "AppEnvironmentExtra", "env", {}),
    Setting("display_name", "DisplayName", "str", native=True),   # default: the service name
    Setting("description", "Description", "str", "", native=True),
    Setting("start_mode", "Start", "start", "auto", native=True),
    Setting("username", "ObjectName", "account", "LocalSystem", native=True),
    Setting("dependencies", "DependOnService", "list", [], native=True),
    Setting("stdout_file", "AppStdout", "path", ""),
    Setting("stderr_file", "AppStderr", "path", ""),
    Setting("stdout_creation_disposition", "AppStdoutCreationDisposition", "disposition", "append"),
    Setting("stderr_creation_disposition", "AppStderrCreationDisposition", "disposition", "append"),
    Setting("rotate_files", "AppRotateFiles", "bool", False),
    Setting("rotate_online", "AppRotateOnline", "bool", False),
    Setting("rotate_seconds", "AppRotateSeconds", "int", 0),
    Setting("rotate_bytes", "AppRotateBytes", "int", 0),
    Setting("timestamp_log", "AppTimestampLog", "bool", False),
    Setting("exit_action", "AppExit", "exit", "restart"),
    Setting("restart_delay", "AppRestartDelay", "int", 0),
    Setting("throttle", "AppThrottle", "int", 1500),
    Setting("stop_console_timeout", "AppStopMethodConsole", "int", 1500),
    Setting("stop_window_timeout", "AppStopMethodWindow", "int", 1500),
    Setting("stop_threads_timeout", "AppStopMethodThreads", "int", 1500),
    Setting("kill_process_tree", "AppKillProcessTree", "bool", True),
    Setting("no_console", "AppNoConsole", "bool", False),
]
BY_OPTION = {s.option: s for s in SETTINGS}

# Accounts that need no password and hold the service logon right by themselves.
BUILTIN_ACCOUNTS = {
    "localsystem": "LocalSystem", ".\\localsystem": "LocalSystem", "system": "LocalSystem",
    "nt authority\\system": "LocalSystem",
    "localservice": "NT AUTHORITY\\LocalService", "nt authority\\localservice": "NT AUTHORITY\\LocalService",
    "nt authority\\local service": "NT AUTHORITY\\LocalService",
    "networkservice": "NT AUTHORITY\\NetworkService", "nt authority\\networkservice": "NT AUTHORITY\\NetworkService",
    "nt authority\\network service": "NT AUTHORITY\\NetworkService",
}


def virtual_account(service: str) -> str:
    return f"NT SERVICE\\{service}"


def is_virtual_account(name: str) -> bool:
    return name.lower().startswith("nt service\\")


def canonical_account(name: str) -> str:
    """Built-in accounts in the spelling the SCM stores; other names as given."""
    return BUILTIN_ACCOUNTS.get(name.strip().lower(), name.strip())


def needs_password(name: str) -> bool:
    """Accounts nssm sets without a password: built-ins, virtual accounts, gMSAs (``name$``)."""
    account = canonical_account(name)
    return not (account in BUILTIN_ACCOUNTS.values() or is_virtual_account(account) or account.endswith("$"))


def needs_logon_right_check(name: str) -> bool:
    """Virtual accounts get the right through NT SERVICE\\ALL SERVICES; built-ins have it."""
    account = canonical_account(name)
    return not (account in BUILTIN_ACCOUNTS.values() or is_virtual_account(account))


# Where a secret variable's value would be in a command or a label: the value never enters one.
SECRET_SLOT = "********"


@dataclass(frozen=True)
class Secret:
    """A secret environment value, compared by its HMAC-SHA256 digest (docs/nssm.md "Secret environment").

    As read from the host it has only the digest; the desired one also has the text (``value``), which is
    left out of repr and comparison and travels only as a win_powershell sensitive parameter.
    """

    digest: str
    value: str | None = field(default=None, repr=False, compare=False)


def secret_digest(key: str, value: str) -> str:
    """HMAC-SHA256 of the value's UTF-8 bytes, keyed by the task's random key (UTF-8): what nssm_read
    returns for a secret variable. A bare SHA-256 could be reversed by trying likely values."""
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def env_entries(environment: dict[str, Any]) -> list[str]:
    """AppEnvironmentExtra entries (``KEY=VALUE``), sorted by key so the order is stable; a secret's value
    shows as SECRET_SLOT (nssm_apply puts the value there on the host)."""
    return [f"{k}={SECRET_SLOT if isinstance(environment[k], Secret) else environment[k]}"
            for k in sorted(environment)]


def env_dict(entries: list[Any] | str | None) -> dict[str, Any]:
    """The variables of AppEnvironmentExtra as read; an entry nssm_read masked (``{"name", "hmac_sha256"}``,
    a secret variable of the task) becomes a Secret."""
    if entries is None:
        return {}
    if isinstance(entries, str):
        entries = [e for e in entries.splitlines() if e]
    result: dict[str, Any] = {}
    for entry in entries:
        if isinstance(entry, dict):
            result[str(entry.get("name"))] = Secret(str(entry.get("hmac_sha256")))
            continue
        key, _sep, value = str(entry).partition("=")
        result[key] = value
    return result


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in value.splitlines() if v]
    return [str(v) for v in value]


def current_settings(service: dict[str, Any]) -> dict[str, Any]:
    """The effective settings of a service as read by nssm_read (registry values + nssm defaults)."""
    values = service.get("values") or {}
    params = service.get("parameters") or {}
    name = service.get("name", "")
    result: dict[str, Any] = {}
    for s in SETTINGS:
        raw = values.get(s.param) if s.native else params.get(s.param)
        result[s.option] = from_registry(s, raw, values, params, name)
    if not result["working_directory"] and result["application"]:
        result["working_directory"] = ntpath.dirname(result["application"])
    return result


def from_registry(s: Setting, raw: Any, values: dict[str, Any], params: dict[str, Any], name: str) -> Any:
    if s.kind == "start":
        mode = START_VALUES.get(raw if isinstance(raw, int) else 2, "auto")
        if mode == "auto" and values.get("DelayedAutostart"):
            mode = "delayed"
        return mode
    if s.kind == "exit":
        default = raw.get("Default", raw.get("")) if isinstance(raw, dict) else raw
        return {v.lower(): k for k, v in EXIT_ACTIONS.items()}.get(str(default or "Restart").lower(), default)
    if s.kind == "env":
        return env_dict(raw)
    if s.kind == "list":
        return as_list(raw)
    if s.kind == "bool":
        return bool(raw) if raw is not None else s.default
    if s.kind == "int":
        return int(raw) if raw is not None else s.default
    if s.kind == "disposition":  # another CreateFile value set by hand stays a number (no option names it)
        number = int(raw) if raw is not None else DISPOSITIONS[s.default]
        return next((k for k, v in DISPOSITIONS.items() if v == number), number)
    if s.kind == "account":
        return canonical_account(raw) if raw else s.default
    if s.option == "display_name":
        return raw if raw else name
    if raw is None:
        return s.default if s.default is not None else ""
    return str(raw)


def registry_names(option: str) -> list[tuple[str, str]]:
    """Where nssm keeps an option: ``("values", name)`` on the service key, ``("parameters", name)`` under
    Parameters (AppExit is a subkey: its values as one object). The start mode is two values."""
    s = BY_OPTION[option]
    if s.kind == "start":
        return [("values", "Start"), ("values", "DelayedAutostart")]
    return [("values" if s.native else "parameters", s.param)]


def install_defaults(name: str, application: str) -> dict[str, Any]:
    """What ``nssm install <name> <application>`` leaves: nssm defaults, DisplayName = name,
    AppDirectory = the application's folder, LocalSystem, automatic start."""
    result = {s.option: s.default for s in SETTINGS}
    result.update(application=application, working_directory=ntpath.dirname(application), display_name=name,
                  environment={}, dependencies=[])
    return result


def desired_value(option: str, value: Any) -> Any:
    """A module option value in the shape current_settings returns."""
    if option == "arguments":
        return quote_args(value)
    if option == "environment":
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if option == "username":
        return canonical_account(value)
    if option == "dependencies":
        return [str(v) for v in value]
    return value


def same(option: str, current: Any, wanted: Any) -> bool:
    """Whether a setting already has the wanted value (paths and account names compare caseless)."""
    kind = BY_OPTION[option].kind
    if kind in ("path", "account"):
        return str(current or "").rstrip("\\").lower() == str(wanted or "").rstrip("\\").lower()
    if kind == "list":
        return sorted(v.lower() for v in current) == sorted(v.lower() for v in wanted)
    return bool(current == wanted)


def set_command(service: str, option: str, value: Any, password: str | None = None) -> list[str]:
    """The nssm command (argv without nssm.exe) that gives ``option`` the (desired-shape) value."""
    s = BY_OPTION[option]
    if s.kind == "env":
        entries = env_entries(value)
        return ["set", service, s.param, *entries] if entries else ["reset", service, s.param]
    if s.kind == "list":
        return ["set", service, s.param, *value] if value else ["reset", service, s.param]
    if s.kind == "start":
        return ["set", service, s.param, START_MODES[value]]
    if s.kind == "exit":
        return ["set", service, s.param, "Default", EXIT_ACTIONS[value]]
    if s.kind == "bool":
        return ["set", service, s.param, "1" if value else "0"]
    if s.kind == "int":
        return ["set", service, s.param, str(value)]
    if s.kind == "disposition":
        return ["set", service, s.param, str(DISPOSITIONS.get(value, value))]
    if s.kind == "account":
        return ["set", service, s.param, value] + ([password] if password is not None else [])
    if value == "" and not s.native:
        return ["reset", service, s.param]
    return ["set", service, s.param, str(value)]
