#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iis_features
short_description: Turn IIS and its role services on or off, on Windows Server and client Windows alike
version_added: 0.1.0
description:
  - Installs or removes IIS features by the names users mean (V(web_server), V(common_http),
    V(websockets), ...) on either kind of Windows. The module reads the host facts once to tell the SKU,
    then makes ONE call with the whole list of names.
  - On Windows Server it uses the Server Manager names through M(ansible.windows.win_feature)
    (C(Install-WindowsFeature)); on Windows 10/11 the optional feature names through
    M(ansible.windows.win_optional_feature) (C(Enable-WindowsOptionalFeature)), which
    C(Install-WindowsFeature) cannot do ("The target of the specified cmdlet cannot be a Windows
    client-based operating system").
  - With O(state=present) each friendly name brings the features above it (for example V(websockets) also
    turns on C(Web-App-Dev), C(Web-WebServer) and C(Web-Server)), so both SKUs end with the same set.
    With O(state=absent) only the named features are removed, never their parents.
  - "Friendly names and what they stand for (Server Manager / optional feature name):
    V(web_server) C(Web-Server), C(Web-WebServer) / C(IIS-WebServerRole), C(IIS-WebServer);
    V(common_http) C(Web-Common-Http), C(Web-Default-Doc), C(Web-Http-Errors), C(Web-Static-Content) /
    C(IIS-CommonHttpFeatures), C(IIS-DefaultDocument), C(IIS-HttpErrors), C(IIS-StaticContent);
    V(default_document), V(static_content), V(http_errors), V(directory_browsing), V(http_redirect);
    V(http_logging) C(Web-Http-Logging) / C(IIS-HttpLogging); V(request_monitor); V(http_tracing);
    V(static_compression) C(Web-Stat-Compression) / C(IIS-HttpCompressionStatic); V(dynamic_compression);
    V(request_filtering) C(Web-Filtering) / C(IIS-RequestFiltering); V(windows_auth); V(basic_auth);
    V(websockets) C(Web-WebSockets) / C(IIS-WebSockets); V(application_init); V(cgi);
    V(isapi) (extensions and filters); V(management_tools); V(management_console) C(Web-Mgmt-Console) /
    C(IIS-ManagementConsole) (not on Server Core); V(scripting_tools) C(Web-Scripting-Tools) /
    C(IIS-ManagementScriptingTools); V(management_service). The full table is in the collection's
    docs/features.md."
  - Raw names of either kind pass through for power users. A raw name of the other SKU is translated when
    the table knows it (C(Web-WebSockets) on Windows 11 becomes C(IIS-WebSockets)); other raw names (for
    example C(NET-Framework-45-ASPNET)) go to the host unchanged and a name the host does not know fails
    the task, naming the SKU and the valid names, before anything is installed.
options:
  name:
    description:
      - Friendly names (lower case, see above) or raw feature names of either SKU.
      - The default is the set a reverse proxy needs.
    type: list
    elements: str
    default: [web_server, common_http, http_logging, static_compression, request_filtering, scripting_tools]
  state:
    description:
      - V(present) installs the features (and their parents); V(absent) removes the named features.
    type: str
    choices: [present, absent]
    default: present
  source:
    description:
      - Where Windows finds the feature payload on a host without Windows Update access (a C(sxs) folder
        or a C(wim:) source), passed to the underlying module. Only used with O(state=present).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The underlying module predicts the change (C(-WhatIf) on Server) and installs nothing.
  diff_mode:
    support: partial
    details: >-
      Shows the features that changed. On Server they are named as Server Manager reports them (display
      names); on client Windows the requested names stand in, as C(win_optional_feature) only says
      whether something changed.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin. It reads the host facts through
    M(ansible.windows.win_powershell), then calls M(ansible.windows.win_feature) or
    M(ansible.windows.win_optional_feature) once.
  - Sub-features of C(Web-Server) are never installed wholesale (C(include_sub_features)), because installing
    them over WinRM can restart the HTTP stack and drop the connection.
  - Some features ask for a reboot; the module reports it in RV(reboot_required) and does not reboot.
    Use M(ansible.windows.win_reboot) when it is true.
seealso:
  - module: ansible.windows.win_feature
  - module: ansible.windows.win_optional_feature
  - module: winflask.iis.iis_extension
  - module: winflask.iis.host_info
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Install IIS for a reverse proxy (Server or Windows 10/11)
  winflask.iis.iis_features:
  register: iis

- name: Reboot when Windows asks for it
  ansible.windows.win_reboot:
  when: iis.reboot_required

- name: Add WebSockets and the IIS Manager console
  winflask.iis.iis_features:
    name: [web_server, websockets, management_console]

- name: Raw names of either SKU work too (translated where the table knows them)
  winflask.iis.iis_features:
    name: [Web-Server, Web-Http-Redirect]

- name: Remove directory browsing only
  winflask.iis.iis_features:
    name: directory_browsing
    state: absent
"""

RETURN = r"""
sku:
  description: The kind of Windows the host facts reported, C(server) or C(client).
  returned: always
  type: str
  sample: server
module:
  description: The module that did the work.
  returned: always
  type: str
  sample: ansible.windows.win_feature
features:
  description: The raw feature names passed to that module, parents first.
  returned: always
  type: list
  elements: str
  sample: [Web-Server, Web-WebServer, Web-Common-Http, Web-Default-Doc]
changed_features:
  description:
    - The features that changed (in check mode, would change). Display names on Server; the requested
      names on client Windows.
  returned: always
  type: list
  elements: str
  sample: [Web Server (IIS), WebSocket Protocol]
reboot_required:
  description: Whether Windows needs a reboot to finish.
  returned: always
  type: bool
  sample: false
feature_result:
  description: What M(ansible.windows.win_feature) reported per feature (Server only).
  returned: on Windows Server
  type: list
  elements: dict
  sample:
    - id: 160
      display_name: WebSocket Protocol
      message: []
      reboot_required: false
      skip_reason: NotApplicable
      success: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.iis_features import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.iis_features runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
