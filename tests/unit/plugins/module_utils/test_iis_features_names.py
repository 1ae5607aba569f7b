"""Friendly names, the Server <-> client table, and the module call of iis_features."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import iis_features as f
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError


def test_every_friendly_name_maps_to_table_entries():
    for name, servers in f.FRIENDLY.items():
        assert servers, name
        for server in servers:
            assert server in f.TABLE, (name, server)


def test_parent_chain_is_root_first():
    assert f.ancestors("Web-WebSockets") == ["Web-Server", "Web-WebServer", "Web-App-Dev"]
    assert f.ancestors("Web-Server") == []


def test_present_brings_parents_on_server():
    assert f.resolve(["websockets"], "present", "server") == [
        "Web-Server", "Web-WebServer", "Web-App-Dev", "Web-WebSockets"]


def test_present_uses_optional_feature_names_on_client():
    assert f.resolve(["websockets"], "present", "client") == [
        "IIS-WebServerRole", "IIS-WebServer", "IIS-ApplicationDevelopment", "IIS-WebSockets"]


def test_absent_removes_only_the_named_feature():
    assert f.resolve(["websockets"], "absent", "server") == ["Web-WebSockets"]
    assert f.resolve(["web_server"], "absent", "client") == ["IIS-WebServerRole", "IIS-WebServer"]


def test_default_set_is_the_same_on_both_skus():
    server = f.resolve(f.DEFAULT_NAMES, "present", "server")
    client = f.resolve(f.DEFAULT_NAMES, "present", "client")
    assert [f.client_name(s) for s in server] == client
    assert len(server) == len(set(server))  # parents listed once
    assert server[:2] == ["Web-Server", "Web-WebServer"]
    assert "Web-Scripting-Tools" in server and "Web-Filtering" in server and "Web-Dir-Browsing" not in server


def test_raw_names_translate_between_skus_case_insensitively():
    assert f.resolve(["web-websockets"], "absent", "client") == ["IIS-WebSockets"]
    assert f.resolve(["IIS-WebSockets"], "absent", "server") == ["Web-WebSockets"]
    assert f.resolve(["Web-Server"], "present", "client") == ["IIS-WebServerRole"]


def test_unknown_raw_names_pass_through_for_the_host_to_judge():
    assert f.resolve(["NET-Framework-45-ASPNET"], "present", "server") == ["NET-Framework-45-ASPNET"]
    assert f.resolve(["NetFx3"], "present", "client") == ["NetFx3"]


def test_raw_iis_name_of_the_wrong_kind_without_equivalent_fails_naming_sku():
    with pytest.raises(ModuleError, match=r"'IIS-FTPServer' is an optional feature name.*Windows Server \(WS\)"):
        f.resolve(["IIS-FTPServer"], "present", "server", "WS")
    with pytest.raises(ModuleError, match=r"'Web-Ftp-Server' is a Server Manager name.*client Windows"):
        f.resolve(["Web-Ftp-Server"], "present", "client")


def test_unknown_friendly_name_fails_before_the_host_with_valid_names():
    with pytest.raises(ModuleError) as err:
        f.precheck(["web_server", "websocket"])
    assert "'websocket'" in str(err.value) and "websockets" in str(err.value) and "web_server" in str(err.value)
    with pytest.raises(ModuleError, match="at least one"):
        f.precheck([])
    with pytest.raises(ModuleError, match="empty feature name"):
        f.precheck(["web_server", " "])


def test_console_refused_on_server_core():
    with pytest.raises(ModuleError, match="not available on Server Core"):
        f.resolve(["management_console"], "present", "server", "Windows Server 2022", server_core=True)
    assert "Web-Scripting-Tools" in f.resolve(["scripting_tools"], "present", "server", server_core=True)


def test_module_call_per_sku():
    assert f.module_call("server", ["Web-Server"], "present", None) == (
        "ansible.windows.win_feature", {"name": ["Web-Server"], "state": "present"})
    assert f.module_call("client", ["IIS-WebServerRole"], "present", "D:\\sxs") == (
        "ansible.windows.win_optional_feature",
        {"name": ["IIS-WebServerRole"], "state": "present", "include_parent": True, "source": "D:\\sxs"})
    assert f.module_call("client", ["IIS-WebSockets"], "absent", "D:\\sxs") == (
        "ansible.windows.win_optional_feature", {"name": ["IIS-WebSockets"], "state": "absent"})


def test_changed_features_from_module_answers():
    answer = {"changed": True, "feature_result": [{"id": 160, "display_name": "WebSocket Protocol"}]}
    assert f.changed_features("server", ["Web-WebSockets"], answer) == ["WebSocket Protocol"]
    assert f.changed_features("client", ["IIS-WebSockets"], {"changed": True}) == ["IIS-WebSockets"]
    assert f.changed_features("client", ["IIS-WebSockets"], {"changed": False}) == []


def test_failure_message_names_sku_and_valid_names():
    msg = f.failure_message("ansible.windows.win_optional_feature", "client", "Microsoft Windows 11 Pro",
                            ["IIS-Nope"], {"msg": "Failed to find feature 'IIS-Nope'"})
    assert "client Windows (Microsoft Windows 11 Pro)" in msg and "IIS-WebSockets" in msg and "IIS-Nope" in msg
