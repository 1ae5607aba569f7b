#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: nssm_service_info
short_description: Read the configuration of a Windows service run by nssm
version_added: 0.1.0
description:
  - Reads one service's whole nssm configuration in one call (the registry values nssm keeps under
    C(HKLM\SYSTEM\CurrentControlSet\Services\<name>)), its status, and where nssm is on the host.
  - The settings use the option names of M(winflask.iis.nssm_service).
options:
  name:
    description:
      - Name of the service.
    type: str
    required: true
  executable:
    description:
      - Path of C(nssm.exe) on the host; default C(nssm.exe) on the PATH, then C(%ProgramFiles%\nssm\nssm.exe).
    type: str
  secret_names:
    description:
      - Names of environment variables (the O(winflask.iis.nssm_service#module:secret_environment) of the
        service) whose values are not returned; C(service.environment) shows the text "(secret)" for them.
      - The host returns an HMAC of each value under a key made for the task, never the value.
      - Without it every C(AppEnvironmentExtra) value is returned as it is in the registry.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads.
  diff_mode:
    support: none
  platform:
    platforms: windows
seealso:
  - module: winflask.iis.nssm_service
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read the app's service
  winflask.iis.nssm_service_info:
    name: myapp
  register: myapp

- name: Show where its logs go
  ansible.builtin.debug:
    msg: "{{ myapp.service.stdout_file }} ({{ myapp.status }})"
  when: myapp.exists
"""

RETURN = r"""
exists:
  description: Whether a service of that name exists.
  returned: always
  type: bool
is_nssm:
  description: Whether the service runs nssm.exe.
  returned: always
  type: bool
name:
  description: The service's name as the host spells it.
  returned: always
  type: str
status:
  description: The service's status (C(SERVICE_RUNNING), C(SERVICE_STOPPED), C(SERVICE_PAUSED), ...).
  returned: when the service exists
  type: str
service:
  description: The settings, as returned by M(winflask.iis.nssm_service); V(null) unless an nssm service.
  returned: always
  type: dict
nssm:
  description: Where nssm.exe is on the host and its file version; V(null) when not found.
  returned: always
  type: dict
  sample: {"path": "C:\\Program Files\\nssm\\nssm.exe", "version": "2.24.101.0"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import INFO_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **INFO_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.nssm_service_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
