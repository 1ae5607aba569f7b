# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: pfx_thumbprint
short_description: The thumbprint of the certificate in a PFX file on the controller
version_added: 0.1.0
description:
  - Reads a PFX (PKCS#12) file on the controller and returns the SHA-1 thumbprint of the certificate that holds its
    private key (40 upper-case hexadecimal digits, as Windows shows it), or of its only certificate.
  - The thumbprint C(ansible.windows.win_certificate_store) would import the file as and C(microsoft.iis.website)
    binds, known before the file reaches the host; the C(winflask.iis.reverse_proxy) role copies and imports the
    PFX only when the site's binding does not hold it yet, and in check mode names the certificate it would bind.
  - The file is looked up like the C(src) of C(ansible.windows.win_copy) (a role's C(files) folder, the playbook's).
options:
  _terms:
    description: PFX files on the controller.
    required: true
    type: list
    elements: path
  password:
    description: The PFX's password (C("") also opens a PFX without one).
    type: str
    default: ""
notes:
  - Uses the Python package C(cryptography), which ansible-core requires.
seealso:
  - module: ansible.windows.win_certificate_store
  - module: microsoft.iis.website
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Bind the certificate of a PFX without asking the host what it imported
  microsoft.iis.website:
    name: Default Web Site
    bindings:
      add:
        - ip: "*"
          port: 443
          protocol: https
          certificate_hash: "{{ lookup('winflask.iis.pfx_thumbprint', 'www.example.com.pfx', password=pfx_password) }}"
"""

RETURN = r"""
_raw:
  description: One thumbprint per file.
  type: list
  elements: str
  sample: [5409124040FA1C8FA74939BDA2EF8FD5975BD25B]
"""

# Below the documentation, as validate-modules wants it for plugins (import-before-documentation).
from typing import Any  # noqa: E402

from ansible.errors import AnsibleLookupError  # noqa: E402
from ansible.plugins.lookup import LookupBase  # noqa: E402
from ansible_collections.winflask.iis.plugins.plugin_utils.pfx import PfxError, pfx_thumbprint  # noqa: E402


class LookupModule(LookupBase):
    """lookup('winflask.iis.pfx_thumbprint', path, password=...)."""

    def run(self, terms: list[Any], variables: dict[str, Any] | None = None, **kwargs: Any) -> list[str]:
        self.set_options(var_options=variables, direct=kwargs)
        password = self.get_option("password") or ""
        thumbprints = []
        for term in terms:
            path = self.find_file_in_search_path(variables, "files", term, ignore_missing=True)
            if not path:
                raise AnsibleLookupError(f"pfx_thumbprint: the PFX file '{term}' was not found on the controller")
            with open(path, "rb") as handle:
                data = handle.read()
            try:
                thumbprints.append(pfx_thumbprint(data, password))
            except PfxError as error:
                raise AnsibleLookupError(f"pfx_thumbprint: cannot read the PFX file '{term}': {error}") from None
        return thumbprints
