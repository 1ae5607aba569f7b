"""microsoft.iis.website in check mode and microsoft.iis.website_info on the emulated host (docs/emulator.md "TLS").

website.ps1 of microsoft.iis 1.x rebinds HTTP.sys in check mode when an existing binding's certificate differs: its
edit branch calls ``$edit_binding.AddSslCertificate(...)`` with no ``-not $check_mode`` guard, unlike the add
branch (github.com/ansible-collections/microsoft.iis, plugins/modules/website.ps1). The stand-in does the same, so
the reverse_proxy role's own guard is what a test proves. website_info.ps1 returns every binding of the site, split
from bindingInformation at ":", with ``certificate_hash`` / ``certificate_store_name`` of the binding (HTTP.sys's).
"""

from __future__ import annotations

from test_winhost_tls import PFX, SITE, https_binding, make_pfx
from winhost import Host, certstore
from winhost.website import website, website_info


def bound(host: Host) -> tuple[str, str]:
    first, second = make_pfx(), make_pfx()
    for number, (pfx, _thumb, _pem) in enumerate((first, second)):
        host.write_bytes(PFX + str(number), pfx)
        certstore.win_certificate_store(host, {"path": PFX + str(number), "password": "s3cret"}, False)
    website(host, {"name": SITE, "bindings": {"add": [https_binding(first[1])]}}, False)
    return first[1], second[1]


def test_check_mode_rebinds_http_sys_like_website_ps1(host: Host) -> None:
    old, new = bound(host)
    assert certstore.sslcerts(host) == {"0.0.0.0:443": {"hash": old, "store": "my"}}
    assert website(host, {"name": SITE, "bindings": {"add": [https_binding(new)]}}, True) == {"changed": True}
    # the edit branch's AddSslCertificate has no check-mode guard: HTTP.sys holds the new certificate now
    assert certstore.sslcerts(host) == {"0.0.0.0:443": {"hash": new, "store": "my"}}


def test_check_mode_adds_no_binding(host: Host) -> None:
    _pfx, thumb, _pem = make_pfx()
    host.write_bytes(PFX, _pfx)
    certstore.win_certificate_store(host, {"path": PFX, "password": "s3cret"}, False)
    assert website(host, {"name": SITE, "bindings": {"add": [https_binding(thumb)]}}, True) == {"changed": True}
    assert certstore.sslcerts(host) == {}  # the add branch is guarded


def test_website_info_returns_the_bindings_with_their_certificate(host: Host) -> None:
    old, _new = bound(host)
    info = website_info(host, {"name": SITE}, True)
    assert info["exists"] is True and [s["name"] for s in info["site"]] == [SITE]
    assert info["site"][0]["bindings"] == [
        {"ip": "*", "port": 80, "hostname": "", "protocol": "http", "use_ccs": False, "use_sni": False,
         "certificate_hash": "", "certificate_store_name": ""},
        {"ip": "*", "port": 443, "hostname": "", "protocol": "https", "use_ccs": False, "use_sni": False,
         "certificate_hash": old, "certificate_store_name": "my"}]
    assert website_info(host, {"name": "Nope"}, True) == {"changed": False, "exists": False, "site": []}
