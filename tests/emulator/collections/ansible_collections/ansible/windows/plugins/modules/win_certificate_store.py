# Test-only stand-in for ansible.windows.win_certificate_store (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_certificate_store
short_description: Certificates in the emulated Windows certificate store
description:
  - Stand-in for C(ansible.windows.win_certificate_store), used only by the winflask.iis tests. Same options as
    the real module; states present (import a PFX, DER or PEM file of the host) and absent (logic in
    C(winhost.certstore)). Returns thumbprints like the real module.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "state": {"type": "str", "default": "present", "choices": ["absent", "exported", "present"]},
            "path": {"type": "path"},
            "thumbprint": {"type": "str"},
            "store_name": {"type": "str", "default": "My"},
            "store_location": {"type": "str", "default": "LocalMachine"},
            "store_type": {"type": "str", "default": "system", "choices": ["service", "system"]},
            "password": {"type": "str", "no_log": True},
            "key_exportable": {"type": "bool", "default": True},
            "key_storage": {"type": "str", "default": "default", "choices": ["default", "machine", "user"]},
            "file_type": {"type": "str", "default": "der", "choices": ["der", "pem", "pkcs12"]},
        },
        required_if=[["state", "absent", ["path", "thumbprint"], True], ["state", "exported", ["path", "thumbprint"]],
                     ["state", "present", ["path"]]],
        supports_check_mode=True,
    )
    run_and_exit(module, "win_certificate_store", "winhost.certstore:win_certificate_store")


if __name__ == "__main__":
    main()
