"""winflask.iis.site with HTTPS on (reverse_proxy_https) on a bare emulated Windows Server 2022 host.

A CA and a certificate for localhost are made at test time; the host trusts the CA (LocalMachine\\Root, as a
domain's own CA would be), the PFX is shipped from the controller. HSTS is the site's native <hsts> element
(Server 2022: IIS 10.0 version 1709 and later), no outbound rule. The site converges, its last health check
follows the 301 to https and validates the certificate, a second run changes nothing. A real TLS request reaches
the app as https; http gets the 301 (path and query kept), except the ACME challenge path; the password is never
logged. Main venv only: nothing here depends on the ansible-core version beyond what test_site_app.py covers.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import ipaddress
import json
import ssl
import xml.etree.ElementTree as ET
from pathlib import Path

from playbook_run import (
    EMULATED_INVENTORY, REPO, ansible_env, app_port, create_host, read_calls, run_playbook, snapshot, write_inventory,
    write_play)
import test_site_app
from test_site_app import extra_vars
from winhost import Host, certstore
from winhost.front import ensure_running
from winhost.front.ports import https_ports

HOST = "emulated-server2022"
PASSWORD = "pfx-Secret-4711"
VENV = REPO / ".venv" / "main"
# The emulated host's folder, its processes stopped afterwards, pass or fail (test_site_app.py's fixture).
host_root = test_site_app.host_root


def make_certificates(folder: Path) -> tuple[Path, Path, str]:
    """(CA PEM, PFX of a localhost certificate the CA signed, the certificate's thumbprint)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "winflask test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.DNSName("www.example.com"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_pem = folder / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pfx = folder / "site.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(
        b"site", key, leaf, None, serialization.BestAvailableEncryption(PASSWORD.encode())))
    thumb = hashlib.sha1(leaf.public_bytes(serialization.Encoding.DER)).hexdigest().upper()
    return ca_pem, pfx, thumb


def request(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, dict, str]:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_site_with_https_converges_serves_tls_and_is_idempotent(tmp_path: Path, host_root: Path) -> None:
    port = app_port()
    ca_pem, pfx, thumb = make_certificates(tmp_path)
    root = create_host(VENV, host_root, bare=True)
    host = Host(root)
    host.write_bytes("C:\\Windows\\Temp\\ca.cer", ca_pem.read_bytes())
    certstore.win_certificate_store(host, {"path": "C:\\Windows\\Temp\\ca.cer", "store_name": "Root"}, False)
    env = ansible_env(VENV, root, tmp_path)
    https_vars = json.dumps({"reverse_proxy_https": True, "reverse_proxy_https_pfx": str(pfx),
                             "reverse_proxy_https_pfx_password": PASSWORD,
                             # strings, as from -e key=value or an inventory: read with | bool
                             "reverse_proxy_hsts_include_subdomains": "false", "reverse_proxy_hsts_preload": "no"})
    extra = [*extra_vars(VENV, port), "-e", https_vars]

    first = run_playbook(VENV, "winflask.iis.site", EMULATED_INVENTORY, env, extra)
    assert first.rc == 0, first.failure_report()
    assert first.recap[HOST]["changed"] > 0
    assert "Ask the app for its health through IIS" in first.stdout
    modules = {c["module"] for c in read_calls(root)}
    assert {"microsoft.iis.website", "ansible.windows.win_certificate_store"} <= modules, modules

    apphost = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot()
    site = apphost.find("system.applicationHost/sites/site[@name='Default Web Site']")
    assert site is not None
    assert [b.attrib for b in site.findall("bindings/binding")] == [
        {"protocol": "http", "bindingInformation": "*:80:"},
        {"protocol": "https", "bindingInformation": "*:443:", "sslFlags": "None"}]
    assert certstore.sslcerts(host) == {"0.0.0.0:443": {"hash": thumb, "store": "My"}}
    assert certstore.has_certificate(host, "LocalMachine", "My", thumb)
    rewrite = ET.parse(root / "C/inetpub/wwwroot/web.config").getroot().find("system.webServer/rewrite")
    assert rewrite is not None
    assert [r.get("name") for r in rewrite.findall("rules/rule")] == ["RedirectToHttps", "ReverseProxyInboundRule1"]
    # Server 2022 has native HSTS (IIS 10.0 version 1709+, host_info's native_hsts): the site's <hsts> element,
    # only what differs from the schema defaults written (includeSubDomains, preload, redirectHttpToHttps false),
    # and no outbound HSTS rule (tests/unit/flask_app/test_reverse_proxy_hsts.py: the rule on older IIS).
    assert site.find("hsts") is not None and site.find("hsts").attrib == {"enabled": "true", "max-age": "31536000"}
    assert [r.get("name") for r in rewrite.findall("outboundRules/rule")] == []

    # A real TLS request with the certificate bound to *:443: reaches the app as https, whatever the client claims.
    context = ssl.create_default_context(cafile=str(ca_pem))
    tls = http.client.HTTPSConnection("localhost", https_ports(host)["*:443:"], context=context, timeout=10)
    status, headers, body = request(tls, "/myApp/whoami", {"Host": "www.example.com", "X-Forwarded-Proto": "http"})
    assert status == 200, body
    # the native <hsts> header on the https answer, as the role configured it (no includeSubDomains, no preload)
    assert headers.get("strict-transport-security") == "max-age=31536000", headers
    assert json.loads(body) == {"remote_addr": "127.0.0.1", "scheme": "https", "host": "www.example.com",
                                "url_root": "https://www.example.com/myApp/"}
    # http: 301 to https, path and query kept; the ACME challenge path is not redirected.
    plain_port = ensure_running(host)["*:80:"]
    status, headers, _body = request(http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10),
                                     "/myApp/whoami?a=1&b=%20", {"Host": "www.example.com:80"})
    assert (status, headers.get("location")) == (301, "https://www.example.com/myApp/whoami?a=1&b=%20")
    assert "strict-transport-security" not in headers, "HSTS on an http answer"
    status, headers, _body = request(http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10),
                                     "/.well-known/acme-challenge/token1", {"Host": "www.example.com"})
    assert status != 301 and "location" not in headers

    logged = first.stdout + first.stderr + (root / "calls.jsonl").read_text(encoding="utf-8")
    assert PASSWORD not in logged, "the PFX password was logged"

    second = test_site_app.rerun_site_changes_nothing(VENV, root, env, extra)
    assert PASSWORD not in second.stdout + (root / "calls.jsonl").read_text(encoding="utf-8")


