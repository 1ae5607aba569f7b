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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import emulated_host


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
    host = emulated_host(module, "win_command")
    from winhost.programs import run_logged

    result = run_logged(host, module.params)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
