# Test-only stand-in for ansible.windows.win_feature (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_feature
short_description: Install or remove Windows Server features on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_feature) (C(Install-WindowsFeature)), used only by the winflask.iis
    tests. Same options and return values; fails like the real module on a client SKU and for unknown names.
    Logic in C(winhost.features); see the collection's docs/features.md.
options:
  name:
    description: Server Manager feature names.
    type: list
    elements: str
    required: true
  state:
    description: present or absent.
    type: str
    choices: [present, absent]
    default: present
  include_sub_features:
    description: Also install every sub-feature.
    type: bool
    default: false
  include_management_tools:
    description: Also install the management tools (the IIS Manager console for IIS).
    type: bool
    default: false
  source:
    description: Payload source; must exist on the host.
    type: str
author:
  - winflask.iis developers
"""

RETURN = r"""
exitcode:
  description: Success or NoChangeNeeded.
  returned: always
  type: str
feature_result:
  description: One entry per feature that changed.
  returned: success
  type: list
reboot_required:
  description: Whether a reboot is needed.
  returned: success
  type: bool
success:
  description: Whether the operation succeeded.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "include_sub_features": {"type": "bool", "default": False},
            "include_management_tools": {"type": "bool", "default": False},
            "name": {"type": "list", "elements": "str", "required": True},
            "source": {"type": "str"},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_feature", "winhost.features:win_feature")


if __name__ == "__main__":
    main()