def test_server2016_hsts_comes_from_the_outbound_rule_on_tls_answers_only(tmp_path: Path, host_root: Path) -> None:
    """Server 2016 (no <hsts> schema: host_info native_hsts false): only the role's https tasks (tasks_from
    https.yml, one playbook run) write the https binding, the redirect rule and the outbound HSTS rule; a real
    TLS request through the emulated IIS gets Strict-Transport-Security from that rule, the http 301 none."""
    _ca_pem, pfx, _thumb = make_certificates(tmp_path)
    root = create_host(VENV, host_root, profile="server2016")
    host = Host(root)
    host.write_bytes("C:\\inetpub\\wwwroot\\index.html", b"<p>home</p>")
    book = write_play(tmp_path / "https2016.yml", [{
        "ansible.builtin.include_role": {"name": "winflask.iis.reverse_proxy", "tasks_from": "https"},
        "vars": {"reverse_proxy_https": True, "reverse_proxy_https_pfx": str(pfx),
                 "reverse_proxy_https_pfx_password": PASSWORD, "reverse_proxy_hsts_max_age": 600,
                 "reverse_proxy_hsts_include_subdomains": True}}])
    run = run_playbook(VENV, book, write_inventory(tmp_path / "inventory.yml", "emulated-server2016"),
                       ansible_env(VENV, root, tmp_path))
    assert run.rc == 0, run.failure_report()
    rewrite = ET.parse(root / "C/inetpub/wwwroot/web.config").getroot().find("system.webServer/rewrite")
    assert rewrite is not None
    assert [r.get("name") for r in rewrite.findall("outboundRules/rule")] == ["AddStrictTransportSecurity"]
    apphost = ET.parse(root / "C/Windows/System32/inetsrv/config/applicationHost.config").getroot()
    assert apphost.find("system.applicationHost/sites/site[@name='Default Web Site']/hsts") is None

    plain_port = ensure_running(host)["*:80:"]  # records the https ports too
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the certificate is test_site_with_https's
    tls = http.client.HTTPSConnection("127.0.0.1", https_ports(host)["*:443:"], context=context, timeout=10)
    status, headers, body = request(tls, "/index.html", {"Host": "localhost"})
    assert (status, body) == (200, "<p>home</p>")
    assert headers.get("strict-transport-security") == "max-age=600; includeSubDomains", headers
    plain = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
    status, headers, _body = request(plain, "/index.html", {"Host": "localhost"})
    assert (status, headers.get("location")) == (301, "https://localhost/index.html")
    assert "strict-transport-security" not in headers, "HSTS on an http answer"


def test_bad_https_variables_fail_before_anything_reaches_the_host(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    before = snapshot(root)
    book = tmp_path / "https.yml"
    book.write_text(json.dumps([{"hosts": "windows", "gather_facts": False, "roles": [{
        "role": "winflask.iis.reverse_proxy", "reverse_proxy_https": True, "reverse_proxy_https_thumbprint": "AB:CD",
        "reverse_proxy_https_port": 70000, "reverse_proxy_https_host_name": "bad_name.example",
        "reverse_proxy_hsts_max_age": -1}]}]), encoding="utf-8")
    run = run_playbook(VENV, book, write_inventory(tmp_path / "inventory.yml", HOST), ansible_env(VENV, root, tmp_path))
    assert run.rc != 0 and run.recap[HOST]["failed"] == 1, run.stdout[-3000:]
    text = " ".join(run.stdout.split())
    for message in ("reverse_proxy_https_thumbprint must be 40 hexadecimal digits (a SHA-1 thumbprint, without "
                    "spaces); got 'AB:CD'", "reverse_proxy_https_port must be a TCP port from 1 to 65535; got '70000'",
                    "reverse_proxy_https_host_name must be empty or a DNS host name", "got 'bad_name.example'",
                    "reverse_proxy_hsts_max_age must be seconds from 0 to 4294967295; got '-1'"):
        assert message in text, (message, run.stdout[-3000:])
    assert "reverse_proxy_https_pfx / reverse_proxy_https_thumbprint must" not in text
    assert snapshot(root) == before
    assert [c for c in read_calls(root) if c.get("kind") == "write"] == [] and read_calls(root) == []
