#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: arr_proxy
short_description: Switch on and tune Application Request Routing's server proxy
version_added: 0.1.0
description:
  - Manages the server-wide C(system.webServer/proxy) section of IIS Application Request Routing (ARR) 3.0,
    the setting IIS Manager shows as "Server Proxy Settings" / "Enable proxy".
  - The section lives only in C(applicationHost.config); the module writes it there through
    Microsoft.Web.Administration in one commit, after a backup copy of the file.
  - Options that are not given are left as they are on the host. The IIS default of each option is
    given in its description.
  - ARR must be installed first (see M(winflask.iis.iis_extension)); without it the task fails with a
    message saying so and nothing is changed.
  - One read of the host per task, and one write only when a setting differs.
options:
  enabled:
    description:
      - Whether ARR proxies requests that URL Rewrite rewrites to an absolute URL.
      - IIS attribute C(enabled); IIS default V(false).
    type: bool
  preserve_host_header:
    description:
      - Send the client's C(Host) header to the back end instead of the back end's host name.
      - IIS attribute C(preserveHostHeader); IIS default V(false).
    type: bool
  reverse_rewrite_host_in_response_headers:
    description:
      - Rewrite the back end's host name in response headers such as C(Location) back to the public host.
      - IIS attribute C(reverseRewriteHostInResponseHeaders); IIS default V(true).
    type: bool
  timeout:
    description:
      - Time in seconds ARR waits for the back end, from 1 to 86400.
      - IIS attribute C(timeout) (a timeSpan); IIS default V(120) (C(00:02:00)).
    type: int
  x_forwarded_for_header_name:
    description:
      - Name of the header in which ARR passes the client address to the back end.
      - IIS attribute C(xForwardedForHeaderName); IIS default C(X-Forwarded-For).
    type: str
  include_port_in_x_forwarded_for:
    description:
      - Append the client's port to the address in the X-Forwarded-For header (C(ip:port)).
      - Set V(false) for back ends that expect a bare address, such as werkzeug's C(ProxyFix).
      - IIS attribute C(includePortInXForwardedFor); IIS default V(true).
    type: bool
  http_version:
    description:
      - HTTP version ARR uses towards the back end.
      - IIS attribute C(httpVersion); IIS default V(pass_through).
    type: str
    choices: [pass_through, http10, http11]
  keep_alive:
    description:
      - Keep connections to the back end open.
      - IIS attribute C(keepAlive); IIS default V(true).
    type: bool
  min_response_buffer:
    description:
      - Size in KB of the response buffer, from 0 to 4194303.
      - IIS attribute C(minResponseBuffer); IIS default V(256).
    type: int
  response_buffer_limit:
    description:
      - Size in KB up to which ARR buffers a response, from 0 to 4194303.
      - IIS attribute C(responseBufferLimit); IIS default V(4096).
    type: int
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The before and after settings are shown as YAML.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell); PowerShell 5.1 and Microsoft.Web.Administration are used on the host.
seealso:
  - module: winflask.iis.arr_proxy_info
  - module: winflask.iis.iis_extension
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Enable ARR's reverse proxy for a local back end
  winflask.iis.arr_proxy:
    enabled: true
    preserve_host_header: true
    include_port_in_x_forwarded_for: false
    timeout: 300

- name: Switch the proxy off again
  winflask.iis.arr_proxy:
    enabled: false
"""

RETURN = r"""
proxy:
  description: The proxy settings after the task (in check mode, the settings the task would leave).
  returned: success
  type: dict
  sample:
    enabled: true
    preserve_host_header: true
    reverse_rewrite_host_in_response_headers: true
    timeout: 300
    x_forwarded_for_header_name: X-Forwarded-For
    include_port_in_x_forwarded_for: false
    http_version: pass_through
    keep_alive: true
    min_response_buffer: 256
    response_buffer_limit: 4096
backups:
  description: Backup copies of the config files written, made on the host before the change.
  returned: changed and not check mode
  type: list
  elements: str
  sample: ['C:\ProgramData\winflask\backup\20261130-101500-123\applicationHost.config']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.arr_proxy import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.arr_proxy runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
