# Test-only stand-in for ansible.windows.win_service_info (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_service_info
short_description: Information about services on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_service_info), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - Returns exists and services (name, display_name, state, start_mode, username, path, dependencies).
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str"},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_service_info", "winhost.winfiles:win_service_info")


if __name__ == "__main__":
    main()
