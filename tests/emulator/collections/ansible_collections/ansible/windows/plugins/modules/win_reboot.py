# Test-only stand-in for ansible.windows.win_reboot (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_reboot
short_description: Reboot the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_reboot), used only by the winflask.iis tests. The real one is an
    action plugin that restarts the host and waits for it; here a reboot counts up C(boot_count) in the
    host's state.json and is logged, so tests can see that a reboot was asked for.
options:
  reboot_timeout:
    description: Accepted and ignored.
    type: int
    default: 600
  msg:
    description: Accepted and ignored.
    type: str
  pre_reboot_delay:
    description: Accepted and ignored.
    type: int
    default: 2
  post_reboot_delay:
    description: Accepted and ignored.
    type: int
    default: 0
  test_command:
    description: Accepted and ignored.
    type: str
author:
  - winflask.iis developers
"""

RETURN = r"""
rebooted:
  description: Whether the host rebooted.
  returned: always
  type: bool
elapsed:
  description: Seconds the reboot took (0 here).
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import emulated_host


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "reboot_timeout": {"type": "int", "default": 600},
            "msg": {"type": "str"},
            "pre_reboot_delay": {"type": "int", "default": 2},
            "post_reboot_delay": {"type": "int", "default": 0},
            "test_command": {"type": "str"},
        },
        supports_check_mode=True,
    )
    host = emulated_host(module, "win_reboot")
    if not module.check_mode:
        host.update_state(lambda state: state.update(boot_count=int(state.get("boot_count", 0)) + 1))
    host.log_call("ansible.windows.win_reboot", check_mode=module.check_mode,
                  kind="skipped" if module.check_mode else "write", changed=True)
    module.exit_json(changed=True, rebooted=not module.check_mode, elapsed=0.0)


if __name__ == "__main__":
    main()
