# Test-only stand-in for microsoft.iis.website (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: website
short_description: The bindings of a site on the emulated Windows host
description:
  - Stand-in for C(microsoft.iis.website) 1.3, used only by the winflask.iis tests. Same options as the real
    module; only the bindings of an existing site are emulated (logic in C(winhost.website)).
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit

BINDING = {
    "ip": {"type": "str"},
    "port": {"type": "int"},
    "hostname": {"type": "str"},
    "protocol": {"type": "str", "default": "http", "choices": ["http", "https"]},
    "use_sni": {"type": "bool"},
    "use_ccs": {"type": "bool"},
    "certificate_hash": {"type": "str"},
    "certificate_store_name": {"type": "str", "default": "my"},
}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "state": {"type": "str", "default": "started", "choices": ["absent", "restarted", "started", "stopped"]},
            "site_id": {"type": "str"},
            "application_pool": {"type": "str"},
            "physical_path": {"type": "str"},
            "preload_enabled": {"type": "bool"},
            "bindings": {"type": "dict", "default": {}, "options": {
                "add": {"type": "list", "elements": "dict", "options": BINDING},
                "set": {"type": "list", "elements": "dict", "options": BINDING},
                "remove": {"type": "list", "elements": "dict", "options": {
                    "ip": {"type": "str"}, "port": {"type": "int"}, "hostname": {"type": "str"}}},
            }, "mutually_exclusive": [["set", "add"], ["set", "remove"]]},
        },
        supports_check_mode=True,
    )
    run_and_exit(module, "website", "winhost.website:website", collection="microsoft.iis")


if __name__ == "__main__":
    main()
