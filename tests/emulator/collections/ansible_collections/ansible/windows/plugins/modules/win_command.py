# Test-only stand-in for ansible.windows.win_command (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_command
short_description: Run a program on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_command), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.programs).
  - The executable is resolved as the real module does (C(.exe) added, the machine PATH searched); a missing
    one fails with rc 2. Emulated programs are python.exe (C(winhost.python), C(winhost.pip)) and nssm.exe.
  - No check mode, like the real module (Ansible skips it in check mode unless the task sets C(check_mode=false)).
author:
  - winflask.iis developers
"""

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.host import ENV_ROOT, Host
    from winhost.programs import run_logged
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "_raw_params": {"type": "str"},
            "cmd": {"type": "str"},
            "argv": {"type": "list", "elements": "str"},
            "chdir": {"type": "path"},
            "creates": {"type": "path"},
            "removes": {"type": "path"},
            "stdin": {"type": "str"},
            "output_encoding_override": {"type": "str"},
        },
        required_one_of=[("_raw_params", "argv", "cmd")], mutually_exclusive=[("_raw_params", "argv", "cmd")],
        supports_check_mode=False,
    )
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_command needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_logged(host, module.params)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
