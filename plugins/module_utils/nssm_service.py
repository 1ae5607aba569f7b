"""winflask.iis.nssm_service: argument spec, validation and the plan (read result + args -> commands).

The host side is two scripts (docs/architecture.md 3.7, 3.8): ``nssm_read`` returns the whole service
configuration (registry values nssm keeps) and ``nssm_apply`` runs a list of nssm commands, then a
start/stop/restart, rolling back when the start fails. Every decision is taken here.
"""

from __future__ import annotations

import json
import ntpath
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.nssm_quote import (
    batch_args, batch_unsafe, is_batch, nssm_command_line)
from ansible_collections.winflask.iis.plugins.module_utils.nssm_settings import (
    BY_OPTION, DISPOSITIONS, DWORD_MAX, EXIT_ACTIONS, SECRET_SLOT, SETTINGS, START_MODES, Secret, canonical_account,
    current_settings, desired_value, install_defaults, needs_logon_right_check, needs_password, registry_names,
    same, secret_digest, set_command, virtual_account)

STATES = ["present", "started", "stopped", "restarted", "absent"]
RUNNING = "SERVICE_RUNNING"
STOPPED = "SERVICE_STOPPED"
# Where the password goes in the plan's ObjectName command: the password itself never enters a command,
# a request or a result; nssm_apply receives it as the SecureString parameter -Password (docs/nssm.md).
PASSWORD_SLOT = "********"
LOG_LINES = 20

SPEC = ModuleSpec(argument_spec={
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "default": "present", "choices": STATES},
    "application": {"type": "str"},
    "arguments": {"type": "list", "elements": "str"},
    "working_directory": {"type": "str"},
    "environment": {"type": "dict"},
    "secret_environment": {"type": "dict", "no_log": True},
    "display_name": {"type": "str"},
    "description": {"type": "str"},
    "start_mode": {"type": "str", "choices": list(START_MODES)},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "update_password": {"type": "str", "default": "on_change", "choices": ["always", "on_change"]},
    "grant_logon_right": {"type": "bool", "default": True},
    "dependencies": {"type": "list", "elements": "str"},
    "stdout_file": {"type": "str"},
    "stderr_file": {"type": "str"},
    "stdout_creation_disposition": {"type": "str", "choices": list(DISPOSITIONS)},
    "stderr_creation_disposition": {"type": "str", "choices": list(DISPOSITIONS)},
    "rotate_files": {"type": "bool"},
    "rotate_online": {"type": "bool"},
    "rotate_seconds": {"type": "int"},
    "rotate_bytes": {"type": "int"},
    "timestamp_log": {"type": "bool"},
    "exit_action": {"type": "str", "choices": list(EXIT_ACTIONS)},
    "restart_delay": {"type": "int"},
    "throttle": {"type": "int"},
    "stop_console_timeout": {"type": "int"},
    "stop_window_timeout": {"type": "int"},
    "stop_threads_timeout": {"type": "int"},
    "kill_process_tree": {"type": "bool"},
    "no_console": {"type": "bool"},
    "executable": {"type": "str"},
    "take_over": {"type": "bool", "default": False},
}, kinds={"name": "service_name", "display_name": "display_name", "dependencies": "service_name"})

INFO_SPEC = ModuleSpec(argument_spec={
    "name": {"type": "str", "required": True},
    "executable": {"type": "str"},
    "secret_names": {"type": "list", "elements": "str", "default": [], "no_log": False},
}, kinds={"name": "service_name"})

INT_OPTIONS = ["rotate_seconds", "rotate_bytes", "restart_delay", "throttle", "stop_console_timeout",
               "stop_window_timeout", "stop_threads_timeout"]


