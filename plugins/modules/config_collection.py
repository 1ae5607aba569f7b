#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_collection
short_description: Manage the items of any IIS configuration collection by key
version_added: 0.1.0
description:
  - Adds, updates and removes items of any IIS config collection (C(<add>) elements and the like) at any
    path, identified by their key attributes (from the IIS schema, or O(key)).
  - O(exclusive=true) makes the collection exactly O(items), in that order (items of parent levels that are
    not listed get a C(<remove>) element here).
  - Values are typed and compared as M(winflask.iis.config_property) does; braces (C({HTTPS})) are kept.
  - The counterpart of WebAdministrationDsc's C(WebConfigPropertyCollection), with whole items, order and
    exclusive lists; URL Rewrite rules, maps and server variables have their own modules.
options:
  element:
    description:
      - Child element path inside the section that holds the collection (C(hiddenSegments)); empty when the
        section element holds it.
    type: str
    default: ''
  items:
    description:
      - The items, each a mapping of attribute name (case-sensitive) to value; each must hold the key
        attributes. Attributes not given are left as they are on an existing item.
      - With O(state=absent) only the key attributes count.
    type: list
    elements: dict
    required: true
  key:
    description:
      - The attributes that identify an item. Default, the collection's key attributes in the IIS schema.
    type: list
    elements: str
  state:
    description:
      - V(present) adds missing items and updates differing attributes; V(absent) removes the items.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), remove every item not in O(items) and keep the order of O(items). An item out of
        order is removed and added again as it was read (its attributes, child elements and their nested items)
        with the attributes given in O(items) over it, so nothing the task does not list is lost.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.config_address
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The collection's items (their non-default attributes) before and after, as YAML.
  platform:
    platforms: windows
notes:
  - Runs on the controller as an action plugin and reaches the host through M(ansible.windows.win_powershell).
seealso:
  - module: winflask.iis.config_property
  - module: winflask.iis.config_info
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: A rewrite map whose default value holds braces (kept as written)
  winflask.iis.config_collection:
    section: system.webServer/rewrite/rewriteMaps
    site: Default Web Site
    items:
      - name: Schemes
        defaultValue: "{HTTPS}"

- name: Allowed server variables of the server, exactly these
  winflask.iis.config_collection:
    section: system.webServer/rewrite/allowedServerVariables
    items:
      - name: HTTP_X_ORIGINAL_HOST
      - name: HTTP_X_FORWARDED_PROTO
    exclusive: true
"""

RETURN = r"""
collection:
  description:
    - The collection's items after the task, each with its non-default attributes (in check mode, what the task
      would leave).
  returned: success
  type: list
  elements: dict
  sample: [{name: HTTP_X_ORIGINAL_HOST}, {name: HTTP_X_FORWARDED_PROTO}]
file:
  description: The config file a write at this address changes.
  returned: success
  type: str
  sample: C:\Windows\System32\inetsrv\config\applicationHost.config
backups:
  description: Backup copies of the config files written, made on the host before the change.
  returned: changed and not check mode
  type: list
  elements: str
  sample: ['C:\ProgramData\winflask\backup\20261130-101500-123\applicationHost.config']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.config_generic import COLLECTION_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **COLLECTION_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.config_collection runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
