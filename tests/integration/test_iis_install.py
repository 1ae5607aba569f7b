"""IIS features and the URL Rewrite / ARR extensions, from a bare emulated host (issue 4).

Playbooks run against the emulated host; the tests then read what the host holds (state.json,
applicationHost.config, the call log). The "done" test: from a bare Windows Server 2022 host and a
bare Windows 11 host one playbook leaves IIS, URL Rewrite and ARR installed, and a second run
reports no change, writes nothing and downloads nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playbook_run import ansible_env, create_host, read_calls, run_playbook, venvs, write_inventory
from winhost import features as emulated_features
from winhost.modules import run_module
from winhost import packages as emulated_packages
from winhost.config_scripts import host_facts
from winhost.host import Host
from winhost.packages import msi_sha256, write_msi

VENV_LIST = venvs()
REWRITE_CODE = "{9BCA2118-F753-4A1E-BCF3-5A820729965C}"
ARR_CODE = "{78FD26A2-9214-48CD-AF71-7F33D1A78892}"
PLAYBOOK = """---
- name: IIS, URL Rewrite and ARR
  hosts: windows
  gather_facts: false
  tasks:
    - name: IIS features
      winflask.iis.iis_features:
        name: [web_server, common_http, http_logging, static_compression, request_filtering, websockets]
    - name: URL Rewrite and ARR
      winflask.iis.iis_extension:
        name: [url_rewrite, arr]
{extension_options}
    - name: ARR proxy on
      winflask.iis.arr_proxy:
        enabled: true
