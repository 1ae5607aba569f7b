"""Base class of the collection's action plugins (controller only: imports ansible.plugins).

A module here is an action plugin: it validates its arguments on the controller, reads the host
once, decides in Python, and writes once when something changed (never in check mode).
Subclasses set ``MODULE`` (the module's spec holder, see ``ModuleSpec``) and implement ``manage``.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.winflask.iis.plugins.module_utils.checks import check_options, check_structure
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    ConfigRead, apply_request, backup_keep, describe_backups, read_request)
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.transport import TargetError, run_script


# Hints for the error codes of the target scripts (docs/architecture.md 3.6).
ERROR_HINTS = {
    "IISNotInstalled": "IIS is not installed on the host: run winflask.iis.iis_features first.",
    "SiteNotFound": "The site does not exist on the host.",
    "SectionLocked": "The section is locked at this level (overrideModeDefault=\"Deny\"); write it in "
                     "applicationHost.config (server level or a <location> tag) instead of web.config.",
    "FingerprintMismatch": "Another program changed the IIS configuration since this task read it; nothing "
                           "was written: run the task again.",
    "ConfigChanging": "Another program kept writing the IIS configuration while this task read it; nothing "
                      "was written: run the task again when it is done.",
}


class WinflaskAction(ActionBase):
    """Template for the collection's modules."""

    MODULE: ModuleSpec
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        self._supports_diff = True
        result = super().run(tmp, task_vars)
        del tmp
        self._task_vars = task_vars or {}
        self.reads = 0
        self.writes = 0
        try:
            check_structure(self.MODULE, self._task.args)
            args = self.validate_argument_spec(**self.MODULE.module_kwargs())[1]
        except ModuleError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
            return result
        except AnsibleActionFail as exc:  # unknown option, wrong type: fail like a module does
            result.update(failed=True, changed=False, msg=getattr(exc, "message", None) or str(exc))
            return result
        try:
            check_options(self.MODULE, args)  # every string that could reach the host, before any call
            result.update(self.manage(args))
        except ModuleError as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        except TargetError as exc:
            result.update(failed=True, changed=False, msg=self.describe_target_error(exc),
                          error_code=exc.code)
        result.setdefault("changed", False)
        if not self.diff_mode:
            result.pop("diff", None)
        return result

    # -- what subclasses implement ------------------------------------------------------------
    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def describe_target_error(self, exc: TargetError) -> str:
        # "nothing was written" is not true of a commit that failed part-way (details "moved")
        hint = None if exc.details.get("moved") else ERROR_HINTS.get(exc.code)
        backups = describe_backups(exc.details)  # a write that failed after its backup says where it is
        return f"{exc.message} ({exc.code})" + "".join(f" {text}" for text in (hint, backups) if text)

    # -- helpers ------------------------------------------------------------------------------
    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    def call(self, name: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
        return run_script(self, self._task_vars, name, request)

    def read_config(self, addresses: list[Any]) -> ConfigRead:
        """The one read of a task: every section the module needs, in one call."""
        self.reads += 1
        return ConfigRead(self.call("config_read", read_request(addresses)))

    def apply_config(self, read: ConfigRead, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """The one write of a task: all operations in one commit, guarded by the read's fingerprint."""
        if self.check_mode:
            raise RuntimeError("apply_config called in check mode")
        if not operations:
            return {"changed": False}
        # validate_argument_spec made it an int; 0 keeps every backup, a negative number is refused here.
        keep = backup_keep(self._task.args.get("backup_keep"))
        self.writes += 1
        return self.call("config_apply", apply_request(read.fingerprint, operations, keep))

    def host_facts(self) -> dict[str, Any]:
        return self.call("host_facts", {})
