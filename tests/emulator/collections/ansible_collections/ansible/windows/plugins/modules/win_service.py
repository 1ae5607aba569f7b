# Test-only stand-in for ansible.windows.win_service (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_service
short_description: Start, stop and configure services on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_service), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - Emulates state (started, stopped, restarted, absent) and start_mode of an existing service; creating
    services (path) and changing accounts are not emulated and fail.
author:
  - winflask.iis developers
"""

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.host import ENV_ROOT, Host
    from winhost.winfiles import win_service, run_module
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "dependencies": {"type": "list", "elements": "str"},
            "dependency_action": {"type": "str", "default": "set", "choices": ["add", "remove", "set"]},
            "description": {"type": "str"},
            "desktop_interact": {"type": "bool", "default": False},
            "display_name": {"type": "str"},
            "error_control": {"type": "str", "choices": ["critical", "ignore", "normal", "severe"]},
            "force_dependent_services": {"type": "bool", "default": False},
            "load_order_group": {"type": "str"},
            "name": {"type": "str", "required": True},
            "password": {"type": "str", "no_log": True},
            "path": {"type": "str"},
            "start_mode": {"type": "str", "choices": ["auto", "manual", "disabled", "delayed"]},
            "state": {"type": "str", "choices": ["started", "stopped", "restarted", "absent", "paused"]},
            "update_password": {"type": "str", "choices": ["always", "on_create"], "no_log": False},
            "username": {"type": "str"},
        },
        required_by={"password": ["username"]}, supports_check_mode=True,
    )
    for option in ("path", "username", "password", "dependencies", "display_name", "description", "error_control",
                   "load_order_group"):
        if module.params.get(option) is not None:
            module.fail_json(msg=f"winhost: win_service option {option!r} is not emulated")
    if module.params.get("state") == "paused":
        module.fail_json(msg="winhost: win_service state=paused is not emulated")
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_service needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_module(host, "ansible.windows.win_service", win_service, module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
