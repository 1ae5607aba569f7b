#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_delegation
short_description: Lock or unlock an IIS configuration section for a path (feature delegation)
version_added: 0.1.0
description:
  - Sets a section's C(overrideMode) for the server, a site or an application, as IIS Manager's "Feature
    Delegation" and C(appcmd unlock config) do - written as C(<location path="Site" overrideMode="Allow">) in
    C(applicationHost.config) (Microsoft.Web.Administration C(ConfigurationSection.OverrideMode)).
  - V(Allow) is the fix for HTTP 500.19 "This configuration section cannot be used at this path" when an
    application's C(web.config) sets a section locked by C(overrideModeDefault="Deny").
  - The counterpart of WebAdministrationDsc's C(IisFeatureDelegation), with V(Inherit) to drop the setting.
options:
  section:
    description:
      - The config section (C(system.webServer/rewrite/allowedServerVariables)).
    type: str
    required: true
  site:
    description:
      - The site the mode applies to (and everything below it); omit for the whole server (C(location path="")).
    type: str
  application:
    description:
      - Virtual path below O(site) (C(/myApp)).
    type: str
  override_mode:
    description:
      - V(Allow) lets C(web.config) files at and below the path set the section; V(Deny) refuses it;
        V(Inherit) removes the mode so the parent's (or the declaration's default) applies.
    type: str
    choices: [Allow, Deny, Inherit]
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The override mode before and after.
  platform:
    platforms: windows
seealso:
  - module: winflask.iis.config_info
  - module: winflask.iis.config_property
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Let the site's web.config hold its own allowed server variables
  winflask.iis.config_delegation:
    section: system.webServer/rewrite/allowedServerVariables
    site: Default Web Site
    override_mode: Allow
"""

RETURN = r"""
override_mode:
  description: The section's override mode at the path after the task.
  returned: success
  type: str
  sample: Allow
location:
  description: The C(<location path>) of applicationHost.config written (empty for the whole server).
  returned: success
  type: str
  sample: Default Web Site
file:
  description: The config file a write changes.
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

from ansible_collections.winflask.iis.plugins.module_utils.config_generic import DELEGATION_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **DELEGATION_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.config_delegation runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