def validate(args: dict[str, Any]) -> None:
    """Checks the argument spec cannot express; the message names the option and the value."""
    # name and display_name: service name rules (CreateService) are checks.py kinds, run by the action base.
    if not args["name"].strip():
        raise ModuleError(f"name must be a service name, not only spaces, got {args['name']!r}")
    for option in INT_OPTIONS:
        value = args.get(option)
        if value is not None and not 0 <= value <= DWORD_MAX:
            raise ModuleError(f"{option} must be between 0 and {DWORD_MAX}, got {value}")
    for option in ("environment", "secret_environment"):
        for key, value in (args.get(option) or {}).items():
            if not str(key) or "=" in str(key):
                raise ModuleError(f"{option} names must be non-empty and contain no '=', got {key!r}")
            if isinstance(value, (dict, list)):
                shown = "a list" if isinstance(value, list) else "a dictionary"
                raise ModuleError(f"{option}.{key} must be a string or a number (one environment variable's "
                                  f"value), got {shown}")
    seen: dict[str, tuple[str, str]] = {}  # Windows environment names are case-insensitive
    for option in ("environment", "secret_environment"):
        for key in sorted(str(k) for k in args.get(option) or {}):
            first = seen.setdefault(key.lower(), (option, key))
            if first == (option, key):
                continue
            if first[0] == option:
                raise ModuleError(f"{option} names the variable {first[1]!r} twice ({key!r}); Windows environment "
                                  "names are case-insensitive")
            raise ModuleError(f"secret_environment and environment both name the variable {key!r}; "
                              "give each variable in one of them only")
    for option in ("application", "working_directory", "stdout_file", "stderr_file"):
        value = args.get(option)
        if value is not None and '"' in value:  # control characters: the shared checks (checks.py)
            raise ModuleError(f"{option} must be a path without quotes, got {value!r}")
    if args.get("application") is not None and not args["application"].strip():
        raise ModuleError("application must not be empty")
    if is_batch(args.get("application")):
        check_batch_arguments(args, args["application"])
    username = args.get("username")
    if username is not None:
        if not username.strip():
            raise ModuleError("username must not be empty (use LocalSystem for the system account)")
        if needs_password(username) and not args.get("password"):
            raise ModuleError(f"password is required for username '{username}' (only LocalSystem, "
                              "NT AUTHORITY\\LocalService, NT AUTHORITY\\NetworkService, NT SERVICE\\<name> "
                              "virtual accounts and gMSAs ending in $ need none)")
    if args.get("password") and username is None:
        raise ModuleError("password is given but username is not")


def check_batch_arguments(args: dict[str, Any], application: str) -> None:
    """A .bat/.cmd application gets its arguments through cmd.exe: refuse what cmd.exe would interpret."""
    found = batch_unsafe(args.get("arguments") or [])
    if found is None:
        return
    index, char = found
    raise ModuleError(
        f"arguments[{index}] {args['arguments'][index]!r} contains {char!r}, which cmd.exe interprets even "
        f"inside quotes; the application {application!r} is a batch file, run by cmd.exe (\"%VAR%\" and "
        "\"!VAR!\" expand, a double quote ends the quoting and lets the rest run as commands). Pass such a "
        "value through environment, or make the service run the program itself instead of a .bat/.cmd")


def check_kept_arguments(stored: str | None, application: str) -> None:
    """The service becomes a batch file and keeps its arguments: they were quoted for a C program, and
    cmd.exe would read a double quote, % or ! in them as its own syntax."""
    found = batch_unsafe([stored or ""])
    if found is not None:
        raise ModuleError(
            f"application {application!r} is a batch file, run by cmd.exe, but the service keeps its current "
            f"arguments {stored!r}, which contain {found[1]!r}: cmd.exe would interpret it. Give arguments in this "
            "task too (they are then quoted for cmd.exe, or refused if cmd.exe cannot take them), or [] for none")


def wanted_account(args: dict[str, Any]) -> str | None:
    return canonical_account(args["username"]) if args.get("username") else None


def read_request(args: dict[str, Any]) -> dict[str, Any]:
    """The one nssm_read request of a task."""
    present = args.get("state") != "absent"
    account = wanted_account(args) or (virtual_account(args["name"]) if present else None)
    return {"name": args["name"], "executable": args.get("executable"),
            "secret_names": secret_names(args), "plain_names": plain_names(args),
            "application": args.get("application") if present else None,
            "account": account if account and needs_logon_right_check(account) else None,
            "folders": log_folders(args) if present else []}


