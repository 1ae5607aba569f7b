"""What the IIS role, the URL Rewrite 2.1 MSI and the ARR 3.0 MSI do to a host's files and state.

Facts: shared/research/iis-facts.md 1.1 (rewrite section declarations), 2.2 (proxy: Deny + AppHostOnly),
3 (product codes, display names, versions, registry keys, files, global modules). docs/emulator.md has
the table. Feature/MSI emulation (issue 4) calls these; ``Host.create`` calls them for a default host.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from importlib import resources
from typing import Any

from .config import apply as config_apply
from .config.xmlfiles import find_section, locations, parse_xml, serialize
from .errors import HostError
from .host import Host
from .paths import APPHOST_CONFIG, INETSRV, SCHEMA_DIR, expand, join
from .profiles import iis_schema

DEFAULT_SITE_PATH = "%SystemDrive%\\inetpub\\wwwroot"

IIS_SECTIONS = [
    # (section, overrideModeDefault, allowDefinition): as in IIS's default applicationHost.config
    ("system.applicationHost/sites", "Deny", "AppHostOnly"),
    ("system.webServer/globalModules", "Deny", "AppHostOnly"),
    # Allow in a fresh IIS 10 applicationHost.config (docs/emulator.md, install_iis sections row): a
    # site's web.config may set request limits and URL compression.
    ("system.webServer/security/requestFiltering", "Allow", None),
    ("system.webServer/urlCompression", "Allow", None),
]
IIS_GLOBAL_MODULES = [
    ("UriCacheModule", "%windir%\\System32\\inetsrv\\cachuri.dll"),
    ("HttpCacheModule", "%windir%\\System32\\inetsrv\\cachhttp.dll"),
    ("StaticFileModule", "%windir%\\System32\\inetsrv\\static.dll"),
    ("DefaultDocumentModule", "%windir%\\System32\\inetsrv\\defdoc.dll"),
    ("ProtocolSupportModule", "%windir%\\System32\\inetsrv\\protsup.dll"),
    ("HttpLoggingModule", "%windir%\\System32\\inetsrv\\loghttp.dll"),
]

URL_REWRITE: dict[str, Any] = {
    "product_code": "{9BCA2118-F753-4A1E-BCF3-5A820729965C}",
    "name": "IIS URL Rewrite Module 2",
    "version": "7.2.1993",
    "schema": "rewrite_schema.xml",
    "sections": [
        ("system.webServer/rewrite/allowedServerVariables", "Deny", None),
        ("system.webServer/rewrite/rules", "Allow", None),
        ("system.webServer/rewrite/globalRules", "Deny", "AppHostOnly"),
        ("system.webServer/rewrite/outboundRules", "Allow", None),
        ("system.webServer/rewrite/providers", "Allow", None),
        ("system.webServer/rewrite/rewriteMaps", "Allow", None),
    ],
    "module": ("RewriteModule", "%SystemRoot%\\system32\\inetsrv\\rewrite.dll"),
    "registry": "HKLM\\SOFTWARE\\Microsoft\\IIS Extensions\\URL Rewrite",
}
ARR: dict[str, Any] = {
    "product_code": "{78FD26A2-9214-48CD-AF71-7F33D1A78892}",
    "name": "Microsoft Application Request Routing 3.0",
    "version": "3.0.05311",  # UNCONFIRMED (iis-facts 3)
    "schema": "arr_schema.xml",
    "sections": [("system.webServer/proxy", "Deny", "AppHostOnly")],
    "module": ("ApplicationRequestRouting", "%ProgramFiles%\\IIS\\Application Request Routing\\requestRouter.dll"),
    "registry": "HKLM\\SOFTWARE\\Microsoft\\IIS Extensions\\Application Request Routing",
}


# ---- applicationHost.config editing -------------------------------------------------------------
def _load(host: Host) -> ET.Element:
    data = host.read_bytes(APPHOST_CONFIG)
    if data is None:
        raise HostError("IISNotInstalled", f"IIS is not installed: {APPHOST_CONFIG} does not exist")
    return parse_xml(data, APPHOST_CONFIG)


def _save(host: Host, root: ET.Element) -> None:
    host.write_bytes(APPHOST_CONFIG, serialize(root))


def _child(parent: ET.Element, tag: str, name: str | None = None, create: bool = True) -> ET.Element | None:
    for child in parent.findall(tag):
        if name is None or child.get("name") == name:
            return child
    if not create:
        return None
    return ET.SubElement(parent, tag, {"name": name} if name is not None else {})


def declare_section(root: ET.Element, section: str, override_mode: str, allow_definition: str | None) -> None:
    node = _child(root, "configSections")
    assert node is not None
    *groups, name = section.split("/")
    for group in groups:
        node = _child(node, "sectionGroup", group)
        assert node is not None
    decl = _child(node, "section", name)
    assert decl is not None
    decl.set("overrideModeDefault", override_mode)
    if allow_definition:
        decl.set("allowDefinition", allow_definition)


def undeclare_section(root: ET.Element, section: str) -> None:
    chain = [_child(root, "configSections", create=False)]
    *groups, name = section.split("/")
    for group in groups:
        chain.append(_child(chain[-1], "sectionGroup", group, create=False) if chain[-1] is not None else None)
    if chain[-1] is None:
        return
    decl = _child(chain[-1], "section", name, create=False)
    if decl is not None:
        chain[-1].remove(decl)
    for parent, group in zip(reversed(chain[:-1]), reversed(chain[1:]), strict=True):
        if parent is not None and group is not None and not len(group):
            parent.remove(group)
    for container in [root, *locations(root)]:  # the section's data goes with it
        elem = find_section(container, section)
        if elem is not None:
            parent_of = {c: p for p in container.iter() for c in p}
            parent_of[elem].remove(elem)


def _global_modules(root: ET.Element) -> ET.Element:
    web = _child(root, "system.webServer")
    assert web is not None
    modules = _child(web, "globalModules")
    assert modules is not None
    return modules


def add_global_module(root: ET.Element, name: str, image: str) -> None:
    modules = _global_modules(root)
    if not any(m.get("name") == name for m in modules.findall("add")):
        ET.SubElement(modules, "add", {"name": name, "image": image})


def remove_global_module(root: ET.Element, name: str) -> None:
    modules = _global_modules(root)
    for module in modules.findall("add"):
        if module.get("name") == name:
            modules.remove(module)


def global_module_names(root: ET.Element) -> list[str]:
    web = root.find("system.webServer")
    modules = web.find("globalModules") if web is not None else None
    return [] if modules is None else [m.get("name", "") for m in modules.findall("add")]


def _copy_schema(host: Host, name: str) -> None:
    source = resources.files("winhost").joinpath("schema_files", name)
    profile = host.load_state().get("profile")  # the profile's IIS version: hsts from 1709 on (profiles.py)
    host.write_bytes(join(SCHEMA_DIR, name), iis_schema(profile, name, source.read_bytes()))


def _touch(host: Host, win_path: str) -> None:
    if not host.exists(win_path):
        host.write_bytes(win_path, b"")


# ---- IIS role --------------------------------------------------------------------------------------
def install_iis(host: Host) -> bool:
    """Web-Server role: inetsrv config + schema, Default Web Site on wwwroot. False if already there."""
    if host.iis_installed:
        return False
    _copy_schema(host, "IIS_schema.xml")
    root = ET.Element("configuration")
    for section, override, allow in IIS_SECTIONS:
        declare_section(root, section, override, allow)
    sites = ET.SubElement(ET.SubElement(root, "system.applicationHost"), "sites")
    site = ET.SubElement(sites, "site", {"name": "Default Web Site", "id": "1"})
    app = ET.SubElement(site, "application", {"path": "/"})
    ET.SubElement(app, "virtualDirectory", {"path": "/", "physicalPath": DEFAULT_SITE_PATH})
    ET.SubElement(ET.SubElement(site, "bindings"), "binding", {"protocol": "http", "bindingInformation": "*:80:"})
    for name, image in IIS_GLOBAL_MODULES:
        add_global_module(root, name, image)
    _save(host, root)
    host.local_path(expand(DEFAULT_SITE_PATH)).mkdir(parents=True, exist_ok=True)
    _touch(host, join(expand(DEFAULT_SITE_PATH), "iisstart.htm"))
    host.local_path("C:\\inetpub\\logs\\LogFiles").mkdir(parents=True, exist_ok=True)
    host.update_state(lambda s: s.setdefault("registry", {}).__setitem__(
        "HKLM\\SOFTWARE\\Microsoft\\InetStp", {"MajorVersion": 10, "MinorVersion": 0}))
    return True


def uninstall_iis(host: Host) -> bool:
    """Removing the role removes inetsrv (config and schema); content under C:\\inetpub stays."""
    if not host.iis_installed:
        return False
    shutil.rmtree(host.local_path(INETSRV))
    host.update_state(lambda s: s.get("registry", {}).pop("HKLM\\SOFTWARE\\Microsoft\\InetStp", None))
    return True


# ---- URL Rewrite / ARR -------------------------------------------------------------------------
def _installed(host: Host, product: dict[str, Any]) -> bool:
    if not host.iis_installed:
        return False
    return product["module"][0] in global_module_names(_load(host))


def _install_product(host: Host, product: dict[str, Any]) -> bool:
    if _installed(host, product):
        return False
    root = _load(host)
    _copy_schema(host, product["schema"])
    for section, override, allow in product["sections"]:
        declare_section(root, section, override, allow)
    add_global_module(root, *product["module"])
    _save(host, root)
    _touch(host, expand(product["module"][1]))

    def record(state: dict[str, Any]) -> None:
        state.setdefault("products", {})[product["product_code"]] = {
            "name": product["name"], "version": product["version"]}
        state.setdefault("registry", {})[product["registry"]] = {"Version": product["version"]}

    host.update_state(record)
    return True


def _uninstall_product(host: Host, product: dict[str, Any]) -> bool:
    state = host.load_state()
    if product["product_code"] not in state.get("products", {}) and not _installed(host, product):
        return False
    if host.iis_installed:
        root = _load(host)
        for section, _override, _allow in product["sections"]:
            undeclare_section(root, section)
        remove_global_module(root, product["module"][0])
        _save(host, root)
        schema = host.local_path(join(SCHEMA_DIR, product["schema"]))
        if schema.exists():
            schema.unlink()
    dll = host.local_path(expand(product["module"][1]))
    if dll.exists():
        dll.unlink()

    def forget(state: dict[str, Any]) -> None:
        state.get("products", {}).pop(product["product_code"], None)
        state.get("registry", {}).pop(product["registry"], None)

    host.update_state(forget)
    return True


def url_rewrite_installed(host: Host) -> bool:
    return _installed(host, URL_REWRITE)


def arr_installed(host: Host) -> bool:
    return _installed(host, ARR)


def install_url_rewrite(host: Host) -> bool:
    if not host.iis_installed:
        raise HostError("IISNotInstalled", "IIS Version 7.0 or greater is required to install IIS URL Rewrite "
                        "Module 2.")
    return _install_product(host, URL_REWRITE)


def install_arr(host: Host) -> bool:
    if not host.iis_installed:
        raise HostError("IISNotInstalled", "IIS must be installed before Microsoft Application Request Routing 3.0.")
    if not url_rewrite_installed(host):
        raise HostError("PrerequisiteMissing", "Microsoft Application Request Routing 3.0 requires IIS URL Rewrite "
                        "Module 2: install URL Rewrite first.", requires=URL_REWRITE["name"])
    return _install_product(host, ARR)


def uninstall_url_rewrite(host: Host) -> bool:
    return _uninstall_product(host, URL_REWRITE)


def uninstall_arr(host: Host) -> bool:
    return _uninstall_product(host, ARR)


# ---- sites for tests -----------------------------------------------------------------------------
SITES = "system.applicationHost/sites"


def add_site(host: Host, name: str, site_id: int, physical_path: str, bindings: list[tuple[str, str]] | None = None
             ) -> None:
    """Add a site through the config system (as IIS Manager would) and create its folder."""
    element = {
        "name": "site",
        "attributes": {"name": name, "id": site_id},
        "children": {"bindings": {"items": [
            {"name": "binding", "attributes": {"protocol": p, "bindingInformation": b}}
            for p, b in (bindings or [("http", f"*:80:{name}")])]}},
        "items": [{"name": "application", "attributes": {"path": "/"}, "items": [
            {"name": "virtualDirectory", "attributes": {"path": "/", "physicalPath": physical_path}}]}],
    }
    config_apply(host, {"backup": False, "operations": [
        {"op": "add", "section": SITES, "pspath": "MACHINE/WEBROOT/APPHOST", "location": "", "path": [],
         "element": element}]})
    host.local_path(expand(physical_path)).mkdir(parents=True, exist_ok=True)


def add_application(host: Host, site: str, path: str, physical_path: str) -> None:
    """Add an application (with its root virtual directory) to a site and create its folder."""
    config_apply(host, {"backup": False, "operations": [
        {"op": "add", "section": SITES, "pspath": "MACHINE/WEBROOT/APPHOST", "location": "",
         "path": [{"item": {"name": site}}],
         "element": {"name": "application", "attributes": {"path": path}, "items": [
             {"name": "virtualDirectory", "attributes": {"path": "/", "physicalPath": physical_path}}]}}]})
    host.local_path(expand(physical_path)).mkdir(parents=True, exist_ok=True)
