"""microsoft.iis.website on the emulated host: the bindings of an existing site (docs/emulator.md "TLS").

Copies website.ps1 of microsoft.iis 1.3: a binding is known by ``"$ip:$port:$hostname"`` (so an ``ip`` left out
is ``""`` and never equals IIS's ``*``), ``bindings.add`` adds the missing ones and edits protocol, sslFlags and
certificate of the present ones, ``bindings.remove`` removes, ``bindings.set`` does both and removes the rest
(http/https bindings only); the SSL checks (``Get-SSLFlagFromBinding``) and their messages are the module's.
The binding element goes to applicationHost.config through the emulator's config apply; the certificate goes to
HTTP.sys (``Binding.AddSslCertificate``, winhost.certstore). Check mode as website.ps1's: the add branch is
guarded (``if (-not $check_mode)``), the edit branch's ``AddSslCertificate`` is not, so a present binding whose
certificate differs is rebound in check mode too. ``website_info`` is website_info.ps1: every binding of the site.
Creating, removing, stopping sites, application pools, physical paths, site ids and preload are not emulated (the
module fails saying so).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from . import certstore
from .config.apply import apply
from .config.xmlfiles import ConfigFiles
from .host import Host
from .modules import ModuleFailure

SECTION = "system.applicationHost/sites"
FLAG_NAMES = {0: "None", 1: "Sni", 2: "CentralCertStore", 3: "Sni, CentralCertStore"}


def _flags(text: str | None) -> int:
    names = {n.strip().lower() for n in (text or "None").split(",")}
    return (1 if "sni" in names else 0) + (2 if "centralcertstore" in names else 0)


def _information(binding: dict[str, Any]) -> str:
    return f"{binding.get('ip') or ''}:{'' if binding.get('port') is None else binding['port']}:" \
           f"{binding.get('hostname') or ''}"


def _ssl_flags(host: Host, binding: dict[str, Any]) -> int:
    """Get-SSLFlagFromBinding of website.ps1: the checks, their messages, the flags."""
    flags = 0
    https = binding.get("protocol") == "https"
    if binding.get("use_sni"):
        if not https:
            raise ModuleFailure("use_sni can only be set for https protocol")
        if not binding.get("hostname"):
            raise ModuleFailure("must specify hostname value when use_sni is set.")
        flags += 1
    if binding.get("use_ccs"):
        raise ModuleFailure("winhost: microsoft.iis.website use_ccs (Central Certificate Store) is not emulated")
    if https and not binding.get("certificate_hash"):
        raise ModuleFailure("must either specify a certificate_hash or use_ccs.")
    thumb = binding.get("certificate_hash")
    if thumb:
        if not https:
            raise ModuleFailure("You can only provide a certificate thumbprint when protocol is set to https")
        store = binding.get("certificate_store_name") or "my"
        if not certstore.has_certificate(host, "LocalMachine", store, thumb):
            raise ModuleFailure(f"Unable to locate certificate at cert:\\LocalMachine\\{store}\\{thumb}")
    return flags


def _site(host: Host, name: str) -> ET.Element | None:
    root = ConfigFiles(host).apphost().root
    sites = root.find(SECTION) if root is not None else None
    return next((s for s in (sites.findall("site") if sites is not None else []) if s.get("name") == name), None)


def website(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    for option in ("application_pool", "physical_path", "preload_enabled", "site_id"):
        if params.get(option) is not None:
            raise ModuleFailure(f"winhost: microsoft.iis.website option {option!r} is not emulated")
    if params.get("state") not in (None, "started"):
        raise ModuleFailure(f"winhost: microsoft.iis.website state={params['state']} is not emulated")
    if not host.iis_installed:
        raise ModuleFailure("winhost: IIS is not installed (the WebAdministration module cannot be loaded)")
    name = params["name"]
    site = _site(host, name)
    if site is None:
        raise ModuleFailure("missing required arguments: physical_path")
    bindings = params.get("bindings") or {}
    wanted_set, adds, removes = bindings.get("set"), bindings.get("add") or [], bindings.get("remove") or []
    if wanted_set is not None and (adds or removes):
        raise ModuleFailure("parameters are mutually exclusive: set, add" if adds else
                            "parameters are mutually exclusive: set, remove")
    current = [b for b in site.findall("bindings/binding") if (b.get("protocol") or "").lower() in ("http", "https")]
    known = {(b.get("bindingInformation") or "").lower(): b for b in current}
    chosen = wanted_set if wanted_set is not None else adds
    to_add = [b for b in chosen if _information(b).lower() not in known]
    to_edit = [b for b in chosen if _information(b).lower() in known]
    if wanted_set is not None:
        keep = {_information(b).lower() for b in wanted_set}
        to_remove = [info for info in known if info not in keep]
    else:
        gone = {_information(b).lower() for b in removes}
        to_remove = [info for info in known if info in gone]
    base = {"section": SECTION, "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}
    path: list[Any] = [{"item": {"name": name}}, "bindings"]
    operations: list[dict[str, Any]] = []
    certificates: list[tuple[str, str, str]] = []
    rebinds: list[tuple[str, str, str]] = []  # the edit branch: AddSslCertificate without a check-mode guard
    for binding in to_add:
        if not binding.get("ip"):
            raise ModuleFailure("winhost: a binding without ip is not emulated (website.ps1 compares ':port:host' "
                                "with the '*:port:host' IIS stores, so it would add it again on every run)")
        flags = _ssl_flags(host, binding)
        operations.append({**base, "op": "add", "path": path, "index": None, "element": {
            "name": "binding", "attributes": {"protocol": binding.get("protocol") or "http",
                                              "bindingInformation": _information(binding),
                                              "sslFlags": FLAG_NAMES[flags]}, "children": {}, "items": []}})
        if binding.get("certificate_hash"):
            certificates.append((certstore.sslcert_key(binding["ip"], int(binding["port"]),
                                                       binding.get("hostname") or "", bool(flags & 1)),
                                 binding["certificate_hash"], binding.get("certificate_store_name") or "my"))
    sslcert = certstore.sslcerts(host)
    for binding in to_edit:
        present = known[_information(binding).lower()]
        flags_now = _flags(present.get("sslFlags"))
        edit = dict(binding)
        if edit.get("use_sni") is None:
            edit["use_sni"] = bool(flags_now & 1)
        flags = _ssl_flags(host, edit)
        item = [*path, {"item": {"protocol": present.get("protocol"),
                                 "bindingInformation": present.get("bindingInformation")}}]
        changes: dict[str, Any] = {}
        if (present.get("protocol") or "").lower() != (binding.get("protocol") or "http").lower():
            changes["protocol"] = binding.get("protocol") or "http"
        if flags_now != flags:
            changes["sslFlags"] = FLAG_NAMES[flags]
        if changes:
            operations.append({**base, "op": "set", "path": item, "attributes": changes})
        if binding.get("certificate_hash"):
            key = certstore.sslcert_key(binding["ip"], int(binding["port"]), binding.get("hostname") or "",
                                        bool(flags & 1))
            entry = sslcert.get(key) or {}
            store = binding.get("certificate_store_name") or "my"
            if (entry.get("hash") or "").lower() != binding["certificate_hash"].lower() \
                    or (entry.get("store") or "").lower() != store.lower():
                rebinds.append((key, binding["certificate_hash"], store))
    for information in to_remove:
        present = known[information]
        operations.append({**base, "op": "remove", "path": path,
                           "key": {"protocol": present.get("protocol"),
                                   "bindingInformation": present.get("bindingInformation")}})
    changed = bool(operations or certificates or rebinds)
    if changed and not check_mode:
        if operations:
            apply(host, {"backup": False, "operations": operations})
        for key, thumb, store in certificates:
            certstore.set_sslcert(host, key, thumb, store)
    for key, thumb, store in rebinds:  # in check mode too, as website.ps1 does
        certstore.set_sslcert(host, key, thumb, store)
    return {"changed": changed}


def website_info(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """website_info.ps1: the named site (or every site) with its bindings; ``exists`` false and no site if none."""
    if not host.iis_installed:
        raise ModuleFailure("winhost: IIS is not installed (the WebAdministration module cannot be loaded)")
    root = ConfigFiles(host).apphost().root
    sites = root.find(SECTION) if root is not None else None
    found = [s for s in (sites.findall("site") if sites is not None else [])
             if params.get("name") is None or s.get("name") == params["name"]]
    sslcert = certstore.sslcerts(host)
    listed = []
    for site in found:
        bindings = []
        for element in site.findall("bindings/binding"):
            ip, port, hostname = ((element.get("bindingInformation") or "").split(":") + ["", "", ""])[:3]
            flags = _flags(element.get("sslFlags"))
            https = (element.get("protocol") or "").lower() == "https"
            entry = sslcert.get(certstore.sslcert_key(ip, int(port or 0), hostname, bool(flags & 1))) if https else None
            bindings.append({"ip": ip, "port": int(port or 0), "hostname": hostname,
                             "protocol": element.get("protocol"),
                             "use_ccs": bool(flags & 2), "use_sni": bool(flags & 1),
                             "certificate_hash": (entry or {}).get("hash", ""),
                             "certificate_store_name": (entry or {}).get("store", "")})
        application = site.find("application[@path='/']")
        vdir = application.find("virtualDirectory[@path='/']") if application is not None else None
        listed.append({"name": site.get("name"), "site_id": int(site.get("id") or 0), "state": "Started",
                       "physical_path": vdir.get("physicalPath") if vdir is not None else "",
                       "application_pool": (application.get("applicationPool") if application is not None else None)
                       or "DefaultAppPool", "bindings": bindings})
    return {"changed": False, "exists": bool(listed), "site": listed}
