# Test-only stand-in for ansible.windows.win_optional_feature (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_optional_feature
short_description: Enable or disable Windows optional features on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_optional_feature) (C(Enable-WindowsOptionalFeature)), used only by the
    winflask.iis tests. Same options and return values; fails like the real module for unknown names.
    Logic in C(winhost.features); see the collection's docs/features.md.
options:
  name:
    description: Optional feature (DISM) names.
    type: list
    elements: str
    required: true
  state:
    description: present or absent.
    type: str
    choices: [absent, present]
    default: present
  source:
    description: Payload source; must exist on the host.
    type: str
  include_parent:
    description: Also enable the parent features (C(-All)).
    type: bool
    default: false
author:
  - winflask.iis developers
"""

RETURN = r"""
reboot_required:
  description: Whether a reboot is needed.
  returned: success
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "list", "elements": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["absent", "present"]},
            "source": {"type": "str"},
            "include_parent": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "win_optional_feature", "winhost.features:win_optional_feature")


if __name__ == "__main__":
    main()
