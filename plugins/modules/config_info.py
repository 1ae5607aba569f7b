#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_info
short_description: Read any IIS configuration section at a path
version_added: 0.1.0
description:
  - Reads one IIS config section at the server, a site, an application or a C(<location>), as the effective
    configuration there (inherited values merged, as Microsoft.Web.Administration gives it).
  - Returns every attribute with its value and whether it is the schema default, the child elements, the
    collection items (each saying whether it is stored at this path), the schema's attribute types and
    collection keys, the file a write would change, and the section's lock state and override mode.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.config_address
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: winflask.iis.config_property
  - module: winflask.iis.config_collection
  - module: winflask.iis.config_delegation
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: ARR's proxy settings
  winflask.iis.config_info:
    section: system.webServer/proxy
  register: proxy

- name: Show the effective timeout
  ansible.builtin.debug:
    msg: "{{ proxy.element.attributes.timeout.value }}"
"""

RETURN = r"""
section:
  description: The section read.
  returned: success
  type: str
  sample: system.webServer/proxy
pspath:
  description: The config path read (C(MACHINE/WEBROOT/APPHOST[/Site[/app]])).
  returned: success
  type: str
  sample: MACHINE/WEBROOT/APPHOST
location:
  description: The C(<location path>) in applicationHost.config, empty for none.
  returned: success
  type: str
  sample: ''
file:
  description: The config file a write at this address changes.
  returned: success
  type: str
  sample: C:\Windows\System32\inetsrv\config\applicationHost.config
locked:
  description: Whether a write here is refused (section locked at a parent level, or not allowed at this path).
  returned: success
  type: bool
  sample: false
override_mode:
  description: The section's overrideMode at this path (V(Inherit), V(Allow), V(Deny)).
  returned: success
  type: str
  sample: Inherit
override_mode_effective:
  description: The mode that applies at this path (the declaration's overrideModeDefault, then location tags).
  returned: success
  type: str
  sample: Allow
element:
  description:
    - The section element, as docs/architecture.md 3.2 describes a node, with C(schema) on it and its children.
    - Its key C(items) (read it as C(element['items'])) holds the collection items in order, each a node with
      C(locally_stored); null when the element has no collection.
  returned: success
  type: dict
  contains:
    name:
      description: The element name.
      type: str
    attributes:
      description: Attribute name to C(value) and C(is_default).
      type: dict
    children:
      description: Child element name to node.
      type: dict
    locally_stored:
      description: Whether the element is stored at this path.
      type: bool
    schema:
      description: C(attributes) (name to C(type) and enum/flags C(choices)) and C(collection) (C(add), C(keys),
        item C(attributes)) or null.
      type: dict
  sample:
    name: proxy
    attributes: {enabled: {value: true, is_default: false}}
    children: {}
    items: null
    locally_stored: true
    schema: {attributes: {enabled: {type: bool}}, collection: null}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.config_generic import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.config_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