def secret_names(args: dict[str, Any]) -> list[str]:
    """The names of the task's secret variables (nssm_service's secret_environment, nssm_service_info's
    secret_names): nssm_read returns their digests, never their values."""
    return sorted(str(k) for k in args.get("secret_environment") or args.get("secret_names") or [])


def plain_names(args: dict[str, Any]) -> list[str]:
    """The only variables whose values nssm_read may return for nssm_service: the task's ``environment``
    names. Every other AppEnvironmentExtra entry (an earlier task's secret, one set by hand) comes back as
    a digest, so no value the task did not give leaves the host (docs/nssm.md "Secret environment")."""
    return sorted(str(k) for k in args.get("environment") or {})


def log_folders(args: dict[str, Any]) -> list[str]:
    """Folders of the log files the task sets: nssm cannot create them, the service would not start."""
    folders = [ntpath.dirname(args[o]) for o in ("stdout_file", "stderr_file") if args.get(o)]
    return list(dict.fromkeys(f for f in folders if f))


def check_folders(args: dict[str, Any], read: dict[str, Any]) -> None:
    found = read.get("folders") or {}
    for option in ("stdout_file", "stderr_file"):
        folder = ntpath.dirname(args.get(option) or "")
        if folder and found.get(folder) is False:
            raise ModuleError(f"{option} '{args[option]}': the folder {folder} does not exist on the host "
                              "(nssm does not create it and the service would not start); create it first, "
                              "e.g. with ansible.windows.win_file state=directory")


def check_shared_log(args: dict[str, Any], after: dict[str, Any]) -> None:
    """stdout and stderr in one file: nssm opens it once, with stdout's disposition (io.cpp copies
    stdout's share mode, disposition and flags to stderr), so a different stderr one would be ignored."""
    out, err = after.get("stdout_file"), after.get("stderr_file")
    wanted = args.get("stderr_creation_disposition")
    if not out or not err or wanted is None or not same("stdout_file", out, err):
        return
    used = after["stdout_creation_disposition"]
    if wanted != used:
        raise ModuleError(f"stderr_creation_disposition '{wanted}' would be ignored: stderr_file and stdout_file "
                          f"are the same file ({err}), which nssm opens once with stdout_creation_disposition "
                          f"'{used}'; give both the same value")


@dataclass
class Plan:
    commands: list[list[str]] = field(default_factory=list)
    control: str | None = None          # start | stop | restart
    delete_existing: bool = False       # take over a non-nssm service: delete it first
    created: bool = False
    grant_logon_right: str | None = None
    rollback: list[list[str]] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    status: str | None = None           # status expected after the task
    changed_options: list[str] = field(default_factory=list)
    secret_names: list[str] = field(default_factory=list)  # secret_environment's names (never values)
    plain_names: list[str] = field(default_factory=list)  # environment's names (values nssm_read may return)

    @property
    def changed(self) -> bool:
        return bool(self.commands or self.control or self.delete_existing or self.grant_logon_right)


def is_nssm_service(service: dict[str, Any], nssm: dict[str, Any] | None) -> bool:
    """ImagePath runs nssm.exe: nssm's own test, done on the path's file name."""
    image = str((service.get("values") or {}).get("ImagePath") or "").strip().strip('"')
    exe = image.split('"', maxsplit=1)[0].strip() if image else ""
    if nssm and nssm.get("path") and exe.lower() == str(nssm["path"]).lower():
        return True
    return ntpath.basename(exe).lower() == "nssm.exe"


def resolve_application(args: dict[str, Any], read: dict[str, Any]) -> str | None:
    """The application path to write: as given, or as resolved on the host's PATH; error when missing."""
    if args.get("application") is None:
        return None
    info = read.get("application") or {}
    if not info.get("exists"):
        raise ModuleError(f"application '{args['application']}' does not exist on the host "
                          "(give the full path of an existing .exe, .bat or .cmd)")
    return str(info.get("path") or args["application"])


