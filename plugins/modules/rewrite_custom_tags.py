#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_custom_tags
short_description: Manage one customTags set of the IIS URL Rewrite outbound rules
version_added: 0.1.0
description:
  - Creates, changes or removes one C(tags) set of the C(customTags) collection of the C(outboundRules)
    section - HTML tags and attributes beyond the predefined ones (C(A href), C(Img src), ...) whose URLs an
    outbound rule rewrites when its O(winflask.iis.rewrite_rule#module:match.filter_by_tags) holds C(CustomTags)
    and its O(winflask.iis.rewrite_rule#module:match.custom_tags) names the set.
  - The task describes the whole set; a set that differs is replaced in one write.
  - M(winflask.iis.rewrite_outbound_info) returns sets in this module's option shape.
options:
  name:
    description:
      - Name of the set (IIS compares names case-insensitively). IIS attribute C(name).
    type: str
    required: true
  state:
    description:
      - V(present) creates or changes it, V(absent) removes it. A set that an outbound rule of the same section
        names is not removed (the task fails and names the rules).
    type: str
    choices: [present, absent]
    default: present
  tags:
    description:
      - The tags, each an HTML tag name and the attribute that holds the URL. Required with O(state=present).
        The same tag and attribute twice are refused (they are the collection's key; case does not matter).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The HTML tag, for example C(video). IIS attribute C(name).
        type: str
        required: true
      attribute:
        description:
          - The tag's attribute, for example C(src). IIS attribute C(attribute).
        type: str
        required: true
  site:
    description:
      - The IIS site whose C(outboundRules) hold the set (its C(web.config)). Omit for the server level.
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)).
    type: str
extends_documentation_fragment:
  - winflask.iis.backup
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell), with one read and at most one write.
seealso:
  - module: winflask.iis.rewrite_outbound_info
  - module: winflask.iis.rewrite_outbound_precondition
  - module: winflask.iis.rewrite_rule
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Media tags
  winflask.iis.rewrite_custom_tags:
    site: Default Web Site
    name: Media
    tags:
      - {name: video, attribute: src}
      - {name: source, attribute: src}
"""

RETURN = r"""
custom_tags:
  description: The set after the task, in the module's option shape; null when absent.
  returned: success
  type: dict
  sample: {name: Media, tags: [{name: video, attribute: src}]}
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
backups:
  description: Backup copies of the files the write changed.
  returned: changed and not check mode
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.outbound import CUSTOM_TAGS_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **CUSTOM_TAGS_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_custom_tags runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
