# Test-only stand-in for ansible.windows.win_file (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_file
short_description: Create or remove files and folders on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_file), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - states absent, directory, file and touch as in the real module.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "str", "required": True, "aliases": ["dest", "name"]},
            "state": {"type": "str", "choices": ["absent", "directory", "file", "touch"]},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_file", "winhost.winfiles:win_file")


if __name__ == "__main__":
    main()