"""


def play(tmp_path: Path, extension_options: dict[str, str] | None = None) -> Path:
    options = "".join(f"        {key}: '{value}'\n" for key, value in (extension_options or {}).items())
    path = tmp_path / "play.yml"
    path.write_text(PLAYBOOK.format(extension_options=options.rstrip("\n")), encoding="utf-8")
    return path


def run(venv: Path, root: Path, tmp_path: Path, profile: str, playbook: Path, *extra: str) -> Any:
    inventory = write_inventory(tmp_path / "inventory.yml", f"emulated-{profile}")
    return run_playbook(venv, playbook, inventory, ansible_env(venv, root, tmp_path), list(extra))


def state(root: Path) -> dict[str, Any]:
    return json.loads((root / "state.json").read_text(encoding="utf-8"))


def module_calls(calls: list[dict[str, Any]], module: str) -> list[dict[str, Any]]:
    return [c for c in calls if c["module"] == f"ansible.windows.{module}"]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
@pytest.mark.parametrize("profile, feature_module, core_feature", [
    ("server2022", "win_feature", "IIS-WebServer"),
    ("win11", "win_optional_feature", "IIS-WebServer"),
])
def test_bare_host_to_all_installed_then_no_change(profile: str, feature_module: str, core_feature: str,
                                                   venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host", profile=profile, bare=True)
    assert not (root / "C" / "Windows" / "System32" / "inetsrv").exists()
    playbook = play(tmp_path)

    first = run(venv, root, tmp_path, profile, playbook)
    assert first.rc == 0, first.failure_report()
    assert first.recap[f"emulated-{profile}"]["changed"] == 3, first.stdout[-3000:]
    facts = host_facts(Host(root), {}, False)
    assert facts["iis"]["installed"] is True
    for section in ("system.webServer/rewrite/rules", "system.webServer/rewrite/allowedServerVariables",
                    "system.webServer/proxy"):
        assert section in facts["sections"]
    assert {"RewriteModule", "ApplicationRequestRouting"} <= set(facts["global_modules"])
    host_state = state(root)
    assert set(host_state["products"]) == {REWRITE_CODE, ARR_CODE}
    assert host_state["features"][core_feature] == "Enabled" and host_state["features"]["IIS-WebSockets"] == "Enabled"
    apphost = (root / "C/Windows/System32/inetsrv/config/applicationHost.config").read_text(encoding="utf-8")
    assert 'name="proxy"' in apphost and 'enabled="true"' in apphost
    calls = read_calls(root)
    assert len(module_calls(calls, feature_module)) == 1  # the whole list in one call
    packages = module_calls(calls, "win_package")
    assert [c["request"]["product_id"] for c in packages] == [REWRITE_CODE, ARR_CODE]  # URL Rewrite first
    assert [len(c["downloads"]) for c in packages] == [1, 1]

    second = run(venv, root, tmp_path, profile, playbook)
    assert second.rc == 0, second.failure_report()
    assert second.recap[f"emulated-{profile}"]["changed"] == 0, second.stdout[-3000:]
    new_calls = read_calls(root)[len(calls):]
    assert new_calls and not [c for c in new_calls if c["kind"] == "write"], new_calls
    assert not module_calls(new_calls, "win_package"), "second run called win_package (a download)"
    assert state(root)["products"] == host_state["products"]


def test_check_mode_on_a_bare_host_writes_nothing(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host", profile="server2022", bare=True)
    playbook = tmp_path / "check.yml"
    playbook.write_text(PLAYBOOK.format(extension_options="").split("    - name: ARR proxy on", maxsplit=1)[0],
                        encoding="utf-8")
    result = run(venv, root, tmp_path, "server2022", playbook, "--check")
    assert result.rc == 0, result.failure_report()
    assert result.recap["emulated-server2022"]["changed"] == 2, result.stdout[-3000:]
    assert "assuming an earlier task of this run installs it" in result.stdout + result.stderr
    assert state(root)["features"] == {} and state(root)["products"] == {}
    assert not (root / "C" / "Windows" / "System32" / "inetsrv").exists()
    calls = read_calls(root)
    assert {c["kind"] for c in calls} <= {"read", "skipped"} and all(c["check_mode"] for c in calls)
    assert not module_calls(calls, "win_package")


def test_offline_source_on_a_unc_share(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host", profile="win11", bare=True)
    host = Host(root)
    write_msi(host, "\\\\fileserver\\software\\iis\\rewrite_amd64_en-US.msi", "url_rewrite")
    write_msi(host, "\\\\fileserver\\software\\iis\\requestRouter_amd64.msi", "arr")
    result = run(venv, root, tmp_path, "win11", play(tmp_path, {"source": "\\\\fileserver\\software\\iis"}))
    assert result.rc == 0, result.failure_report()
    packages = module_calls(read_calls(root), "win_package")
    assert [c["request"]["path"] for c in packages] == ["\\\\fileserver\\software\\iis\\rewrite_amd64_en-US.msi",
                                                        "\\\\fileserver\\software\\iis\\requestRouter_amd64.msi"]
    assert all(c["downloads"] == [] for c in packages)
    assert set(state(root)["products"]) == {REWRITE_CODE, ARR_CODE}


def checksum_play(tmp_path: Path, checksum: str) -> Path:
    path = tmp_path / f"checksum-{checksum[:4]}.yml"
    path.write_text(f"""---
- name: URL Rewrite from a local file with a checksum
  hosts: windows
  gather_facts: false
  tasks:
    - name: IIS
      winflask.iis.iis_features:
    - name: URL Rewrite
      winflask.iis.iis_extension:
        name: url_rewrite
        source: 'C:\\install\\rewrite_amd64_en-US.msi'
        checksum: '{checksum}'
""", encoding="utf-8")
    return path


def test_local_file_checksum_must_match(tmp_path: Path) -> None:
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host", profile="server2022", bare=True)
    write_msi(Host(root), "C:\\install\\rewrite_amd64_en-US.msi", "url_rewrite")

    wrong = run(venv, root, tmp_path, "server2022", checksum_play(tmp_path, "ab" * 32))
    assert wrong.rc != 0
    assert "did not match" in wrong.stdout and msi_sha256("url_rewrite") in wrong.stdout
    assert state(root)["products"] == {}
    assert "system.webServer/rewrite/rules" not in host_facts(Host(root), {}, False)["sections"]

    right = run(venv, root, tmp_path, "server2022", checksum_play(tmp_path, msi_sha256("url_rewrite").lower()))
    assert right.rc == 0, right.failure_report()
    assert set(state(root)["products"]) == {REWRITE_CODE}
    assert "system.webServer/rewrite/rules" in host_facts(Host(root), {}, False)["sections"]


def test_msi_known_to_windows_installer_but_sections_lost_is_reported(tmp_path: Path) -> None:
    """IIS removed and installed again after the MSI: Windows Installer still lists URL Rewrite,
    so win_package changes nothing, but IIS has no rewrite sections. The module must say so."""
    venv = VENV_LIST[0]
    root = create_host(venv, tmp_path / "host", profile="server2022", bare=False)
    playbook = tmp_path / "reinstall.yml"
    playbook.write_text("""---
