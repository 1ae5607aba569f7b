"""The logic of the stand-in ``ansible.windows.win_powershell`` module (docs/emulator.md).

It copies what the real module (ansible.windows plugins/modules/win_powershell.ps1) returns:
``result`` (whatever the script put in ``$Ansible.Result``; here always the JSON string of the
winflask script contract), ``output``, ``error`` (PowerShell error records), ``changed``
(``$Ansible.Changed``, which starts as true), ``failed``, ``host_out``, ``host_err`` and the other
streams. Order of checks as in the real module: creates, removes, then the check-mode skip of a
script that does not declare ``[CmdletBinding(SupportsShouldProcess)]``.

``sensitive_parameters`` as the real module documents and runs them (win_powershell.ps1: each entry
``{name, value}`` becomes a SecureString parameter, ``{name, username, password}`` a PSCredential; no
value and no username passes nothing; ``value``/``password`` are ``no_log``): the script receives
``SecureString``/``PSCredential`` stand-ins whose text is only reachable through ``reveal()`` (the
``SecureStringToGlobalAllocUnicode`` of the PowerShell side). A parameter the script's param block does
not declare fails as PowerShell fails ("A parameter cannot be found that matches parameter name").
The call log records each sensitive parameter by name with its value masked, never in clear.
"""

from __future__ import annotations

import json
import re
import traceback
from typing import Any

from .errors import HostError
from .host import Host
from .scripts import get_script

MODULE = "ansible.windows.win_powershell"
MARKER = re.compile(r"^\s*#\s*winflask-script:\s*([A-Za-z0-9_.-]+)\s*$", re.M)
_CMDLET_BINDING = re.compile(r"\[\s*CmdletBinding\s*\(([^)]*)\)\s*\]", re.I)
_PARAM_BLOCK = re.compile(r"^\s*param\s*\(", re.I | re.M)


