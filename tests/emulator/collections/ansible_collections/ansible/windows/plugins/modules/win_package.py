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

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.features import run_module
    from winhost.host import ENV_ROOT, Host
    from winhost.packages import win_package
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"

WEB_REQUEST_OPTIONS = {
    "url_method": {"type": "str"},
    "follow_redirects": {"type": "str", "default": "safe", "choices": ["all", "none", "safe"]},
    "headers": {"type": "dict"},
    "http_agent": {"type": "str", "default": "ansible-httpget"},
    "maximum_redirection": {"type": "int", "default": 50},
    "url_timeout": {"type": "int", "default": 30},
    "validate_certs": {"type": "bool", "default": True},
    "client_cert": {"type": "str"},
    "client_cert_password": {"type": "str", "no_log": True},
    "force_basic_auth": {"type": "bool", "default": False},
    "url_username": {"type": "str"},
    "url_password": {"type": "str", "no_log": True},
    "use_default_credential": {"type": "bool", "default": False},
    "use_proxy": {"type": "bool", "default": True},
    "proxy_url": {"type": "str"},
    "proxy_username": {"type": "str"},
    "proxy_password": {"type": "str", "no_log": True},
    "proxy_use_default_credential": {"type": "bool", "default": False},
}


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
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_package needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_module(host, "ansible.windows.win_package", win_package, module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
