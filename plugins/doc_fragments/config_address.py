# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where any IIS config section is read or written: the address options of the config_* modules."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  section:
    description:
      - The config section, as IIS names it (C(system.webServer/proxy),
        C(system.webServer/security/requestFiltering)). A section the host does not declare fails the task.
    type: str
    required: true
  site:
    description:
      - An IIS site; omit for the server level (C(MACHINE/WEBROOT/APPHOST), C(applicationHost.config)).
      - Without O(in_apphost) the site's C(web.config) is read or written.
    type: str
  application:
    description:
      - Virtual path below O(site) (C(/myApp)); its C(web.config) (or its C(<location>) with O(in_apphost)).
    type: str
  in_apphost:
    description:
      - With O(site), address C(<location path="Site/app">) in C(applicationHost.config) instead of the
        C(web.config), as IIS Manager does for locked sections (C(appcmd ... /commit:apphost)).
    type: bool
    default: false
"""
