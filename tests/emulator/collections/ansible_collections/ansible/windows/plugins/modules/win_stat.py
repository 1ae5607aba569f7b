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

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.host import ENV_ROOT, Host
    from winhost.winfiles import win_stat, run_module
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"


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
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_stat needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_module(host, "ansible.windows.win_stat", win_stat, module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
