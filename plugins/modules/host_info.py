#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: host_info
short_description: Read what winflask.iis needs to know about a Windows host
version_added: 0.1.0
description:
  - Returns the host's operating system (Server or client SKU, Server Core or not), whether IIS is
    installed, the IIS configuration sections and global modules that are registered, the sites, and
    whether URL Rewrite and Application Request Routing (ARR) are installed, and whether IIS has native
    HSTS on its sites (IIS 10.0 version 1709 and later).
  - An IIS extension counts as installed when IIS has its configuration sections and its global module
    registered (that is what the other modules of the collection need), not merely when its MSI is
    known to Windows Installer.
  - One read of the host; nothing is changed. Works without IIS (then C(iis.installed) is false and
    the lists are empty).
options: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell); PowerShell 5.1 is used on the host.
seealso:
  - module: winflask.iis.iis_features
  - module: winflask.iis.iis_extension
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Read the host's facts
  winflask.iis.host_info:
  register: host

- name: Install ARR only where it is missing
  winflask.iis.iis_extension:
    name: [url_rewrite, arr]
  when: not host.extensions.arr

- name: Say which kind of Windows this is
  ansible.builtin.debug:
    msg: "{{ host.os.caption }} ({{ host.sku }}), IIS {{ host.iis.version if host.iis.installed else 'absent' }}"
"""

RETURN = r"""
os:
  description: The operating system (C(Win32_OperatingSystem) and the registry's C(InstallationType)).
  returned: success
  type: dict
  contains:
    product_type:
      description: 1 workstation (client SKU), 2 domain controller, 3 server.
      type: int
    caption:
      description: The product name.
      type: str
    version:
      description: The OS version.
      type: str
    installation_type:
      description: C(Server), C(Server Core) or C(Client).
      type: str
  sample:
    product_type: 3
    caption: Microsoft Windows Server 2022 Datacenter
    version: 10.0.20348
    installation_type: Server
sku:
  description: C(server) (Server Manager feature names) or C(client) (optional feature names).
  returned: success
  type: str
  sample: server
server_core:
  description: Whether the host is a Server Core installation (no IIS Manager console).
  returned: success
  type: bool
  sample: false
powershell_version:
  description: The Windows PowerShell version on the host.
  returned: success
  type: str
  sample: 5.1.20348.2849
iis:
  description: Whether IIS is installed, its version and the path of applicationHost.config.
  returned: success
  type: dict
  sample:
    installed: true
    version: "10.0"
    config_file: C:\Windows\System32\inetsrv\config\applicationHost.config
sections:
  description: Every configuration section declared in applicationHost.config.
  returned: success
  type: list
  elements: str
  sample: [system.webServer/proxy, system.webServer/rewrite/rules]
global_modules:
  description: The IIS global modules (C(system.webServer/globalModules)).
  returned: success
  type: list
  elements: str
  sample: [RewriteModule, ApplicationRequestRouting]
sites:
  description: The IIS sites.
  returned: success
  type: list
  elements: dict
  sample: [{name: Default Web Site, id: 1, physical_path: '%SystemDrive%\inetpub\wwwroot'}]
extensions:
  description: Whether each IIS extension is installed (its sections and global module are registered).
  returned: success
  type: dict
  sample: {url_rewrite: true, arr: false}
native_hsts:
  description:
    - Whether the host's IIS has native HSTS, the C(hsts) element of a site (C(system.applicationHost/sites),
      IIS 10.0 version 1709 and later, that is Windows build 16299 or later; Windows Server 2019 and 2022, not 2016).
    - Decided from the IIS and OS versions; false without IIS or when a version is unknown.
  returned: success
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.host_info import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.host_info runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
