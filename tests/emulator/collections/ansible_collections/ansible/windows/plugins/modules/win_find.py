# Test-only stand-in for ansible.windows.win_find (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_find
short_description: Find files on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_find), used only by the winflask.iis tests. Options as the real
    module's (paths, patterns, use_regex, age, age_stamp, file_type, recurse); logic in C(winhost.winfind).
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "paths": {"type": "list", "elements": "str", "required": True},
            "patterns": {"type": "list", "elements": "str", "aliases": ["regex", "regexp"]},
            "use_regex": {"type": "bool", "default": False},
            "age": {"type": "str"},
            "age_stamp": {"type": "str", "default": "mtime", "choices": ["atime", "ctime", "mtime"]},
            "file_type": {"type": "str", "default": "file", "choices": ["file", "directory"]},
            "recurse": {"type": "bool", "default": False},
            "hidden": {"type": "bool", "default": False},
            "get_checksum": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_find", "winhost.winfind:win_find")


if __name__ == "__main__":
    main()
