"""Run one of the collection's PowerShell scripts on the target and return its JSON result.

This is the only place that knows how a script reaches the host: through the
``ansible.windows.win_powershell`` module, called from an action plugin. Tests put the
emulated Windows host behind that module; nothing here knows about it.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

WIN_POWERSHELL = "ansible.windows.win_powershell"
SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "powershell")
# One line per shared file, after the script's param( ... ) block: "# winflask-include: common/iis.ps1".
INCLUDE = re.compile(r"^[ \t]*#[ \t]*winflask-include:[ \t]*(\S+)[ \t\r]*$", re.MULTILINE)


class TargetError(Exception):
    """A script failed on the target. ``code`` is one of the codes of docs/architecture.md."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def script_path(name: str) -> str:
    return os.path.join(SCRIPTS_DIR, f"{name}.ps1")


def read_text(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise TargetError("ScriptMissing", f"winflask.iis {what} not found at {path}: {exc}") from exc


def include_path(script: str, relative: str) -> str:
    """The file a ``# winflask-include: <relative>`` line names; it must lie under powershell/."""
    root = os.path.realpath(SCRIPTS_DIR)
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.isabs(relative) or os.path.commonpath([root, path]) != root or path == root:
        raise TargetError("ScriptMissing", f"winflask.iis script {script!r}: include {relative!r} is outside "
                                           f"{SCRIPTS_DIR}")
    return path


def expand_includes(script: str, text: str) -> str:
    """Replace each include line by the text of the file it names, each file once; no nesting."""
    done: set[str] = set()
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        match = INCLUDE.match(line)
        if not match:
            out.append(line)
            continue
        path = include_path(script, match.group(1))
        if path in done:
            continue
        done.add(path)
        body = read_text(path, f"include {match.group(1)!r} of script {script!r}")
        nested = INCLUDE.search(body)
        if nested:
            raise TargetError("ScriptMissing", f"winflask.iis include {match.group(1)!r} (of script {script!r}) "
                                               f"has its own include line {nested.group(0).strip()!r}: "
                                               "includes do not nest")
        out.append(body if body.endswith("\n") else body + "\n")
    return "".join(out)


def load_script(name: str) -> str:
    """The text of ``powershell/<name>.ps1`` with its ``# winflask-include:`` lines expanded."""
    return expand_includes(name, read_text(script_path(name), f"script {name!r}"))


def _error_text(result: dict[str, Any]) -> str:
    parts = []
    for record in result.get("error") or []:
        if isinstance(record, dict):
            parts.append(str(record.get("exception", {}).get("message") or record.get("output") or record))
        else:
            parts.append(str(record))
    return "; ".join(p for p in parts if p) or str(result.get("msg") or "unknown error")


def parse_result(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Turn a win_powershell result into the script's JSON payload, or raise TargetError."""
    payload: Any = None
    raw = result.get("result")
    if isinstance(raw, str) and raw.strip():
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            if not result.get("failed"):
                raise TargetError("ScriptError", f"script {name} returned invalid JSON: {exc}") from exc
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        err = dict(payload["error"])
        raise TargetError(str(err.pop("code", "ScriptError")), str(err.pop("message", "")), err)
    if result.get("failed") or result.get("error"):
        raise TargetError("ScriptError", f"script {name} failed: {_error_text(result)}")
    if result.get("skipped"):
        raise TargetError("ScriptError", f"script {name} was skipped by win_powershell: {result.get('msg', '')}")
    if not isinstance(payload, dict):
        raise TargetError("ScriptError", f"script {name} returned no JSON object (got {raw!r})")
    return payload


def sensitive_parameters(secrets: dict[str, str] | None) -> list[dict[str, str]]:
    """win_powershell's ``sensitive_parameters``: each secret reaches the script as a SecureString
    parameter of that name, and the module masks it (``no_log``) in what it logs and returns."""
    return [{"name": name, "value": str(value)} for name, value in sorted((secrets or {}).items())]


def run_script(action: Any, task_vars: dict[str, Any] | None, name: str,
               request: dict[str, Any] | None = None, secrets: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``powershell/<name>.ps1`` with ``-Request <json>`` through win_powershell.

    ``action`` is the calling ActionBase. ``secrets`` (parameter name -> text) never go into the request:
    they travel as win_powershell ``sensitive_parameters`` (SecureString parameters the script declares).
    Returns the script's JSON object; raises TargetError.
    """
    module_args: dict[str, Any] = {
        "script": load_script(name),
        "parameters": {"Request": json.dumps(request or {}, sort_keys=True)},
    }
    if secrets:
        module_args["sensitive_parameters"] = sensitive_parameters(secrets)
    result = action._execute_module(module_name=WIN_POWERSHELL, module_args=module_args,
                                    task_vars=task_vars or {})
    return parse_result(name, result)
