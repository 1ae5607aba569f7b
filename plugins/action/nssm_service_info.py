"""Action plugin of winflask.iis.nssm_service_info: read one nssm service's configuration."""

from __future__ import annotations

import secrets
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import nssm_service
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.module_utils.nssm_settings import current_settings
from ansible_collections.winflask.iis.plugins.module_utils.transport import run_script


class ActionModule(WinflaskAction):
    MODULE = nssm_service.INFO_SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        self.reads += 1
        names = nssm_service.secret_names(args)
        # secret variables come back as digests under a key nobody keeps: shown as (secret)
        key = secrets.token_hex(32) if names else ""
        read = run_script(self, self._task_vars, "nssm_read",
                          {"name": args["name"], "executable": args.get("executable"), "application": None,
                           "account": None, "secret_names": names}, nssm_service.read_secrets(key) or None)
        service = read.get("service")
        nssm = read.get("nssm")
        result: dict[str, Any] = {"changed": False, "exists": service is not None, "nssm": nssm,
                                  "name": args["name"], "service": None, "status": None, "is_nssm": False}
        if service is not None:
            result.update(name=service["name"], status=service.get("status"),
                          is_nssm=nssm_service.is_nssm_service(service, nssm))
            if result["is_nssm"]:
                result["service"] = nssm_service.shown(current_settings(service))
        return result