def check_account(args: dict[str, Any], read: dict[str, Any], account: str) -> str | None:
    """The account to grant SeServiceLogonRight to, None when it holds it or needs no check."""
    if not needs_logon_right_check(account):
        return None
    info = read.get("account") or {}
    if not info.get("sid"):
        raise ModuleError(f"username '{account}' is not an account the host knows")
    if info.get("logon_right"):
        return None
    if not args.get("grant_logon_right", True):
        raise ModuleError(f"username '{account}' lacks the right to log on as a service (SeServiceLogonRight); "
                          "set grant_logon_right=true or grant it with ansible.windows.win_user_right")
    return str(info["sid"])


def desired_settings(args: dict[str, Any], application: str | None, key: str = "") -> dict[str, Any]:
    wanted = {s.option: desired_value(s.option, args[s.option]) for s in SETTINGS
              if s.option != "application" and args.get(s.option) is not None}
    if application is not None:
        wanted["application"] = application
    secrets = args.get("secret_environment")
    if secrets is not None:  # environment and secret_environment together are the whole AppEnvironmentExtra
        wanted["environment"] = dict(wanted.get("environment") or {}) | {
            str(k): Secret(secret_digest(key, text), text)
            for k, text in (((k, "" if v is None else str(v)) for k, v in secrets.items()))}
    return wanted


def setting_commands(name: str, current: dict[str, Any], wanted: dict[str, Any], args: dict[str, Any],
                     force_account: bool = False) -> tuple[list[list[str]], dict[str, Any], list[str]]:
    """nssm commands for the settings that differ, the settings after, and the changed option names."""
    after = dict(current)
    commands: list[list[str]] = []
    changed: list[str] = []
    for s in SETTINGS:
        if s.option not in wanted:
            continue
        value = wanted[s.option]
        account_refresh = s.option == "username" and (force_account or (
            args.get("password") and args.get("update_password") == "always"))
        if same(s.option, current[s.option], value) and not account_refresh:
            continue
        password = None
        if s.option == "username" and needs_password(value):
            password = PASSWORD_SLOT  # the host puts the SecureString there (apply_request, nssm_apply)
        commands.append(set_command(name, s.option, value, password))
        after[s.option] = value
        changed.append(s.option)
    return commands, after, changed


def rollback_commands(name: str, before: dict[str, Any], changed: list[str]) -> list[list[str]]:
    """Commands that put the changed settings back (the account only when it needs no password)."""
    commands = []
    for option in changed:
        if option == "username" and needs_password(before[option]):
            continue
        commands.append(set_command(name, option, before[option]))
    return commands


def plan(args: dict[str, Any], read: dict[str, Any], key: str = "") -> Plan:
    """What the task does, from the nssm_read result: commands, control, before/after settings.

    ``key`` is the task's digest key (sent to nssm_read as a sensitive parameter): a secret variable is
    compared by the HMAC-SHA256 of its value under that key."""
    name = args["name"]
    state = args["state"]
    service = read.get("service")
    nssm = read.get("nssm")
    if nssm is None and not (state == "absent" and service is None):
        where = args.get("executable") or "nssm.exe on the PATH or in %ProgramFiles%\\nssm"
        raise ModuleError(f"nssm was not found on the host ({where}): run the winflask.iis.nssm role first, "
                          "or give its full path in executable")
    result = Plan(secret_names=secret_names(args), plain_names=plain_names(args))
    ours = service is not None and is_nssm_service(service, nssm)
    if service is not None and not ours and not args.get("take_over"):
        image = (service.get("values") or {}).get("ImagePath")
        raise ModuleError(f"service '{name}' exists but is not an nssm service (ImagePath '{image}'); "
                          "set take_over=true to replace it with an nssm service")

    if state == "absent":
        if service is None:
            return result
        result.before = current_settings(service) if ours else None
        if service.get("status") != STOPPED:
            result.commands.append(["stop", service["name"]])
        result.commands.append(["remove", service["name"], "confirm"])
        result.status = None
        return result

    application = resolve_application(args, read)
    check_folders(args, read)
    wanted = desired_settings(args, application, key)
    current = current_settings(service) if ours and service else None
    run = application or (current["application"] if current else None)
    if args.get("arguments") is not None and is_batch(run):
        check_batch_arguments(args, str(run))
        wanted["arguments"] = batch_args(args["arguments"])  # cmd.exe's quoting, not the C runtime's
    elif current and is_batch(application) and not is_batch(current["application"]):
        check_kept_arguments(current["arguments"], str(application))
    account = wanted.get("username") or virtual_account(name)
    status = service.get("status") if ours and service else STOPPED

    if ours and service is not None:
        result.before = current_settings(service)
        key = service["name"]
        commands, after, changed = setting_commands(key, result.before, wanted, args)
        result.rollback = rollback_commands(key, result.before, changed)
    else:
        if application is None:
            raise ModuleError(f"application is required to create the service '{name}'")
        result.delete_existing = service is not None
        result.created = True
        key = name
        wanted.setdefault("username", canonical_account(account))
        base = install_defaults(name, application)
        commands, after, changed = setting_commands(key, base, wanted, args)
        commands.insert(0, ["install", key, application])
    result.commands, result.after, result.changed_options = commands, after, changed
    check_shared_log(args, after)
    if "username" in changed or result.created:
        result.grant_logon_right = check_account(args, read, after["username"])

    # `nssm start` fails on a service that is not stopped (a throttled app leaves it SERVICE_PAUSED):
    # anything but SERVICE_STOPPED is restarted instead.
    if state == "started":
        if status == STOPPED:
            result.control = "start"
        elif status != RUNNING or commands:
            result.control = "restart"  # new settings take effect at the next start
    elif state == "restarted":
        result.control = "start" if status == STOPPED else "restart"
    elif state == "stopped" and status != STOPPED:
        result.control = "stop"
    if result.control in ("start", "restart"):
        result.status = RUNNING
    elif result.control == "stop":
        result.status = STOPPED
    else:
        result.status = status
    return result


