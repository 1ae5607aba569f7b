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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


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
    run_and_exit(module, "win_service", "winhost.winfiles:win_service")


if __name__ == "__main__":
    main()
