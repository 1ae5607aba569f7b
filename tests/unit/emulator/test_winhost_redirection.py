"""Shared configuration: redirection.config moves applicationHost.config (issue 9, item 13).

IIS reads ``%windir%\\System32\\inetsrv\\config\\redirection.config``; with
``<configurationRedirection enabled="true" path="...">`` the config system (and so MWA) reads and writes
applicationHost.config in that folder instead (learn.microsoft.com, iis/wmi-provider/
configurationredirectionsection-class). config_read.ps1 / config_apply.ps1 follow it through
common/iis.ps1 Get-ApphostConfigPath; the emulator does the same (winhost.config.redirection).
"""

from __future__ import annotations

import hashlib

from winhost import Host
from winhost.scripts import SCRIPTS
from winhost_helpers import APPHOST_FILE, apply, attrs, op, raises, read

PROXY = "system.webServer/proxy"
REDIRECTION = "C:\\Windows\\System32\\inetsrv\\config\\redirection.config"
SHARED = "D:\\SharedConfig\\applicationHost.config"


def redirect(host: Host, path: str, enabled: str = "true") -> None:
    host.write_bytes(REDIRECTION, (
        '<configuration>\r\n    <configSections>\r\n        <section name="configurationRedirection" />\r\n'
        f'    </configSections>\r\n    <configurationRedirection enabled="{enabled}" path="{path}" />\r\n'
        '</configuration>\r\n').encode())


def share(host: Host) -> bytes:
    """The shared folder gets a copy of applicationHost.config with the proxy switched on (tells them apart)."""
    data = host.read_bytes(APPHOST_FILE)
    assert data is not None
    shared = data.replace(b"<system.webServer>", b'<system.webServer>\n        <proxy enabled="true" />', 1)
    assert shared != data
    host.write_bytes(SHARED, shared)
    return shared


def test_read_follows_the_redirection(host: Host) -> None:
    share(host)
    redirect(host, "D:\\SharedConfig")
    entry = read(host, PROXY)
    assert entry["file"] == SHARED
    assert attrs(entry["element"])["enabled"] is True  # the shared file's value, not the local one
    data = host.read_bytes(SHARED)
    assert data is not None
    assert entry["fingerprint"] == {SHARED: hashlib.sha256(data).hexdigest()}


def test_apply_writes_and_backs_up_the_redirected_file(host: Host) -> None:
    shared = share(host)
    local = host.read_bytes(APPHOST_FILE)
    redirect(host, "D:\\SharedConfig\\")
    fingerprint = read(host, PROXY)["fingerprint"]
    result = apply(host, op("set", PROXY, attributes={"timeout": "00:00:30"}), fingerprint=fingerprint)
    assert host.read_bytes(APPHOST_FILE) == local  # the local file is not the one in use
    assert host.read_bytes(SHARED) != shared
    assert attrs(read(host, PROXY)["element"])["timeout"] == "00:00:30"
    [backup] = result["backups"]
    assert backup.endswith("\\D\\SharedConfig\\applicationHost.config")
    assert host.read_bytes(backup) == shared


def test_disabled_redirection_is_ignored(host: Host) -> None:
    share(host)
    redirect(host, "D:\\SharedConfig", enabled="false")
    assert read(host, PROXY)["file"] == APPHOST_FILE


def test_unreachable_shared_configuration_is_refused_naming_the_path(host: Host) -> None:
    redirect(host, "\\\\fileserver\\iisconfig")
    local = host.read_bytes(APPHOST_FILE)
    error = raises("SharedConfiguration", read, host, PROXY)
    assert "\\\\fileserver\\iisconfig\\applicationHost.config" in error.message
    assert "redirection.config" in error.message
    error = raises("SharedConfiguration", apply, host, op("set", PROXY, attributes={"enabled": True}))
    assert host.read_bytes(APPHOST_FILE) == local


def test_host_facts_names_the_file_in_use(host: Host) -> None:
    share(host)
    redirect(host, "D:\\SharedConfig")
    facts = SCRIPTS["host_facts"](host, {}, False)
    assert facts["iis"]["config_file"] == SHARED