def sets_password(argv: list[str]) -> bool:
    """The command gives the service an account that logs on with the task's password."""
    return len(argv) == 5 and argv[0] == "set" and argv[2] == "ObjectName" and argv[4] == PASSWORD_SLOT


ENV_PARAM = BY_OPTION["environment"].param


def command_entry(argv: list[str], secrets: list[str] | None = None, rollback: bool = False) -> dict[str, Any]:
    """One command for nssm_apply: the quoted argument string, and a label without secrets.

    The account with a password is no nssm command line (a process's command line is readable by
    every local user while it runs): nssm_apply sets it through the SCM itself, as nssm's
    ``set <svc> ObjectName`` does (ChangeServiceConfigW), with the SecureString parameter -Password.
    With secret variables (``secrets``: their names), AppEnvironmentExtra is no nssm command line either:
    nssm_apply writes the REG_MULTI_SZ value nssm reads at each start itself, each entry a text or the
    name of a secret it takes from its -SecretEnvironment SecureString; a rollback restores the value the
    host saved before that write (the controller never has the old secret).
    """
    label = " ".join(argv[:3])
    if sets_password(argv):
        return {"account": argv[3], "password": True, "label": label}
    if secrets and len(argv) >= 3 and argv[2] == ENV_PARAM:
        label = f"set {argv[1]} {ENV_PARAM}"
        if rollback:
            return {"restore": ENV_PARAM, "label": label}
        lower = {n.lower() for n in secrets}
        entries = [{"secret": e.partition("=")[0]} if e.partition("=")[0].lower() in lower
                   and e.partition("=")[2] == SECRET_SLOT else {"text": e} for e in argv[3:]]
        return {"environment": entries, "label": label}
    return {"line": nssm_command_line(argv), "label": label}


def expected_values(service: dict[str, Any] | None, options: list[str]) -> dict[str, dict[str, Any]]:
    """The registry values, as read, of every setting the write changes: nssm_apply reads them again just
    before writing and refuses (ServiceChanged) when one moved since this task's read."""
    expected: dict[str, dict[str, Any]] = {"values": {}, "parameters": {}}
    if service is None:
        return expected
    for option in options:
        for where, name in registry_names(option):
            expected[where][name] = (service.get(where) or {}).get(name)
    return expected


