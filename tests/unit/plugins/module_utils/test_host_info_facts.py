"""Pure functions of module_utils/host_info: SKU, Server Core, extension presence."""

from ansible_collections.winflask.iis.plugins.module_utils import host_info

SERVER = {"os": {"product_type": 3, "caption": "Microsoft Windows Server 2022 Datacenter",
                 "version": "10.0.20348", "installation_type": "Server"},
          "powershell_version": "5.1.20348.2849",
          "iis": {"installed": True, "version": "10.0", "config_file": "C:\\x"},
          "sections": ["system.webServer/rewrite/rules", "system.webServer/rewrite/globalRules",
                       "system.webServer/rewrite/allowedServerVariables", "system.webServer/proxy"],
          "global_modules": ["RewriteModule", "ApplicationRequestRouting"],
          "sites": [{"name": "Default Web Site", "id": 1, "physical_path": "%SystemDrive%\\inetpub\\wwwroot"}]}


def test_product_types_map_to_sku():
    assert host_info.sku({"os": {"product_type": 3}}) == "server"
    assert host_info.sku({"os": {"product_type": 2}}) == "server"  # a domain controller is a server
    assert host_info.sku({"os": {"product_type": 1}}) == "client"


def test_server_core_from_installation_type():
    assert host_info.server_core({"os": {"installation_type": "Server Core"}}) is True
    assert host_info.server_core({"os": {"installation_type": "Server"}}) is False


def test_extension_needs_sections_and_global_module():
    assert host_info.extensions(SERVER) == {"url_rewrite": True, "arr": True}
    no_module = dict(SERVER, global_modules=["RewriteModule"])
    assert host_info.extensions(no_module) == {"url_rewrite": True, "arr": False}
    no_section = dict(SERVER, sections=["system.webServer/proxy"])
    assert host_info.extensions(no_section) == {"url_rewrite": False, "arr": True}


def test_extension_match_ignores_case():
    facts = dict(SERVER, sections=[s.upper() for s in SERVER["sections"]], global_modules=["rewritemodule"])
    assert host_info.extension_installed(facts, "url_rewrite") is True


def test_summary_adds_derived_facts_and_empty_lists_without_iis():
    bare = {"os": {"product_type": 1, "caption": "Microsoft Windows 11 Pro", "installation_type": "Client"},
            "iis": {"installed": False}, "sections": [], "global_modules": [], "sites": []}
    result = host_info.summary(bare)
    assert result["sku"] == "client" and result["server_core"] is False
    assert result["extensions"] == {"url_rewrite": False, "arr": False}
    assert result["iis"] == {"installed": False} and result["sites"] == []
    assert host_info.summary(SERVER)["sites"][0]["name"] == "Default Web Site"
