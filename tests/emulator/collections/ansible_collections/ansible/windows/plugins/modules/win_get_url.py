# Test-only stand-in for ansible.windows.win_get_url (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_get_url
short_description: Download a file to the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_get_url), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - URL from the emulated internet (winhost.winfiles.WEB, or <root>/web/<host>/<path>); force and checksum
    handled as the real module does (force=false with a matching checksum makes no request).
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import WEB_REQUEST_OPTIONS, run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "dest": {"type": "str", "required": True},
            "force": {"type": "bool", "default": True},
            "checksum": {"type": "str"},
            "checksum_algorithm": {"type": "str", "default": "sha1",
                                   "choices": ["md5", "sha1", "sha256", "sha384", "sha512"]},
            "checksum_url": {"type": "str"},
            **WEB_REQUEST_OPTIONS,
        },
        mutually_exclusive=[("checksum", "checksum_url")], supports_check_mode=True,
    )
    run_and_exit(module, "win_get_url", "winhost.winfiles:win_get_url")


if __name__ == "__main__":
    main()