def apply_request(args: dict[str, Any], read: dict[str, Any], p: Plan) -> dict[str, Any]:
    """The one nssm_apply request of a task."""
    after = p.after or {}
    logs = [after[o] for o in ("stderr_file", "stdout_file") if after.get(o)]
    throttle = int(after.get("throttle") or BY_OPTION["throttle"].default)
    name = (read.get("service") or {}).get("name") if not p.created else None
    name = name or args["name"]
    return {
        "name": name,
        "executable": (read.get("nssm") or {}).get("path"),
        "delete_existing": p.delete_existing,
        "created": p.created,
        "grant_logon_right": p.grant_logon_right,
        "commands": [command_entry(c, p.secret_names) for c in p.commands],
        "secret_names": p.secret_names,
        "plain_names": p.plain_names,
        "expected": expected_values(None if p.created else read.get("service"), p.changed_options),
        "control": p.control,
        "control_lines": {verb: nssm_command_line([verb, name]) for verb in ("start", "stop", "restart")}
        | {"remove": nssm_command_line(["remove", name, "confirm"])},
        "rollback": [command_entry(c, p.secret_names, rollback=True) for c in p.rollback],
        "logs": logs,
        "log_lines": LOG_LINES,
        "settle_ms": throttle + 500,
    }


def needs_secrets(request: dict[str, Any]) -> bool:
    """Whether the nssm_apply request sets an account with the task's password."""
    return any(c.get("password") for c in request["commands"] + request["rollback"])


def read_secrets(key: str) -> dict[str, str]:
    """nssm_read's sensitive parameters: the digest key, when the task made one (nssm_service always does:
    every variable it does not name comes back as a digest; nssm_service_info only for its secret_names)."""
    return {"DigestKey": key} if key else {}


def apply_secrets(args: dict[str, Any], request: dict[str, Any], key: str) -> dict[str, str]:
    """nssm_apply's sensitive parameters (win_powershell ``sensitive_parameters``, SecureStrings): the
    password, the secret variables as one JSON object (name -> value), the digest key of the re-read."""
    secrets: dict[str, str] = {}
    if needs_secrets(request):
        secrets["Password"] = args.get("password") or ""
    if any(e.get("secret") for c in request["commands"] for e in c.get("environment") or []):
        values = {str(k): "" if v is None else str(v) for k, v in (args.get("secret_environment") or {}).items()}
        secrets["SecretEnvironment"] = json.dumps(values, sort_keys=True)
    expected = ((request.get("expected") or {}).get("parameters") or {}).get(ENV_PARAM)
    if key and (request.get("secret_names") or any(isinstance(e, dict) for e in expected or [])):
        secrets["DigestKey"] = key  # the guard re-reads digests as the task's read made them
    return secrets


def secret_values(args: dict[str, Any]) -> list[str]:
    """Every secret text of the task (masked in any message from the host)."""
    values = [args.get("password") or ""] + [str(v) for v in (args.get("secret_environment") or {}).values()
                                             if v is not None]
    return sorted({v for v in values if v}, key=len, reverse=True)


NOT_SHOWN = "(not shown)"


def shown(settings: dict[str, Any] | None, before: dict[str, Any] | None = None,
          compare: bool = False, named: list[str] | None = None) -> dict[str, Any] | None:
    """Settings as results and diffs show them: a secret variable is ``(secret)``; with ``compare``, one
    whose digest differs from ``before``'s (or that is new) is ``(secret, changed)``. A variable read as a
    digest that is not one of the task's secret variables (``named``; None: every digest is one) is
    ``(not shown)``: the task did not name it. Never a value nor a digest."""
    if settings is None:
        return None
    env = settings.get("environment")
    if not isinstance(env, dict) or not any(isinstance(v, Secret) for v in env.values()):
        return settings
    old = (before or {}).get("environment") or {}
    secret = None if named is None else {n.lower() for n in named}
    hidden = {}
    for name, value in env.items():
        if isinstance(value, Secret) and secret is not None and name.lower() not in secret:
            value = NOT_SHOWN
        elif isinstance(value, Secret):
            value = "(secret, changed)" if compare and old.get(name) != value else "(secret)"
        hidden[name] = value
    return {**settings, "environment": hidden}
