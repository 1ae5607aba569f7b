# Test-only stand-in for ansible.windows.win_powershell (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_powershell
short_description: Run a winflask.iis PowerShell script against the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_powershell), used only by the winflask.iis tests.
  - Finds the C(winflask-script) marker comment (line 2 of every winflask.iis script) in O(script) and runs
    the Python emulation of that
    script (package C(winhost)) against the host in the folder named by the environment variable
    C(WINFLASK_EMULATOR_ROOT). Returns what the real module returns.
  - In check mode a script whose param block lacks C([CmdletBinding(SupportsShouldProcess)]) is not run;
    the result is C(changed=true) with C(msg="skipped, running in check mode"), as in the real module.
options:
  script:
    description: The PowerShell script text (mutually exclusive with O(path)).
    type: str
  path:
    description: A local file holding the script (the real module's action plugin reads it on the controller).
    type: str
  remote_src:
    description: Accepted for compatibility; ignored.
    type: bool
    default: false
  parameters:
    description: Parameters for the script; winflask scripts take one, C(Request), a JSON string.
    type: dict
  arguments:
    description: Arguments for O(executable); accepted and ignored (no new process here).
    type: list
    elements: str
  chdir:
    description: Working directory of the script; accepted and ignored.
    type: str
  creates:
    description: A Windows path on the emulated host; when it exists the script is not run.
    type: str
  removes:
    description: A Windows path on the emulated host; when it does not exist the script is not run.
    type: str
  depth:
    description: Output conversion depth; accepted, winflask scripts return one JSON string.
    type: int
    default: 2
  error_action:
    description: The script's C($ErrorActionPreference); accepted and ignored.
    type: str
    choices: [silently_continue, continue, stop]
    default: continue
  executable:
    description: Run under another PowerShell executable; accepted and ignored.
    type: str
  sensitive_parameters:
    description:
      - Parameters passed as SecureString (O(sensitive_parameters[].value)) or PSCredential (username and
        password), as the real module does; the call log shows them masked (winhost.win_powershell).
    type: list
    elements: dict
    suboptions:
      name:
        description: Parameter name.
        type: str
        required: true
      username:
        description: Credential user name.
        type: str
      password:
        description: Credential password.
        type: str
      value:
        description: SecureString value.
        type: str
author:
  - winflask.iis developers
"""

RETURN = r"""
result:
  description: What the script set in C($Ansible.Result) (the JSON string of the winflask contract).
  returned: always
  type: raw
output:
  description: Output objects of the script (always empty for winflask scripts).
  returned: always
  type: list
error:
  description: PowerShell error records (uncaught errors; unknown script marker).
  returned: always
  type: list
host_out:
  description: Host output.
  returned: always
  type: str
host_err:
  description: Host error output.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import emulated_host


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "arguments": {"type": "list", "elements": "str"},
            "chdir": {"type": "str"},
            "creates": {"type": "str"},
            "depth": {"type": "int", "default": 2},
            "error_action": {"type": "str", "choices": ["silently_continue", "continue", "stop"],
                             "default": "continue"},
            "executable": {"type": "str"},
            "parameters": {"type": "dict"},
            "path": {"type": "str"},
            "remote_src": {"type": "bool", "default": False},
            "removes": {"type": "str"},
            "script": {"type": "str"},
            "sensitive_parameters": {
                "type": "list", "elements": "dict", "no_log": False,
                "options": {
                    "name": {"type": "str", "required": True},
                    "username": {"type": "str"},
                    "password": {"type": "str", "no_log": True},
                    "value": {"type": "str", "no_log": True},
                },
            },
        },
        required_one_of=[("path", "script")],
        mutually_exclusive=[("path", "script")],
        supports_check_mode=True,
    )
    host = emulated_host(module, "ansible.windows.win_powershell")
    from winhost.win_powershell import execute

    module.exit_json(**execute(host, module.params, module.check_mode))


if __name__ == "__main__":
    main()