- name: IIS reinstalled under URL Rewrite
  hosts: windows
  gather_facts: false
  tasks:
    - name: Remove IIS
      winflask.iis.iis_features:
        name: web_server
        state: absent
    - name: Install IIS again
      winflask.iis.iis_features:
    - name: URL Rewrite
      winflask.iis.iis_extension:
        name: url_rewrite
""", encoding="utf-8")
    result = run(venv, root, tmp_path, "server2022", playbook)
    assert result.rc != 0
    assert "is installed according to Windows Installer" in result.stdout
    assert REWRITE_CODE in state(root)["products"]


# ---- the stand-in modules behind these tests fail the way Windows does ---------------------------


def bare(tmp_path: Path, profile: str) -> Host:
    return Host.create(tmp_path / profile, profile, bare=True)


def call(host: Host, fn: Any, **params: Any) -> dict[str, Any]:
    return run_module(host, f"ansible.windows.{fn.__name__}", fn, params, False)


def test_win_feature_refuses_client_windows_and_unknown_names(tmp_path: Path) -> None:
    client = bare(tmp_path, "win11")
    result = call(client, emulated_features.win_feature, name=["Web-Server"], state="present")
    assert result["failed"] and "client-based operating system" in result["msg"]
    server = bare(tmp_path, "server2022")
    result = call(server, emulated_features.win_feature, name=["Web-Server", "Web-Nope"], state="present")
    assert result["failed"] and "'Web-Nope'. The name was not found." in result["msg"]
    assert not server.iis_installed and emulated_features.enabled(server) == set()  # nothing half-installed
    result = call(server, emulated_features.win_feature, name=["IIS-WebServerRole"], state="present")
    assert result["failed"], "DISM names are not Server Manager names"
    assert [c["failed"] for c in server.calls()] == [True, True]


def test_win_feature_adds_parents_and_role_defaults_and_removes_children(tmp_path: Path) -> None:
    server = bare(tmp_path, "server2022")
    result = call(server, emulated_features.win_feature, name=["Web-WebSockets"], state="present")
    assert result["changed"] and result["exitcode"] == "Success" and server.iis_installed
    enabled = emulated_features.enabled(server)
    assert enabled == {"IIS-WebServerRole", "IIS-WebServer", "IIS-ApplicationDevelopment", "IIS-WebSockets"}
    role = call(server, emulated_features.win_feature, name=["Web-Server"], state="present")
    assert not role["changed"], "the role is there already: its defaults come only with a fresh install"
    server2 = Host.create(tmp_path / "second", "server2022", bare=True)
    call(server2, emulated_features.win_feature, name=["Web-Server"], state="present")
    assert {"IIS-StaticContent", "IIS-RequestFiltering"} <= emulated_features.enabled(server2)
    assert "IIS-ManagementConsole" not in emulated_features.enabled(server2)
    again = call(server, emulated_features.win_feature, name=["Web-WebSockets"], state="present")
    assert not again["changed"] and again["exitcode"] == "NoChangeNeeded" and again["feature_result"] == []
    # the DISM view of the same state on Server
    dism = call(server, emulated_features.win_optional_feature, name=["IIS-WebSockets"], state="present")
    assert dism["changed"] is False
    removed = call(server, emulated_features.win_feature, name=["Web-Server"], state="absent")
    assert removed["changed"] and not server.iis_installed and emulated_features.enabled(server) == set()


def test_win_optional_feature_needs_parents_or_include_parent(tmp_path: Path) -> None:
    client = bare(tmp_path, "win11")
    result = call(client, emulated_features.win_optional_feature, name=["IIS-WebSockets"], state="present")
    assert result["failed"] and "parent features are disabled" in result["msg"]
    assert emulated_features.enabled(client) == set()
    result = call(client, emulated_features.win_optional_feature, name=["IIS-Nope", "IIS-WebServer"],
                  state="present", include_parent=True)
    assert result["failed"] and result["msg"] == "Failed to find feature 'IIS-Nope'"
    assert emulated_features.enabled(client) == set()
    result = call(client, emulated_features.win_optional_feature, name=["IIS-WebSockets"], state="present",
                  include_parent=True)
    assert result["changed"] and client.iis_installed
    assert emulated_features.enabled(client) == {"IIS-WebServerRole", "IIS-WebServer",
                                                 "IIS-ApplicationDevelopment", "IIS-WebSockets"}


def test_win_package_failures_install_nothing(tmp_path: Path) -> None:
    host = bare(tmp_path, "server2022")
    rewrite_url = next(u for u, k in emulated_packages.DOWNLOADS.items() if k == "url_rewrite")
    no_iis = call(host, emulated_packages.win_package, path=rewrite_url, product_id=REWRITE_CODE)
    assert no_iis["failed"] and no_iis["rc"] == 1603 and "IIS Version 7.0" in no_iis["stderr"]
    missing = call(host, emulated_packages.win_package,
                   path="https://download.microsoft.com/download/0/0/0/nothing/rewrite_amd64_en-US.msi")
    assert missing["failed"] and "(404) Not Found" in missing["msg"]
    offline = call(host, emulated_packages.win_package, path="https://intranet.example/rewrite.msi")
    assert offline["failed"] and "could not be resolved: 'intranet.example'" in offline["msg"]
    write_msi(host, "C:\\install\\broken.msi", "url_rewrite", data=b"MZ not an msi")
    broken = call(host, emulated_packages.win_package, path="C:\\install\\broken.msi")
    assert broken["failed"] and broken["rc"] == 1620
    absent_file = call(host, emulated_packages.win_package, path="C:\\install\\none.msi")
    assert absent_file["failed"] and "cannot be reached" in absent_file["msg"]
    assert state(host.root)["products"] == {}
    assert not (host.root / "C/Windows/Temp/ansible-moduletmp").exists()  # the download was cleaned up


def test_win_package_arr_needs_rewrite_and_absent_removes_sections(tmp_path: Path) -> None:
    host = bare(tmp_path, "server2022")
    call(host, emulated_features.win_feature, name=["Web-Server"], state="present")
    arr_url = next(u for u, k in emulated_packages.DOWNLOADS.items() if k == "arr")
    arr_first = call(host, emulated_packages.win_package, path=arr_url, product_id=ARR_CODE)
    assert arr_first["failed"] and arr_first["rc"] == 1603 and "URL Rewrite" in arr_first["stderr"]
    write_msi(host, "C:\\install\\rewrite_amd64_en-US.msi", "url_rewrite")
    sha1 = call(host, emulated_packages.win_package, path="C:\\install\\rewrite_amd64_en-US.msi",
                checksum="0" * 40)  # default algorithm is sha1, as in the real module
    assert sha1["failed"] and len(sha1["checksum"]) == 40
    done = call(host, emulated_packages.win_package, path="C:\\install\\rewrite_amd64_en-US.msi")
    assert done["changed"] and done["rc"] == 0
    assert "system.webServer/rewrite/rules" in host_facts(host, {}, False)["sections"]
    gone = call(host, emulated_packages.win_package, product_id=REWRITE_CODE, state="absent")
    assert gone["changed"] and state(host.root)["products"] == {}
    assert "system.webServer/rewrite/rules" not in host_facts(host, {}, False)["sections"]
