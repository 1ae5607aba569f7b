"""nssm_read results for the unit tests, shaped as docs/architecture.md 3.7 describes."""

from __future__ import annotations

from typing import Any

NSSM = {"path": "C:\\Program Files\\nssm\\nssm.exe", "version": "2.24.101.0"}
APP = "C:\\apps\\myapp\\run_server.bat"


class _Default:
    """An argument left out (for ``nssm``, None is a value of its own: nssm not found)."""


_DEFAULT = _Default()


def service(name: str = "myapp", status: str = "SERVICE_STOPPED", image: str | None = None,
            values: dict[str, Any] | None = None, **parameters: Any) -> dict[str, Any]:
    """An nssm service as `nssm install <name> APP` leaves it, plus the given registry values."""
    base_values = {"ImagePath": image or NSSM["path"], "DisplayName": name, "ObjectName": "LocalSystem",
                   "Start": 2, "Type": 16}
    base_values.update(values or {})
    params: dict[str, Any] = {"Application": APP, "AppDirectory": "C:\\apps\\myapp", "AppParameters": "",
                              "AppExit": {"Default": "Restart"}}
    params.update(parameters)
    return {"name": name, "status": status, "values": base_values, "parameters": params}


def read(svc: dict[str, Any] | None = None, nssm: dict[str, Any] | None | _Default = _DEFAULT,
         app_exists: bool = True, application: str | None = APP,
         account: dict[str, Any] | None = None) -> dict[str, Any]:
    """An nssm_read result; ``nssm`` defaults to NSSM (nssm.exe found), None means not found."""
    return {"nssm": NSSM if isinstance(nssm, _Default) else nssm, "service": svc,
            "application": {"path": application, "exists": app_exists} if application else None,
            "account": account}
