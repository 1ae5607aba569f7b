"""Action plugin of winflask.iis.nssm_service: a Windows service run by nssm."""

from __future__ import annotations

import secrets
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import nssm_service
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff
from ansible_collections.winflask.iis.plugins.module_utils.transport import TargetError, run_script


class ActionModule(WinflaskAction):
    MODULE = nssm_service.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        nssm_service.validate(args)  # before the read: bad input never reaches the host
        # Secret variables, and every variable the task does not name in environment, come back as HMAC-SHA256
        # under a key made for this task only, sent as a sensitive parameter: the digests in the read's result
        # and the write's request reveal nothing.
        key = secrets.token_hex(32)
        self.reads += 1
        read = self.run_nssm("nssm_read", nssm_service.read_request(args), nssm_service.read_secrets(key), args)
        plan = nssm_service.plan(args, read, key)
        result: dict[str, Any] = {
            "changed": plan.changed,
            "name": (read.get("service") or {}).get("name") or args["name"],
            "service": nssm_service.shown(plan.after, named=plan.secret_names),
            "status": plan.status,
            "exists": args["state"] != "absent",
            "nssm_commands": [list(c) for c in plan.commands],  # the password is never in a command
        }
        if plan.changed:
            result["diff"] = yaml_diff(nssm_service.shown(plan.before, named=plan.secret_names),
                                       nssm_service.shown(plan.after, plan.before, compare=True,
                                                          named=plan.secret_names),
                                       f"nssm service {result['name']}")
        if not plan.changed or self.check_mode:
            return result
        self.writes += 1
        request = nssm_service.apply_request(args, read, plan)
        # The password and the secret variables travel as win_powershell's sensitive_parameters (SecureStrings,
        # no_log in the module's own invocation log), never in the request: docs/nssm.md "Secrets".
        applied = self.run_nssm("nssm_apply", request, nssm_service.apply_secrets(args, request, key), args)
        result["status"] = applied.get("status", plan.status)
        return result

    def run_nssm(self, name: str, request: dict[str, Any], sensitive: dict[str, str],
                 args: dict[str, Any]) -> dict[str, Any]:
        """One nssm script call; an error's message never holds a secret of the task."""
        try:
            return run_script(self, self._task_vars, name, request, sensitive or None)
        except TargetError as exc:
            masked = exc.message
            for value in nssm_service.secret_values(args):
                masked = masked.replace(value, "********")
            clean = TargetError(exc.code, masked, exc.details)
            if name != "nssm_apply":
                raise clean from None
            message = self.describe_apply_error(clean)
            for value in nssm_service.secret_values(args):  # the log tail too
                message = message.replace(value, "********")
            raise ModuleError(message) from None

    @staticmethod
    def describe_apply_error(exc: TargetError) -> str:
        message = f"{exc.message} ({exc.code})"
        if exc.code == "ServiceChanged":
            message += ("; nothing was written. Another change of the service happened between this task's "
                        "read and its write: run the task again to apply it over the new state")
        if exc.code == "StartFailed":
            tail = exc.details.get("log_tail") or []
            undone = ("the new service was removed" if exc.details.get("removed")
                      else "the settings changed by this task were put back")
            message += f"; {undone}"
            if tail:
                message += ". Last log lines:\n" + "\n".join(str(line) for line in tail)
        return message
