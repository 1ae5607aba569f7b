# Test-only stand-in for ansible.windows.win_get_url (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_get_url
short_description: Download a file to the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_get_url), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.winfiles).
  - URL from the emulated internet (winhost.winfiles.WEB, or <root>/web/<host>/<path>); force and checksum
    handled as the real module does (force=false with a matching checksum makes no request).
author:
  - winflask.iis developers
"""

import os

from ansible.module_utils.basic import AnsibleModule

try:
    from winhost.host import ENV_ROOT, Host
    from winhost.winfiles import win_get_url, run_module
    IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    IMPORT_ERROR = exc
    ENV_ROOT = "WINFLASK_EMULATOR_ROOT"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "dest": {"type": "str", "required": True},
            "force": {"type": "bool", "default": True},
            "checksum": {"type": "str"},
            "checksum_algorithm": {"type": "str", "default": "sha1",
                                   "choices": ["md5", "sha1", "sha256", "sha384", "sha512"]},
            "checksum_url": {"type": "str"},
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
        },
        mutually_exclusive=[("checksum", "checksum_url")], supports_check_mode=True,
    )
    if IMPORT_ERROR is not None:
        module.fail_json(msg=f"the winhost emulator package is not importable (pip install -e tests/emulator): "
                             f"{IMPORT_ERROR}")
    if not os.environ.get(ENV_ROOT):
        module.fail_json(msg=f"{ENV_ROOT} is not set: the emulated win_get_url needs the emulated host folder")
    try:
        host = Host.from_env()
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    result = run_module(host, "ansible.windows.win_get_url", win_get_url, module.params, module.check_mode)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
