#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: server_variable_info
short_description: Read the server variables IIS URL Rewrite rules may set
version_added: 0.1.0
description:
  - Returns URL Rewrite's allowed server variables at the server level or for a site or application.
options:
  site:
    description:
      - The site the variables are allowed for. They are written into C(applicationHost.config) under
        C(<location path="Site">), as IIS Manager does - the list is locked for C(web.config)
        (C(overrideModeDefault="Deny")), where it would give HTTP 500.19.
      - Omit for the server level (every site).
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(<location path="Site/app">)).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell), with one read.
seealso:
  - module: winflask.iis.server_variable
  - module: winflask.iis.rewrite_rule_info
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: What may the site's rules set?
  winflask.iis.server_variable_info:
    site: Default Web Site
  register: allowed
"""

RETURN = r"""
allowed_server_variables:
  description: The names allowed at the scope, inherited ones included.
  returned: success
  type: list
  elements: str
  sample: [HTTP_X_ORIGINAL_HOST]
local:
  description: The names stored at this scope itself (not inherited).
  returned: success
  type: list
  elements: str
  sample: [HTTP_X_ORIGINAL_HOST]
file:
  description: The config file that holds the list.
  returned: success
  type: str
  sample: C:\Windows\System32\inetsrv\config\applicationHost.config
location:
  description: The C(<location path>) read; empty for the server level.
  returned: success
  type: str
  sample: Default Web Site
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.server_variable import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.server_variable_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
