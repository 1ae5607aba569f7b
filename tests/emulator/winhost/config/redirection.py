"""Shared configuration: which applicationHost.config the config system uses (redirection.config).

IIS keeps ``<configurationRedirection enabled="..." path="..." userName="..." password="...">`` in
``%windir%\\System32\\inetsrv\\config\\redirection.config``; when ``enabled`` is true the config system reads
and writes ApplicationHost.config (and Administration.config) in ``path`` (a UNC share or a local folder)
instead of the local folder ("ConfigurationRedirectionSection Class", learn.microsoft.com/iis/wmi-provider/
configurationredirectionsection-class: Enabled, default false; RedirectionPath, "for example, a UNC share";
UserName/Password, the identity the config system impersonates to read there). MWA goes through the same
config system, so its ServerManager edits the redirected file.

Mirrors common/iis.ps1 Get-ApphostConfigPath / Get-IisPaths: a redirection whose file this connection cannot
open fails with SharedConfiguration naming the path (the scripts cannot hash or back up what they cannot
read). The emulated host has no network: every UNC path is such a share.
"""

from __future__ import annotations

import ntpath
import xml.etree.ElementTree as ET

from ..errors import HostError
from ..host import Host
from ..paths import APPHOST_CONFIG, CONFIG_DIR, expand

REDIRECTION_CONFIG = CONFIG_DIR + "\\redirection.config"


def redirected_folder(host: Host) -> str | None:
    """The folder redirection.config points at when enabled (None: IIS uses its own config folder)."""
    data = host.read_bytes(REDIRECTION_CONFIG)
    if data is None:
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise HostError("ConfigFileError", f"Configuration file is not well-formed XML: {exc}",
                        file=REDIRECTION_CONFIG) from exc
    element = root.find("configurationRedirection")
    if element is None or element.get("enabled", "false").strip().lower() != "true":
        return None
    return expand(element.get("path", "")).strip() or None


def apphost_path(host: Host) -> str:
    """applicationHost.config as the config system opens it (local, or in the redirected folder)."""
    folder = redirected_folder(host)
    if folder is None:
        return APPHOST_CONFIG
    target = ntpath.join(folder, "applicationHost.config")
    reachable = not folder.startswith("\\\\") and ntpath.isabs(folder) and folder[1:2] == ":"
    if not reachable or not host.local_path(target).is_file():
        raise HostError("SharedConfiguration",
                        f"IIS uses shared configuration: {REDIRECTION_CONFIG} redirects to '{folder}', and "
                        f"'{target}' cannot be read from this connection (a share needs credentials the "
                        "connection can pass on: become, CredSSP or Kerberos delegation)",
                        file=target, redirection=REDIRECTION_CONFIG)
    return target
