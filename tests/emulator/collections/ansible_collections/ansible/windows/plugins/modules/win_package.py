# Test-only stand-in for ansible.windows.win_package (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_package
short_description: Install or remove MSI packages on the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_package), used only by the winflask.iis tests. Accepts the real
    module's options and returns its keys (C(rc), C(reboot_required), C(checksum), C(stdout), C(stderr)).
  - Knows the URL Rewrite 2.1 and ARR 3.0 MSIs (Microsoft's download URLs, or stand-in MSI files placed on the
    host); there is no network. Logic in C(winhost.packages); see the collection's docs/features.md.
options:
  path:
    description: URL, local path or UNC path of the MSI.
    type: str
  product_id:
    description: The MSI ProductCode.
    type: str
  state:
    description: present or absent.
    type: str
    choices: [absent, present]
    default: present
  checksum:
    description: Expected hash of the file.
    type: str
  checksum_algorithm:
    description: Hash algorithm of O(checksum).
    type: str
    choices: [md5, sha1, sha256, sha384, sha512]
    default: sha1
  arguments:
    description: Accepted, ignored.
    type: raw
  expected_return_code:
    description: Exit codes that count as success.
    type: list
    elements: int
    default: [0, 3010]
  chdir:
    description: Accepted, ignored.
    type: path
  verify_signature:
    description: Accepted, ignored (stand-in MSIs are not signed).
    type: bool
    default: false
  creates_path:
    description: Accepted, ignored.
    type: path
  creates_version:
    description: Accepted, ignored.
    type: str
  creates_service:
    description: Accepted, ignored.
    type: str
  log_path:
    description: Accepted, ignored.
    type: path
  provider:
    description: Only msi is emulated.
    type: str
    default: auto
  wait_for_children:
    description: Accepted, ignored.
    type: bool
    default: false
author:
  - winflask.iis developers
"""

RETURN = r"""
rc:
  description: The installer's exit code.
  returned: always
  type: int
reboot_required:
  description: Whether a reboot is needed.
  returned: always
  type: bool
checksum:
  description: Hash of the file that was installed.
  returned: when the installer ran
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import WEB_REQUEST_OPTIONS, run_and_exit


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "arguments": {"type": "raw"},
            "expected_return_code": {"type": "list", "elements": "int", "default": [0, 3010]},
            "path": {"type": "str"},
            "chdir": {"type": "path"},
            "checksum": {"type": "str"},
            "checksum_algorithm": {"type": "str", "default": "sha1",
                                   "choices": ["md5", "sha1", "sha256", "sha384", "sha512"]},
            "verify_signature": {"type": "bool", "default": False},
            "product_id": {"type": "str"},
            "state": {"type": "str", "default": "present", "choices": ["absent", "present"]},
            "creates_path": {"type": "path"},
            "creates_version": {"type": "str"},
            "creates_service": {"type": "str"},
            "log_path": {"type": "path"},
            "provider": {"type": "str", "default": "auto"},
            "wait_for_children": {"type": "bool", "default": False},
            **WEB_REQUEST_OPTIONS,
        },
        required_by={"creates_version": "creates_path"},
        required_if=[("state", "present", ("path",)), ("state", "absent", ("path", "product_id"), True)],
        supports_check_mode=True,
    )
    run_and_exit(module, "win_package", "winhost.packages:win_package")


if __name__ == "__main__":
    main()
