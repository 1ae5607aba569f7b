#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iis_extension
short_description: Install IIS URL Rewrite 2.1 and Application Request Routing 3.0 from their MSIs
version_added: 0.1.0
description:
  - Installs or removes the IIS extensions the collection builds on, from Microsoft's MSI packages
    through M(ansible.windows.win_package). Web Platform Installer (WebPI) is retired and not used.
  - V(url_rewrite) is "IIS URL Rewrite Module 2" (2.1, C(rewrite_amd64_en-US.msi), ProductCode
    C({9BCA2118-F753-4A1E-BCF3-5A820729965C})); V(arr) is "Microsoft Application Request Routing 3.0"
    (C(requestRouter_amd64.msi), ProductCode C({78FD26A2-9214-48CD-AF71-7F33D1A78892})).
  - Presence is read first from the host facts (one read); an extension counts as installed when IIS has
    its configuration sections and global module registered (C(system.webServer/rewrite/*) and
    C(RewriteModule); C(system.webServer/proxy) and C(ApplicationRequestRouting)). A host that has them
    makes no download and no installer run.
  - ARR needs URL Rewrite, so URL Rewrite is always installed first (and removed last), whatever the
    order of O(name). Asking for V(arr) alone on a host without URL Rewrite fails with a message saying so.
  - IIS must be installed first (see M(winflask.iis.iis_features)).
  - After installing, the module reads the host facts again and fails when the sections did not get
    registered, so later tasks (M(winflask.iis.arr_proxy), rewrite rules) start from a clear state.
options:
  name:
    description:
      - The extensions to manage.
    type: list
    elements: str
    required: true
    choices: [url_rewrite, arr]
  state:
    description:
      - V(present) installs the extensions that are missing; V(absent) removes those that are installed
        (ARR before URL Rewrite).
    type: str
    choices: [present, absent]
    default: present
  source:
    description:
      - Where the MSIs are. The default is Microsoft's download URL of each MSI (HTTPS).
      - Either one MSI file (a URL, a local path such as C(C:\install\rewrite_amd64_en-US.msi), or a UNC
        path such as C(\\fileserver\msi\requestRouter_amd64.msi)), only with a single O(name); or a folder
        or base URL holding the MSIs under Microsoft's file names (C(rewrite_amd64_en-US.msi),
        C(requestRouter_amd64.msi)), for hosts without internet access.
    type: str
  checksum:
    description:
      - SHA-256 of the MSI (64 hex digits). The installer is not run when the file's hash differs.
      - Only with a single O(name).
    type: str
  product_id:
    description:
      - The MSI's ProductCode, when the MSI at O(source) is another build than the default one.
        Windows Installer uses it to tell whether the package is installed without downloading it.
      - Only with a single O(name). The defaults are the ProductCodes given in the description.
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: >-
      Nothing is downloaded or installed; the result says what would be installed or removed. On a host
      without IIS the task warns instead of failing, as an earlier task of the same check run would
      install IIS.
  diff_mode:
    support: full
    details: Shows each extension as present or absent before and after.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin. It reads the host facts through
    M(ansible.windows.win_powershell) and calls M(ansible.windows.win_package) once per MSI that has to
    be installed or removed, then reads the host facts again to check the result.
  - The O(checksum) and O(source) checks happen on the host when the installer would run; in check mode
    and on a host that already has the extension they are not checked.
  - Microsoft does not publish SHA-256 hashes for these MSIs; compute the one of the copy you trust.
seealso:
  - module: ansible.windows.win_package
  - module: winflask.iis.iis_features
  - module: winflask.iis.arr_proxy
  - module: winflask.iis.host_info
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Install URL Rewrite, then ARR, from Microsoft's download site
  winflask.iis.iis_extension:
    name: [url_rewrite, arr]

- name: Install both from a file share on a host without internet access
  winflask.iis.iis_extension:
    name: [url_rewrite, arr]
    source: \\fileserver\software\iis

- name: Install URL Rewrite from a local copy whose hash you checked
  winflask.iis.iis_extension:
    name: url_rewrite
    source: C:\install\rewrite_amd64_en-US.msi
    checksum: "{{ url_rewrite_sha256 }}"

- name: Remove ARR, keep URL Rewrite
  winflask.iis.iis_extension:
    name: arr
    state: absent
"""

RETURN = r"""
installed:
  description: The extensions installed by the task (would be, in check mode), in install order.
  returned: state is present
  type: list
  elements: str
  sample: [url_rewrite, arr]
removed:
  description: The extensions removed by the task (would be, in check mode).
  returned: state is absent
  type: list
  elements: str
  sample: [arr]
extensions:
  description: Each extension after the task (predicted in check mode).
  returned: success
  type: dict
  sample:
    url_rewrite:
      installed: true
      title: IIS URL Rewrite Module 2
      sections: [system.webServer/rewrite/rules, system.webServer/rewrite/globalRules,
                 system.webServer/rewrite/allowedServerVariables]
      global_module: RewriteModule
    arr:
      installed: true
      title: Microsoft Application Request Routing 3.0
      sections: [system.webServer/proxy]
      global_module: ApplicationRequestRouting
sections:
  description: Every configuration section registered in applicationHost.config after the installers ran.
  returned: changed and not check mode
  type: list
  elements: str
  sample: [system.webServer/proxy, system.webServer/rewrite/rules]
reboot_required:
  description: Whether an installer asked for a reboot (msiexec exit code 3010).
  returned: success
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.iis_extension import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.iis_extension runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
