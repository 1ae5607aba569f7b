"""Host layout, profiles, state, installers (IIS role, URL Rewrite, ARR) and host_facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from winhost import Host
from winhost.iis import (add_application, add_site, install_arr, install_iis, install_url_rewrite, uninstall_arr,
                         uninstall_iis, uninstall_url_rewrite)
from winhost.scripts import SCRIPTS
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, attrs, raises, read

PROXY = "system.webServer/proxy"
RULES = "system.webServer/rewrite/rules"


def test_windows_paths_map_under_drive_folder(tmp_path: Path) -> None:
    host = Host.create(tmp_path / "h", bare=True)
    assert host.local_path("C:\\inetpub\\wwwroot") == tmp_path / "h" / "C" / "inetpub" / "wwwroot"
    assert host.local_path("%SystemDrive%\\inetpub") == tmp_path / "h" / "C" / "inetpub"
    assert host.local_path("c:/Windows/System32") == tmp_path / "h" / "C" / "Windows" / "System32"
    # existing entries are found case-insensitively, as on NTFS
    assert host.local_path("C:\\WINDOWS\\system32") == tmp_path / "h" / "C" / "Windows" / "System32"
    assert host.win_path(tmp_path / "h" / "C" / "Windows") == "C:\\Windows"
    with pytest.raises(ValueError):
        host.local_path("relative\\path")


@pytest.mark.parametrize(("profile", "product_type", "caption", "version", "installation_type"), [
    ("server2022", 3, "Microsoft Windows Server 2022 Datacenter", "10.0.20348", "Server"),
    ("win11", 1, "Microsoft Windows 11 Pro", "10.0.22631", "Client"),
])
def test_profiles_give_os_facts(tmp_path: Path, profile: str, product_type: int, caption: str, version: str,
                                installation_type: str) -> None:
    host = Host.create(tmp_path / profile, profile=profile, bare=True)
    facts = SCRIPTS["host_facts"](host, {}, False)
    assert facts["os"] == {"product_type": product_type, "caption": caption, "version": version,
                           "installation_type": installation_type}
    assert facts["powershell_version"].startswith("5.1.")
    state = json.loads((tmp_path / profile / "state.json").read_text())
    assert state["profile"] == profile
    assert {"features", "products", "services"} <= set(state)


def test_unknown_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        Host.create(tmp_path / "x", profile="win95")


def test_bare_host_has_no_iis(bare_host: Host) -> None:
    assert not bare_host.exists(APPHOST_FILE)
    facts = SCRIPTS["host_facts"](bare_host, {}, False)
    assert facts["iis"] == {"installed": False, "version": None, "config_file": None}
    assert facts["sections"] == [] and facts["global_modules"] == [] and facts["sites"] == []
    raises("IISNotInstalled", read, bare_host, PROXY)


def test_default_host_has_default_web_site_rewrite_and_arr(host: Host) -> None:
    facts = SCRIPTS["host_facts"](host, {}, False)
    assert facts["iis"] == {"installed": True, "version": "10.0", "config_file": APPHOST_FILE}
    assert facts["sites"] == [{"name": "Default Web Site", "id": 1, "physical_path": "%SystemDrive%\\inetpub\\wwwroot"}]
    assert {"RewriteModule", "ApplicationRequestRouting"} <= set(facts["global_modules"])
    assert {PROXY, RULES, "system.webServer/rewrite/globalRules",
            "system.webServer/rewrite/allowedServerVariables"} <= set(facts["sections"])
    assert host.local_path("C:\\inetpub\\wwwroot").is_dir()
    site = read(host, "system.applicationHost/sites")["element"]["items"][0]
    assert attrs(site)["name"] == "Default Web Site" and attrs(site)["id"] == 1
    binding = site["children"]["bindings"]["items"][0]
    assert attrs(binding) == {"protocol": "http", "bindingInformation": "*:80:", "sslFlags": "None"}
    state = host.load_state()
    assert state["products"]["{9BCA2118-F753-4A1E-BCF3-5A820729965C}"]["name"] == "IIS URL Rewrite Module 2"
    assert state["products"]["{78FD26A2-9214-48CD-AF71-7F33D1A78892}"]["name"] == \
        "Microsoft Application Request Routing 3.0"
    assert host.exists("C:\\Windows\\System32\\inetsrv\\rewrite.dll")
    assert host.exists("C:\\Windows\\System32\\inetsrv\\config\\schema\\rewrite_schema.xml")


def test_create_refuses_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    Host.create(tmp_path / "h", bare=True)
    with pytest.raises(FileExistsError):
        Host.create(tmp_path / "h")
    host = Host.create(tmp_path / "h", force=True)
    assert host.iis_installed
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not an emulated host"):
        Host.create(tmp_path / "other", force=True)
    assert (tmp_path / "other" / "keep.txt").exists()


def test_proxy_section_is_missing_until_arr_is_installed(bare_host: Host) -> None:
    install_iis(bare_host)
    error = raises("SectionNotRegistered", read, bare_host, PROXY)
    assert error.message == ("The configuration section 'system.webServer/proxy' cannot be read because it is "
                             "missing a section declaration")
    raises("SectionNotRegistered", read, bare_host, RULES)
    install_url_rewrite(bare_host)
    assert read(bare_host, RULES)["element"]["items"] == []
    raises("SectionNotRegistered", read, bare_host, PROXY)
    install_arr(bare_host)
    assert attrs(read(bare_host, PROXY)["element"])["enabled"] is False


def test_installers_refuse_missing_prerequisites(bare_host: Host) -> None:
    raises("IISNotInstalled", install_url_rewrite, bare_host)
    raises("IISNotInstalled", install_arr, bare_host)
    install_iis(bare_host)
    error = raises("PrerequisiteMissing", install_arr, bare_host)
    assert "URL Rewrite" in error.message
    assert bare_host.load_state()["products"] == {}


def test_installers_are_idempotent_and_uninstall_reverses(host: Host) -> None:
    before = host.read_bytes(APPHOST_FILE)
    assert install_iis(host) is False and install_url_rewrite(host) is False and install_arr(host) is False
    assert host.read_bytes(APPHOST_FILE) == before
    assert uninstall_arr(host) is True
    raises("SectionNotRegistered", read, host, PROXY)
    assert "ApplicationRequestRouting" not in SCRIPTS["host_facts"](host, {}, False)["global_modules"]
    assert "{78FD26A2-9214-48CD-AF71-7F33D1A78892}" not in host.load_state()["products"]
    assert uninstall_url_rewrite(host) is True
    raises("SectionNotRegistered", read, host, RULES)
    assert not host.exists("C:\\Windows\\System32\\inetsrv\\config\\schema\\rewrite_schema.xml")
    assert uninstall_iis(host) is True
    raises("IISNotInstalled", read, host, "system.applicationHost/sites")


def test_uninstall_arr_takes_its_config_with_it(host: Host) -> None:
    from winhost_helpers import apply, op
    apply(host, op("set", PROXY, attributes={"enabled": True}))
    uninstall_arr(host)
    assert b"<proxy" not in host.read_bytes(APPHOST_FILE)
    install_arr(host)
    assert attrs(read(host, PROXY)["element"])["enabled"] is False


def test_add_site_and_application(host: Host) -> None:
    add_site(host, "Flask", 2, "C:\\sites\\flask")
    add_application(host, "Flask", "/myApp", "C:\\apps\\myapp")
    assert host.local_path("C:\\sites\\flask").is_dir() and host.local_path("C:\\apps\\myapp").is_dir()
    sites = {s["name"]: s for s in SCRIPTS["host_facts"](host, {}, False)["sites"]}
    assert sites["Flask"] == {"name": "Flask", "id": 2, "physical_path": "C:\\sites\\flask"}
    entry = read(host, RULES, "MACHINE/WEBROOT/APPHOST/Flask/myApp")
    assert entry["file"] == "C:\\apps\\myapp\\web.config"
    assert set(entry["fingerprint"]) == {APPHOST_FILE, "C:\\sites\\flask\\web.config", "C:\\apps\\myapp\\web.config"}
    raises("DuplicateKey", add_site, host, "flask", 3, "C:\\sites\\other")  # names compare case-insensitively
    assert read(host, RULES, SITE)["file"] == "C:\\inetpub\\wwwroot\\web.config"
    assert read(host, RULES, APPHOST, "Flask/myApp")["file"] == APPHOST_FILE
