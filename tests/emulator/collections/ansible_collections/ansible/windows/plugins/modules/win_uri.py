# Test-only stand-in for ansible.windows.win_uri (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_uri
short_description: Send a web request from the emulated Windows host (loopback only)
description:
  - Stand-in for C(ansible.windows.win_uri), used only by the winflask.iis tests. Same options as the real
    module; logic in C(winhost.webrequest).
  - Sends a REAL request, to loopback addresses only (127.0.0.0/8, ::1, localhost, where apps started by
    emulated services listen); any other URL is refused. Timeout at most 30 seconds.
author:
  - winflask.iis developers
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ansible.windows.plugins.module_utils._emulated import run_and_exit


NOT_EMULATED = ("dest", "client_cert", "client_cert_password", "url_username", "url_password", "proxy_url",
                "proxy_username", "proxy_password")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True},
            "content_type": {"type": "str"},
            "body": {"type": "raw"},
            "dest": {"type": "path"},
            "creates": {"type": "path"},
            "removes": {"type": "path"},
            "return_content": {"type": "bool", "default": False},
            "status_code": {"type": "list", "elements": "int", "default": [200]},
            "url_method": {"type": "str", "default": "GET", "aliases": ["method"]},
            "url_timeout": {"type": "int", "default": 30, "aliases": ["timeout"]},
            "follow_redirects": {"type": "str", "default": "safe", "choices": ["all", "none", "safe"]},
            "headers": {"type": "dict"},
            "http_agent": {"type": "str", "default": "ansible-httpget"},
            "maximum_redirection": {"type": "int", "default": 50},
            "validate_certs": {"type": "bool", "default": True},
            "client_cert": {"type": "str"},
            "client_cert_password": {"type": "str", "no_log": True},
            "force_basic_auth": {"type": "bool", "default": False},
            "url_username": {"type": "str", "aliases": ["user", "username"]},
            "url_password": {"type": "str", "aliases": ["password"], "no_log": True},
            "use_default_credential": {"type": "bool", "default": False},
            "use_proxy": {"type": "bool", "default": True},
            "proxy_url": {"type": "str"},
            "proxy_username": {"type": "str"},
            "proxy_password": {"type": "str", "no_log": True},
            "proxy_use_default_credential": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    for option in NOT_EMULATED:
        if module.params.get(option) is not None:
            module.fail_json(msg=f"winhost: win_uri option {option!r} is not emulated")
    params = dict(module.params, method=module.params["url_method"])
    run_and_exit(module, "win_uri", "winhost.webrequest:win_uri", params)


if __name__ == "__main__":
    main()
