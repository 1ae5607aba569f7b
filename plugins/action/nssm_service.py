"""Action plugin of winflask.iis.nssm_service: a Windows service run by nssm."""

from __future__ import annotations

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
        self.reads += 1
        read = self.call("nssm_read", nssm_service.read_request(args))
        plan = nssm_service.plan(args, read)
        password = args.get("password")
        result: dict[str, Any] = {
            "changed": plan.changed,
            "name": (read.get("service") or {}).get("name") or args["name"],
            "service": plan.after,
            "status": plan.status,
            "exists": args["state"] != "absent",
            "nssm_commands": [list(c) for c in plan.commands],  # the password is never in a command
        }
        if plan.changed:
            result["diff"] = yaml_diff(plan.before, plan.after, f"nssm service {result['name']}")
        if not plan.changed or self.check_mode:
            return result
        self.writes += 1
        request = nssm_service.apply_request(args, read, plan)
        # The password travels as win_powershell's sensitive_parameters (a SecureString, no_log in the
        # module's own invocation log), never in the request: docs/nssm.md "Secrets".
        secrets = {"Password": password or ""} if nssm_service.needs_secrets(request) else None
        try:
            applied = run_script(self, self._task_vars, "nssm_apply", request, secrets)
        except TargetError as exc:
            raise ModuleError(self.describe_apply_error(exc, password)) from exc
        result["status"] = applied.get("status", plan.status)
        return result

    @staticmethod
    def describe_apply_error(exc: TargetError, password: str | None) -> str:
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
        if password:
            message = message.replace(password, "********")
        return message
