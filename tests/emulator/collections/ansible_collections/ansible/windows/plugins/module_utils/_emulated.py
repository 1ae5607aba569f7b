"""Shared start and end of the stand-in modules (tests only): find the emulated host, run, answer.

Every stand-in ``ansible.windows`` module of the winflask.iis tests needs the ``winhost`` package
(``pip install -e tests/emulator``) and the emulated host named by ``WINFLASK_EMULATOR_ROOT``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

ENV_ROOT = "WINFLASK_EMULATOR_ROOT"

# The web request options the real modules share (ansible.windows' Ansible.ModuleUtils.WebRequest);
# accepted for compatibility, the emulated downloads do not use them.
WEB_REQUEST_OPTIONS: dict[str, dict[str, Any]] = {
    "url_method": {"type": "str"},
    "follow_redirects": {"type": "str", "default": "safe", "choices": ["all", "none", "safe"]},
    "headers": {"type": "dict"},
    "http_agent": {"type": "str", "default": "ansible-httpget"},
    "maximum_redirection": {"type": "int", "default": 50},
    "url_timeout": {"type": "int", "default": 30},
    "validate_certs": {"type": "bool", "default": True},
    "client_cert": {"type": "str"},
    "client_cert_password": {"type": "str", "no_log": True},
    "force_basic_auth": {"type": "bool", "default": False},
    "url_username": {"type": "str"},
    "url_password": {"type": "str", "no_log": True},
    "use_default_credential": {"type": "bool", "default": False},
    "use_proxy": {"type": "bool", "default": True},
    "proxy_url": {"type": "str"},
    "proxy_username": {"type": "str"},
    "proxy_password": {"type": "str", "no_log": True},
    "proxy_use_default_credential": {"type": "bool", "default": False},
}


def emulated_host(module: Any, name: str) -> Any:
    """The emulated host of this run (a ``winhost.host.Host``), or fail ``module`` saying what is missing."""
    try:
        from winhost.host import Host
    except ImportError as exc:  # pragma: no cover - depends on the interpreter
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{exc}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated {name} needs the emulated host folder "
                             "(python -m winhost create --root DIR)")
    try:
        return Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))


def run_and_exit(module: Any, name: str, logic: str, params: dict[str, Any] | None = None,
                 collection: str = "ansible.windows") -> None:
    """Run winhost's ``logic`` (``"winhost.package:function"``) as stand-in ``collection.name``; exit like the real
    module."""
    host = emulated_host(module, name)
    from winhost.modules import run_module

    package, function = logic.split(":")
    result = run_module(host, f"{collection}.{name}", getattr(importlib.import_module(package), function),
                        module.params if params is None else params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)
