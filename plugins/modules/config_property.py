#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_property
short_description: Set attributes of any IIS configuration section at any path
version_added: 0.1.0
description:
  - Sets attributes of any IIS config section, or of a child element inside it, at the server, a site, an
    application or a C(<location>) of C(applicationHost.config); O(state=absent) resets them to the schema
    default (the attribute is deleted at this path).
  - Values are typed as the IIS schema says (bool, whole numbers, timeSpan, enum and flags names), checked and
    compared on the controller; the task is idempotent and supports check mode and diff.
  - Written through Microsoft.Web.Administration, so braces (C({HTTPS})) are kept as given.
  - The counterpart of WebAdministrationDsc's C(WebConfigProperty); for ARR, URL Rewrite and server variables
    prefer this collection's own modules (docs/config.md says when to use which).
options:
  item:
    description:
      - One item of the section's own collection, given by its key attribute(s) (C(name=Contoso) for a site of
        C(system.applicationHost/sites)); O(element) and O(attributes) are then taken inside that item, as
        C(site[@name='Contoso']/hsts) addresses them in C(appcmd) and the WebAdministration cmdlets.
      - The item must exist and be stored at this path; all of the collection's key attributes are needed.
      - Inside an item the schema types come from the collection (the item's own attributes) or from the typed
        values read (its child elements; bool, whole number, else text), so enum names are checked by IIS on write.
    type: dict
  element:
    description:
      - Child element path inside the section (or inside O(item)), names joined with C(/) (C(requestLimits));
        empty for the section element (or the item) itself.
    type: str
    default: ''
  attributes:
    description:
      - Attribute name (case-sensitive, as in the schema) to value. With O(state=absent) only the names count.
      - A timeSpan takes C([d.]hh:mm:ss) or a number of seconds; enum and flags take the schema's names.
      - A value outside its type (C(uint) 0 to 4294967295, C(int), C(int64)) or the schema's validation
        (C(integerRange), C(timeSpanRange), C(nonEmptyString), C(requireTrimmedString)) fails before any write,
        naming the attribute, the value and the range.
    type: dict
    required: true
  state:
    description:
      - V(present) sets the values; V(absent) resets the named attributes at this path, so the value comes
        from the schema default or a parent level again.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.config_address
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The named attributes before and after, as YAML.
  platform:
    platforms: windows
notes:
  - Runs on the controller as an action plugin and reaches the host through M(ansible.windows.win_powershell).
seealso:
  - module: winflask.iis.config_info
  - module: winflask.iis.config_collection
  - module: winflask.iis.config_delegation
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Longer ARR proxy timeout and a cache setting (server level)
  winflask.iis.config_property:
    section: system.webServer/proxy
    attributes:
      timeout: "00:05:00"
      httpVersion: Http11

- name: Turn ARR's response cache off
  winflask.iis.config_property:
    section: system.webServer/proxy
    element: cache
    attributes:
      enabled: false

- name: Back to the IIS default
  winflask.iis.config_property:
    section: system.webServer/proxy
    attributes:
      timeout: ~
    state: absent

- name: Native HSTS of one site (IIS 10.0 version 1709 and later; winflask.iis.host_info's native_hsts)
  winflask.iis.config_property:
    section: system.applicationHost/sites
    item:
      name: Default Web Site
    element: hsts
    attributes:
      enabled: true
      max-age: 31536000
"""

RETURN = r"""
attributes:
  description: The named attributes after the task (null after a reset; in check mode, what it would leave).
  returned: success
  type: dict
  sample: {timeout: "00:05:00", httpVersion: Http11}
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

from ansible_collections.winflask.iis.plugins.module_utils.config_generic import PROPERTY_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **PROPERTY_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.config_property runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
