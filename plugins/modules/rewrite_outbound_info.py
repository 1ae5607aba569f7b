#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_outbound_info
short_description: Read the preConditions and customTags of the IIS URL Rewrite outbound rules
version_added: 0.1.0
description:
  - Returns the C(preConditions) and C(customTags) of the C(outboundRules) section of a site, a site application
    or the server, in the option shapes of M(winflask.iis.rewrite_outbound_precondition) and
    M(winflask.iis.rewrite_custom_tags); each item can be fed back unchanged.
  - The outbound rules themselves are read with M(winflask.iis.rewrite_rule_info)
    (O(winflask.iis.rewrite_rule_info#module:direction=outbound)).
options:
  site:
    description:
      - The IIS site whose outbound rules section is read. Omit for the server level.
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)).
    type: str
  name:
    description:
      - Only the preCondition and customTags set of this name (case-insensitive).
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
  - The module runs on the controller as an action plugin, with one read through
    M(ansible.windows.win_powershell).
seealso:
  - module: winflask.iis.rewrite_outbound_precondition
  - module: winflask.iis.rewrite_custom_tags
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read a site's preConditions and customTags
  winflask.iis.rewrite_outbound_info:
    site: Default Web Site
  register: outbound

- name: Write the same preConditions to another site
  winflask.iis.rewrite_outbound_precondition: "{{ item | combine({'site': 'Other Site'}) }}"
  loop: "{{ outbound.preconditions }}"
"""

RETURN = r"""
preconditions:
  description: The preConditions stored at the scope, in order, in the shape of
    M(winflask.iis.rewrite_outbound_precondition).
  returned: success
  type: list
  elements: dict
  sample:
    - name: IsHTML
      logical_grouping: MatchAll
      pattern_syntax: ECMAScript
      conditions: [{input: "{RESPONSE_CONTENT_TYPE}", match_type: Pattern, pattern: ^text/html, ignore_case: true,
                    negate: false}]
inherited_preconditions:
  description: preConditions inherited from parent levels, same shape.
  returned: success
  type: list
  elements: dict
  sample: []
custom_tags:
  description: The customTags sets stored at the scope, in M(winflask.iis.rewrite_custom_tags)'s shape.
  returned: success
  type: list
  elements: dict
  sample: [{name: Media, tags: [{name: video, attribute: src}]}]
inherited_custom_tags:
  description: customTags sets inherited from parent levels, same shape.
  returned: success
  type: list
  elements: dict
  sample: []
section:
  description: The config section.
  returned: success
  type: str
  sample: system.webServer/rewrite/outboundRules
file:
  description: The config file that holds the section at this scope.
  returned: success
  type: str
  sample: C:\inetpub\wwwroot\web.config
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_outbound_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
