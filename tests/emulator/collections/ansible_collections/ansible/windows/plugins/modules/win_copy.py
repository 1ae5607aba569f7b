# Test-only stand-in for ansible.windows.win_copy (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_copy
short_description: Copy files to the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_copy), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - content, remote_src, or a controller file (the stand-in action plugin resolves a relative src in the
    role's files folder as the real action plugin does); returns checksum (sha1), size, dest.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "str"},
            "dest": {"type": "str", "required": True},
            "content": {"type": "str"},
            "remote_src": {"type": "bool", "default": False},
            "force": {"type": "bool", "default": True},
            "backup": {"type": "bool", "default": False},
            "decrypt": {"type": "bool", "default": True},
            "local_follow": {"type": "bool", "default": True},
        },
        mutually_exclusive=[("src", "content")], required_one_of=[("src", "content")], supports_check_mode=True,
    )
    run_and_exit(module, "win_copy", "winhost.winfiles:win_copy")


if __name__ == "__main__":
    main()
