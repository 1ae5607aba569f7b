"""TLS on the emulated host: the certificate store (win_certificate_store), https bindings with their HTTP.sys
certificate (microsoft.iis.website) and the front end serving them over real TLS with {HTTPS} ON."""

from __future__ import annotations

import datetime
import http.client
import json
import ssl
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from winhost import Host, certstore
from winhost.front import ensure_running
from winhost.front.ports import https_ports
from winhost.modules import ModuleFailure
from winhost.processes import stop_all
from winhost.website import website
from winhost_helpers import APPHOST_FILE, SITE as SITE_PSPATH, apply, op

SITE = "Default Web Site"

PFX = "C:\\certs\\site.pfx"
RULES = "system.webServer/rewrite/rules"


def make_pfx(name: str = "localhost", password: str = "s3cret") -> tuple[bytes, str, bytes]:
    """A self-signed certificate for ``name`` (and 127.0.0.1) as PFX, its thumbprint and its PEM."""
    import hashlib
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    pfx = pkcs12.serialize_key_and_certificates(b"site", key, cert, None,
                                                serialization.BestAvailableEncryption(password.encode()))
    der = cert.public_bytes(serialization.Encoding.DER)
    return pfx, hashlib.sha1(der).hexdigest().upper(), cert.public_bytes(serialization.Encoding.PEM)


def https_binding(thumb: str, port: int = 443, hostname: str = "", sni: bool = False) -> dict[str, Any]:
    return {"ip": "*", "port": port, "hostname": hostname, "protocol": "https", "use_sni": sni,
            "certificate_hash": thumb, "certificate_store_name": "my"}


def test_pfx_import_thumbprint_idempotence_and_bad_password(host: Host) -> None:
    pfx, thumb, _pem = make_pfx()
    host.write_bytes(PFX, pfx)
    params = {"path": PFX, "password": "s3cret", "state": "present"}
    assert certstore.win_certificate_store(host, params, True) == {"changed": True, "thumbprints": [thumb]}
    assert not certstore.has_certificate(host, "LocalMachine", "My", thumb), "check mode imported"
    assert certstore.win_certificate_store(host, params, False)["changed"] is True
    assert certstore.has_certificate(host, "LocalMachine", "my", thumb.lower())  # Test-Path is case-insensitive
    stored = certstore.certificate_file(host, "LocalMachine", "My", thumb)
    assert stored is not None and b"PRIVATE KEY" in stored.read_bytes() and stored.stat().st_mode & 0o077 == 0
    assert certstore.win_certificate_store(host, params, False) == {"changed": False, "thumbprints": [thumb]}
    with pytest.raises(ModuleFailure, match="Failed to load cert from file: The specified network password"):
        certstore.win_certificate_store(host, {**params, "password": "wrong"}, False)
    with pytest.raises(ModuleFailure, match=r"File at 'C:\\certs\\none.pfx' either does not exist"):
        certstore.win_certificate_store(host, {**params, "path": "C:\\certs\\none.pfx"}, False)
    assert certstore.win_certificate_store(host, {"state": "absent", "thumbprint": thumb}, False)["changed"]
    assert not certstore.has_certificate(host, "LocalMachine", "My", thumb)


def _bindings(host: Host) -> list[dict[str, str]]:
    apphost = ET.parse(host.local_path(APPHOST_FILE)).getroot()
    site = apphost.find(f"system.applicationHost/sites/site[@name='{SITE}']")
    assert site is not None
    return [b.attrib for b in site.findall("bindings/binding")]


def test_website_adds_an_https_binding_once_with_its_certificate(host: Host) -> None:
    pfx, thumb, _pem = make_pfx()
    host.write_bytes(PFX, pfx)
    params = {"name": SITE, "state": "started", "bindings": {"add": [https_binding(thumb.lower())]}}
    missing = rf"Unable to locate certificate at cert:\\LocalMachine\\my\\{thumb.lower()}"
    with pytest.raises(ModuleFailure, match=missing):
        website(host, params, False)
    certstore.win_certificate_store(host, {"path": PFX, "password": "s3cret"}, False)
    before = _bindings(host)
    assert website(host, params, True) == {"changed": True}
    assert _bindings(host) == before and not certstore.sslcerts(host), "check mode wrote"
    assert website(host, params, False) == {"changed": True}
    assert _bindings(host) == [*before, {"protocol": "https", "bindingInformation": "*:443:", "sslFlags": "None"}]
    assert certstore.sslcerts(host) == {"0.0.0.0:443": {"hash": thumb, "store": "my"}}
    assert website(host, params, False) == {"changed": False}  # thumbprint compared case-insensitively
    sni = {"name": SITE, "bindings": {"add": [https_binding(thumb, 8443, "www.example.com", True)]}}
    assert website(host, sni, False) == {"changed": True}
    assert certstore.sslcerts(host)["www.example.com:8443"] == {"hash": thumb, "store": "my"}
    assert _bindings(host)[-1]["sslFlags"] == "Sni"
    for binding, message in (({**https_binding(thumb), "use_sni": True}, "must specify hostname value when use_sni"),
                             ({**https_binding(thumb), "certificate_hash": None}, "must either specify a certificate"),
                             ({**https_binding(thumb), "protocol": "http", "port": 81},
                              "You can only provide a certificate thumbprint when protocol is set to https"),
                             ({**https_binding(thumb), "ip": None, "port": 9443}, "without ip is not emulated")):
        with pytest.raises(ModuleFailure, match=message):
            website(host, {"name": SITE, "bindings": {"add": [binding]}}, False)
    with pytest.raises(ModuleFailure, match="missing required arguments: physical_path"):
        website(host, {"name": "Nope", "bindings": {"add": [https_binding(thumb)]}}, False)


