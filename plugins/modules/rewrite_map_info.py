#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_map_info
short_description: Read the IIS URL Rewrite rewrite maps of a scope
version_added: 0.1.0
description:
  - Returns the rewrite maps of a site, a site application or the server in the option shape of
    M(winflask.iis.rewrite_map), every option filled in; each map can be fed back unchanged.
options:
  site:
    description:
      - The IIS site whose maps are read. Omit for the server level (C(applicationHost.config)).
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)).
    type: str
  name:
    description:
      - Only the map of this name (case-insensitive).
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
  - module: winflask.iis.rewrite_map
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read a site's maps
  winflask.iis.rewrite_map_info:
    site: Default Web Site
  register: site_maps

- name: Copy them to another site
  winflask.iis.rewrite_map: "{{ item | combine({'site': 'Other Site'}) }}"
  loop: "{{ site_maps.maps }}"
"""

RETURN = r"""
maps:
  description: The maps stored at the scope, in order, in M(winflask.iis.rewrite_map)'s option shape.
  returned: success
  type: list
  elements: dict
  sample:
    - name: Backends
      default_value: ""
      ignore_case: true
      entries: [{key: shop.example.com, value: localhost:50100}]
inherited_maps:
  description: Maps inherited from parent levels (visible to the scope's rules), same shape.
  returned: success
  type: list
  elements: dict
  sample: []
exists:
  description: Whether a map (of O(name), or any) was found.
  returned: success
  type: bool
  sample: true
section:
  description: The config section of the maps.
  returned: success
  type: str
  sample: system.webServer/rewrite/rewriteMaps
file:
  description: The config file that holds the maps at this scope.
  returned: success
  type: str
  sample: C:\inetpub\wwwroot\web.config
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_map_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
