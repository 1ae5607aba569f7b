#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_map
short_description: Manage one IIS URL Rewrite rewrite map and its entries
version_added: 0.1.0
description:
  - Creates, changes or removes one rewrite map (C(system.webServer/rewrite/rewriteMaps)) of a site, a site
    application or the server, the key/value table that rules look up with C({MapName:key}).
  - The map is written whole in one write; a map whose entries equal the task's (in any order) is left alone.
  - M(winflask.iis.rewrite_map_info) returns maps in this module's option shape; each can be fed back unchanged.
options:
  name:
    description:
      - Name of the map, unique at its scope and the scopes above (IIS compares names case-insensitively).
      - IIS attribute C(name).
    type: str
    required: true
  state:
    description:
      - V(present) creates or changes the map, V(absent) removes it (and its entries).
    type: str
    choices: [present, absent]
    default: present
  default_value:
    description:
      - What a lookup of a key that is not in the map returns. Not given - kept (a new map gets IIS's default,
        the empty string). IIS attribute C(defaultValue).
    type: str
  ignore_case:
    description:
      - Whether keys are looked up case-insensitively. Not given - kept (a new map gets IIS's default V(true)).
        IIS attribute C(ignoreCase).
      - The keys themselves are case-sensitive in the schema, so C(A) and C(a) are two entries.
    type: bool
  entries:
    description:
      - The map's entries, as a dictionary (each key maps to its value) or as a list of dictionaries with
        C(key) and C(value) (the shape M(winflask.iis.rewrite_map_info) returns). A key given twice is refused.
      - Not given - the entries are kept as they are (a new map has none). V([]) or V({}) with
        O(entries_mode=exact) empties the map.
      - With O(entries_mode=remove), a list of keys is enough.
    type: raw
  entries_mode:
    description:
      - V(exact) - O(entries) is the whole map; other entries are removed.
      - V(merge) - the entries of O(entries) are added or get the given value; the others stay.
      - V(remove) - the keys of O(entries) are removed; the others stay.
    type: str
    choices: [exact, merge, remove]
    default: exact
  site:
    description:
      - The IIS site whose map is managed (its C(web.config)). Omit for the server level
        (C(applicationHost.config)), whose maps every site sees.
      - A site that does not exist fails the task.
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)); its C(web.config) holds the map.
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
  - A map inherited from a parent level cannot be redefined under the same name (IIS answers HTTP 500.19).
  - Rules that look up the map are not checked again when its values change (the open-proxy guard checks
    maps when a rule is written).
seealso:
  - module: winflask.iis.rewrite_map_info
  - module: winflask.iis.rewrite_rule
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Backends by host name, for a rule that rewrites to http://{Backends:{HTTP_HOST}}/{R:1}
  winflask.iis.rewrite_map:
    name: Backends
    entries:
      shop.example.com: localhost:50100
      blog.example.com: localhost:50200
    default_value: localhost:50100

- name: Add one redirect to a site's map, keep the others
  winflask.iis.rewrite_map:
    site: Default Web Site
    name: Redirects
    entries:
      /old-page: /new-page
    entries_mode: merge

- name: Remove one entry
  winflask.iis.rewrite_map:
    site: Default Web Site
    name: Redirects
    entries: [/old-page]
    entries_mode: remove

- name: Remove the map
  winflask.iis.rewrite_map:
    site: Default Web Site
    name: Redirects
    state: absent
"""

RETURN = r"""
map:
  description: The map after the task (or what it would be in check mode), in the module's option shape;
    null when it is absent.
  returned: success
  type: dict
  sample:
    name: Backends
    default_value: localhost:50100
    ignore_case: true
    entries: [{key: shop.example.com, value: localhost:50100}]
section:
  description: The config section of the maps.
  returned: success
  type: str
  sample: system.webServer/rewrite/rewriteMaps
file:
  description: The config file that holds the maps at this scope.
  returned: success
  type: str
  sample: C:\Windows\System32\inetsrv\config\applicationHost.config
backups:
  description: Backup copies of the files the write changed.
  returned: changed and not check mode
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.maps import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_map runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
