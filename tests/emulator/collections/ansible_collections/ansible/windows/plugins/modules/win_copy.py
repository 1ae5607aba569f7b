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

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.host import ENV_ROOT, Host
    from winhost.winfiles import win_copy, run_module
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"


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
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_copy needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_module(host, "ansible.windows.win_copy", win_copy, module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
