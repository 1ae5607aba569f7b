# Test-only stand-in for ansible.windows.win_path (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_path
short_description: Manage PATH-like environment variables on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_path), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - Machine scope is the emulated host's machine environment (state.json environment), which nssm_read also searches.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "default": "PATH"},
            "elements": {"type": "list", "elements": "str", "required": True},
            "state": {"type": "str", "choices": ["absent", "present"], "default": "present"},
            "scope": {"type": "str", "choices": ["machine", "user"], "default": "machine"},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_path", "winhost.winfiles:win_path")


if __name__ == "__main__":
    main()
