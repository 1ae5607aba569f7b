"""What every stand-in module's logic shares: its failure type and the run that logs the call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .host import Host


class ModuleFailure(Exception):
    """A module failure: ``msg`` as the real module reports it, ``extra`` its other return values."""

    def __init__(self, msg: str, **extra: Any) -> None:
        super().__init__(msg)
        self.extra = extra


def run_module(host: Host, module: str, fn: Callable[[Host, dict[str, Any], bool], dict[str, Any]],
               params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """Run a stand-in module's logic, log the call in calls.jsonl, turn a failure into a failed result."""
    try:
        result = fn(host, params, check_mode)
        failed = False
    except ModuleFailure as exc:
        result = {"changed": False, "failed": True, "msg": str(exc), **exc.extra}
        failed = True
    changed = bool(result.get("changed"))
    logged = {k: ("********" if k in ("password", "content") else v) for k, v in params.items() if v is not None}
    host.log_call(module, None, logged, check_mode, "write" if changed and not check_mode else "read",
                  changed=changed, failed=failed, downloads=result.pop("_downloads", []))
    return result