@pytest.fixture
def tls_host(host: Host, tmp_path: Path) -> Iterator[tuple[Host, str, Path]]:
    pfx, thumb, pem = make_pfx()
    host.write_bytes(PFX, pfx)
    certstore.win_certificate_store(host, {"path": PFX, "password": "s3cret"}, False)
    website(host, {"name": SITE, "bindings": {"add": [https_binding(thumb)]}}, False)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pem)
    try:
        yield host, thumb, ca
    finally:
        stop_all(host)


def test_front_serves_https_with_the_bound_certificate_and_https_on(tls_host: tuple[Host, str, Path]) -> None:
    host, thumb, ca = tls_host
    # The rule answers with the scheme the engine saw ({HTTPS}, {CACHE_URL}) in a redirect's Location.
    apply(host, op("add", RULES, pspath=SITE_PSPATH, element={
        "name": "rule", "attributes": {"name": "scheme"}, "children": {
            "match": {"attributes": {"url": "(.*)"}},
            "conditions": {"items": [{"name": "add", "attributes": {"input": "{CACHE_URL}", "pattern": "^(https?)://"}}]},
            "action": {"attributes": {"type": "Redirect", "url": "/seen/{C:1}/{HTTPS}", "redirectType": "Found"}}}}))
    ensure_running(host)
    port = https_ports(host)["*:443:"]
    context = ssl.create_default_context(cafile=str(ca))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.request("GET", "/x", headers={"Host": "localhost", "X-Forwarded-Proto": "http"})
    response = connection.getresponse()
    assert response.status == 302 and response.getheader("Location").endswith("/seen/https/ON")
    der = connection.sock.getpeercert(binary_form=True)
    connection.close()
    import hashlib

    assert hashlib.sha1(der).hexdigest().upper() == thumb
    plain = http.client.HTTPConnection("127.0.0.1", ensure_running(host)["*:80:"], timeout=10)
    plain.request("GET", "/x", headers={"X-Forwarded-Proto": "https"})
    assert plain.getresponse().getheader("Location").endswith("/seen/http/OFF")
    plain.close()
    listing = json.dumps(host.load_state()["iis_http"])
    assert '"https": {"*:443:"' in listing


def test_front_without_a_certificate_binding_fails_the_handshake(tls_host: tuple[Host, str, Path]) -> None:
    host, _thumb, ca = tls_host
    host.update_state(lambda s: s["http_sys"]["sslcert"].clear())
    ensure_running(host)
    connection = http.client.HTTPSConnection("127.0.0.1", https_ports(host)["*:443:"],
                                             context=ssl.create_default_context(cafile=str(ca)), timeout=10)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        connection.request("GET", "/")
        connection.getresponse()
    connection.close()


def test_win_uri_to_https_checks_the_host_trust(tls_host: tuple[Host, str, Path]) -> None:
    from winhost.webrequest import win_uri

    host, _thumb, ca = tls_host
    params = {"url": "https://localhost/nothing", "status_code": [404]}
    with pytest.raises(ModuleFailure, match="Could not establish trust relationship for the SSL/TLS secure channel"):
        win_uri(host, params, False)
    assert win_uri(host, {**params, "validate_certs": False}, False)["status_code"] == 404
    host.write_bytes("C:\\certs\\root.cer", ca.read_bytes())
    certstore.win_certificate_store(host, {"path": "C:\\certs\\root.cer", "store_name": "Root"}, False)
    assert win_uri(host, params, False)["status_code"] == 404


def test_front_picks_the_sni_certificate_by_server_name(tls_host: tuple[Host, str, Path]) -> None:
    host, thumb, ca = tls_host
    website(host, {"name": SITE, "bindings": {"add": [https_binding(thumb, 8443, "localhost", True)]}}, False)
    ensure_running(host)
    port = https_ports(host)["*:8443:localhost"]
    context = ssl.create_default_context(cafile=str(ca))
    named = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
    status, _reason, _body = _get(named)
    assert status in (200, 403, 404)
    # No server name (an IP address sends no SNI) and no 0.0.0.0:8443 binding: HTTP.sys has no certificate.
    bare = ssl.create_default_context(cafile=str(ca))
    bare.check_hostname = False
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _get(http.client.HTTPSConnection("127.0.0.1", port, context=bare, timeout=10))


def _get(connection: http.client.HTTPConnection) -> tuple[int, str, bytes]:
    try:
        connection.request("GET", "/", headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, response.reason, response.read()
    finally:
        connection.close()
