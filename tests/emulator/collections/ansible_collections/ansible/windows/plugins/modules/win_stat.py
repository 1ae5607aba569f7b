# Test-only stand-in for ansible.windows.win_stat (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_stat
short_description: Information about a file on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_stat), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - Returns stat with exists, isdir, isreg, size and checksum (sha1 by default) like the real module.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "str", "required": True, "aliases": ["dest", "name"]},
            "get_checksum": {"type": "bool", "default": True},
            "get_size": {"type": "bool", "default": True},
            "checksum_algorithm": {"type": "str", "default": "sha1",
                                   "choices": ["md5", "sha1", "sha256", "sha384", "sha512"]},
            "follow": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_stat", "winhost.winfiles:win_stat")


if __name__ == "__main__":
    main()
