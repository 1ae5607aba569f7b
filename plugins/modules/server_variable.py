#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: server_variable
short_description: Allow server variables for IIS URL Rewrite rules
version_added: 0.1.0
description:
  - Manages URL Rewrite's allowed server variables (C(system.webServer/rewrite/allowedServerVariables)), the
    names that site and application rules may set (IIS Manager - URL Rewrite - View Server Variables).
  - Rules that set a variable that is not allowed fail at request time with HTTP 500.50;
    M(winflask.iis.rewrite_rule) refuses such rules unless the variable is allowed.
  - Server-level (global) rules do not need the list.
  - Allowing at the server level a name that a site already allows makes the site's configuration hold it
    twice, which IIS reports as a configuration error (HTTP 500.19, duplicate collection entry); remove
    the name from the site first. The task cannot see every site's list in its one read.
  - The task records the names as the host fact C(winflask_iis_allowed_server_variables) (scope path to names),
    so later rule tasks of the same playbook run accept them, also in check mode where nothing was written.
options:
  name:
    description:
      - Variable names, for example C(HTTP_X_ORIGINAL_HOST) (a request header C(X-Original-Host)) or
        C(HTTP_X_FORWARDED_PROTO). Letters, digits and C(_).
    type: list
    elements: str
    required: true
    aliases: [names]
  state:
    description:
      - V(present) adds the names that are not allowed yet; V(absent) removes them from this scope (a name
        allowed by a parent level must be removed there).
    type: str
    choices: [present, absent]
    default: present
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
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The allowed names before and after, as YAML.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell); PowerShell 5.1 and Microsoft.Web.Administration are used on the host.
  - One read of the host per task, and one write (one commit, after a backup copy of the files) only when
    something changes, whatever the number of rules.
  - URL Rewrite 2.1 must be installed; without it the task fails saying so and nothing is changed.
seealso:
  - module: winflask.iis.server_variable_info
  - module: winflask.iis.rewrite_rule
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Allow the headers a reverse proxy rule sets, for one site
  winflask.iis.server_variable:
    name:
      - HTTP_X_ORIGINAL_HOST
      - HTTP_X_FORWARDED_PROTO
    site: Default Web Site

- name: Allow a variable for every site (the server level)
  winflask.iis.server_variable:
    name: HTTP_X_FORWARDED_HOST

- name: Take it back
  winflask.iis.server_variable:
    name: HTTP_X_FORWARDED_PROTO
    site: Default Web Site
    state: absent
"""

RETURN = r"""
allowed_server_variables:
  description: The names allowed at the scope after the task, inherited ones included.
  returned: success
  type: list
  elements: str
  sample: [HTTP_X_ORIGINAL_HOST, HTTP_X_FORWARDED_PROTO]
file:
  description: The config file that holds the list (always applicationHost.config).
  returned: success
  type: str
  sample: C:\Windows\System32\inetsrv\config\applicationHost.config
location:
  description: The C(<location path>) the names are written under; empty for the server level.
  returned: success
  type: str
  sample: Default Web Site
ansible_facts:
  description: Facts set by the task.
  returned: success
  type: dict
  contains:
    winflask_iis_allowed_server_variables:
      description: Scope path (empty for the server) to the names allowed by server_variable tasks of this run.
      type: dict
      sample: {"Default Web Site": [HTTP_X_ORIGINAL_HOST]}
backups:
  description: Backup copies of the config files written, made on the host before the change.
  returned: changed and not check mode
  type: list
  elements: str
  sample: ['C:\ProgramData\winflask\backup\20261130-101500-123\web.config']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.server_variable import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.server_variable runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
