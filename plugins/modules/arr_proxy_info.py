#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: arr_proxy_info
short_description: Read Application Request Routing's server proxy settings
version_added: 0.1.0
description:
  - Returns the settings of the C(system.webServer/proxy) section of applicationHost.config in the
    shape that M(winflask.iis.arr_proxy) accepts, so a result can be fed back in.
  - Fails with a clear message when ARR is not installed.
options: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: winflask.iis.arr_proxy
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read the proxy settings
  winflask.iis.arr_proxy_info:
  register: arr

- name: Show whether the proxy is on
  ansible.builtin.debug:
    msg: "ARR proxy enabled: {{ arr.proxy.enabled }}"
"""

RETURN = r"""
proxy:
  description: The proxy settings, with the option names of M(winflask.iis.arr_proxy).
  returned: success
  type: dict
  sample:
    enabled: false
    preserve_host_header: false
    reverse_rewrite_host_in_response_headers: true
    timeout: 120
    x_forwarded_for_header_name: X-Forwarded-For
    include_port_in_x_forwarded_for: true
    http_version: pass_through
    keep_alive: true
    min_response_buffer: 256
    response_buffer_limit: 4096
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.arr_proxy import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.arr_proxy_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
