# Test-only stand-in for microsoft.iis.website_info (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: website_info
short_description: The sites and bindings of the emulated Windows host
description:
  - Stand-in for C(microsoft.iis.website_info), used only by the winflask.iis tests. Same option and return values
    as the real module (logic in C(winhost.website)).
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(argument_spec={"name": {"type": "str"}}, supports_check_mode=True)
    run_and_exit(module, "website_info", "winhost.website:website_info", collection="microsoft.iis")


if __name__ == "__main__":
    main()