def supports_should_process(script: str) -> bool:
    """True when the script's param block carries [CmdletBinding(SupportsShouldProcess[=$true])]."""
    text = re.sub(r"<#.*?#>", "", script, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    match = _CMDLET_BINDING.search(text)
    param = _PARAM_BLOCK.search(text)
    if not match or not param or match.start() > param.start():
        return False
    for argument in match.group(1).split(","):
        name, _equals, value = argument.partition("=")
        if name.strip().lower() == "supportsshouldprocess":
            return not value.strip() or value.strip().lower() == "$true"
    return False


MASK = "********"
_DECLARED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class SecureString:
    """A SecureString parameter: printing it shows the type name, as PowerShell does, never the text."""

    def __init__(self, text: str) -> None:
        self._text = text

    def reveal(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return "System.Security.SecureString"

    __str__ = __repr__


class PSCredential:
    def __init__(self, username: str, password: SecureString) -> None:
        self.username = username
        self.password = password

    def __repr__(self) -> str:
        return "System.Management.Automation.PSCredential"

    __str__ = __repr__


def declared_parameters(script: str) -> set[str]:
    """Lower-case names of the variables in the script's param( ... ) block."""
    text = re.sub(r"<#.*?#>", "", script, flags=re.S)
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    match = _PARAM_BLOCK.search(text)
    if not match:
        return set()
    depth, end = 0, match.end() - 1
    for end in range(match.end() - 1, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            break
    return {name.lower() for name in _DECLARED.findall(text[match.end():end])}


def secure_values(entries: list[dict[str, Any]] | None) -> dict[str, Any]:
    """win_powershell.ps1's loop over sensitive_parameters: name -> SecureString / PSCredential."""
    values: dict[str, Any] = {}
    for entry in entries or []:
        if entry.get("username"):
            values[entry["name"]] = PSCredential(entry["username"], SecureString(entry.get("password") or ""))
        elif entry.get("value") is not None:
            values[entry["name"]] = SecureString(entry["value"])
    return values


def masked_entries(entries: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The sensitive parameters as the call log shows them: names (and user names), values masked."""
    return [{k: (MASK if k in ("value", "password") and v is not None else v) for k, v in entry.items()}
            for entry in entries or []]


def script_name(script: str) -> str | None:
    match = MARKER.search(script)
    return match.group(1) if match else None


def base_result() -> dict[str, Any]:
    return {"changed": False, "result": {}, "host_out": "", "host_err": "", "output": [], "error": [],
            "warning": [], "verbose": [], "debug": [], "information": []}


def error_record(message: str, error_id: str = "RuntimeException") -> dict[str, Any]:
    """A PowerShell ErrorRecord as the real module formats one (uncaught ``throw``)."""
    return {
        "output": f"{message}\r\nAt line:1 char:1\r\n    + CategoryInfo          : OperationStopped: (:) [], "
                  f"RuntimeException\r\n    + FullyQualifiedErrorId : {error_id}\r\n",
        "error_details": None,
        "exception": {"message": message, "type": "System.Management.Automation.RuntimeException",
                      "help_link": None, "source": None, "hresult": -2146233087, "inner_exception": None},
        "target_object": None,
        "category_info": {"category": "OperationStopped", "category_id": 14, "activity": "", "reason":
                          "RuntimeException", "target_name": "", "target_type": ""},
        "fully_qualified_error_id": error_id,
        "script_stack_trace": "at <ScriptBlock>, <No file>: line 1",
        "pipeline_iteration_info": [],
    }


def _request(parameters: dict[str, Any] | None) -> Any:
    raw = (parameters or {}).get("Request")
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    return json.loads(raw)


def execute(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """Run one win_powershell call against the emulated host and log it in calls.jsonl."""
    result = base_result()
    for option, present in (("creates", True), ("removes", False)):
        path = params.get(option)
        if path and host.exists(path) is present:
            result["msg"] = f"skipped, since {path} {'exists' if present else 'does not exist'}"
            host.log_call(MODULE, None, None, check_mode, "skipped")
            return result
    script = params.get("script")
    if script is None and params.get("path"):
        with open(params["path"], encoding="utf-8-sig") as handle:
            script = handle.read()
    script = script or ""
    name = script_name(script)
    should_process = supports_should_process(script)
    try:
        request: Any = _request(params.get("parameters"))
        parse_error = None
    except ValueError as exc:
        request, parse_error = (params.get("parameters") or {}).get("Request"), exc
    sensitive = params.get("sensitive_parameters")
    logged = {"sensitive_parameters": masked_entries(sensitive)} if sensitive else {}
    if check_mode and not should_process:
        result.update(changed=True, msg="skipped, running in check mode")
        host.log_call(MODULE, name, request, check_mode, "skipped", changed=True, **logged)
        return result
    secure = secure_values(sensitive)
    undeclared = sorted(n for n in secure if n.lower() not in declared_parameters(script))

    registered = get_script(name) if name else None
    kind = registered.kind if registered else ("read" if should_process else "write")
    if registered and (kind == "read") != should_process:
        result.setdefault("warnings", []).append(
            f"winhost: script {name!r} is registered as a {kind} script but "
            f"{'does not declare' if kind == 'read' else 'declares'} [CmdletBinding(SupportsShouldProcess)]")
    result["changed"] = True  # $Ansible.Changed starts as $true
    if registered is None:
        message = (f"winhost: no emulated script for marker '# winflask-script: {name}'" if name
                   else "winhost: the script has no '# winflask-script: <name>' marker line")
        result.update(failed=True, error=[error_record(message)])
    elif undeclared:
        result.update(failed=True, error=[error_record(
            f"A parameter cannot be found that matches parameter name '{undeclared[0]}'.",
            "NamedParameterNotFound")])
    elif parse_error is not None:
        result.update(failed=True, error=[error_record(f"ConvertFrom-Json : Invalid JSON primitive: {parse_error}",
                                                       "System.ArgumentException,Microsoft.PowerShell.Commands."
                                                       "ConvertFromJsonCommand")])
    else:
        try:
            extra = {"secure": secure} if secure else {}
            payload = registered.fn(host, request if isinstance(request, dict) else {}, check_mode, **extra)
            result["result"] = json.dumps(payload, separators=(",", ":"))
            result["changed"] = bool(payload.get("changed")) if kind == "write" else False
        except HostError as exc:
            result.update(failed=True, changed=False, result=json.dumps(exc.to_json(), separators=(",", ":")))
        except Exception as exc:  # an emulator bug shows up like an uncaught PowerShell exception
            result.update(failed=True, error=[error_record(f"{type(exc).__name__}: {exc}")],
                          host_err=traceback.format_exc())
    host.log_call(MODULE, name, request, check_mode, kind, changed=result["changed"],
                  failed=bool(result.get("failed")),
                  error=json.loads(result["result"])["error"]["code"] if result.get("failed")
                  and isinstance(result["result"], str) else None, **logged)
    return result
