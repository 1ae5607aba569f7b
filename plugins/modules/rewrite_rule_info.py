#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_rule_info
short_description: Read the IIS URL Rewrite rules of a scope
version_added: 0.1.0
description:
  - Returns the rules of a site, a site application or the server, inbound or outbound, in the shape that
    M(winflask.iis.rewrite_rule) and M(winflask.iis.rewrite_rules) accept, with every option filled in.
  - Every rule IIS loads can be fed back unchanged, including rules written by hand without C(<match>),
    conditions without input and action attributes the action type does not use (those give warnings
    in the managing modules). A rule without a pattern has C(match.url) V('').
  - For inbound rules of a site or application it also returns the server variables allowed there.
options:
  name:
    description:
      - Only the rule of this name (case-insensitive).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.rewrite_scope
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
  - module: winflask.iis.rewrite_rule
  - module: winflask.iis.rewrite_rules
  - module: winflask.iis.server_variable_info
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read the site's inbound rules
  winflask.iis.rewrite_rule_info:
    site: Default Web Site
  register: site_rules

- name: Check the reverse proxy rule
  ansible.builtin.assert:
    that:
      - site_rules.rules | selectattr('name', 'equalto', 'ReverseProxyInboundRule1') | list | length == 1
      - "'HTTP_X_ORIGINAL_HOST' in site_rules.allowed_server_variables"

- name: Read the server's global rules
  winflask.iis.rewrite_rule_info:
  register: global_rules
"""

RETURN = r"""
rules:
  description: The rules stored at the scope, in order, in the modules' option shape (feed them to
    M(winflask.iis.rewrite_rules)).
  returned: success
  type: list
  elements: dict
  sample:
    - name: ReverseProxyInboundRule1
      enabled: true
      pattern_syntax: ECMAScript
      stop_processing: true
      match: {url: (.*), ignore_case: true, negate: false}
inherited_rules:
  description: Rules inherited from parent levels, which run before the rules of this scope, same shape.
  returned: success
  type: list
  elements: dict
  sample: []
exists:
  description: Whether a rule (of O(name), or any) was found.
  returned: success
  type: bool
  sample: true
allowed_server_variables:
  description: The server variables allowed at the scope (inherited ones included).
  returned: inbound rules of a site or application
  type: list
  elements: str
  sample: [HTTP_X_ORIGINAL_HOST]
file:
  description: The config file that holds the rules at this scope.
  returned: success
  type: str
  sample: C:\inetpub\wwwroot\web.config
section:
  description: The config section of the rules.
  returned: success
  type: str
  sample: system.webServer/rewrite/rules
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_rule import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_rule_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
