"""winflask.iis.pfx_thumbprint (plugins/lookup, plugin_utils/pfx.py): the thumbprint of the PFX's certificate with
the private key, computed on the controller; the file found like win_copy's src; clear errors without the password."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from ansible.errors import AnsibleLookupError
import yaml
from ansible import constants
from ansible.parsing.dataloader import DataLoader
from ansible_collections.winflask.iis.plugins.lookup import pfx_thumbprint as plugin
from ansible_collections.winflask.iis.plugins.plugin_utils.pfx import PfxError, pfx_thumbprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def certificate(name: str, key: ec.EllipticCurvePrivateKey, issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(issuer_key, hashes.SHA256()))


def thumbprint(cert: x509.Certificate) -> str:
    return hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def test_the_certificate_with_the_key_whatever_the_chain_order() -> None:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca, leaf = certificate("ca", ca_key, ca_key), certificate("www.example.com", key, ca_key)
    pfx = pkcs12.serialize_key_and_certificates(b"site", key, leaf, [ca],
                                                serialization.BestAvailableEncryption(b"pw"))
    assert pfx_thumbprint(pfx, "pw") == thumbprint(leaf)
    only = pkcs12.serialize_key_and_certificates(None, None, None, [ca], serialization.NoEncryption())
    assert pfx_thumbprint(only, "") == thumbprint(ca)  # a PFX without a password and one certificate
    with pytest.raises(PfxError, match="password is wrong or it is not a PKCS#12"):
        pfx_thumbprint(pfx, "wrong")
    with pytest.raises(PfxError, match="not a PKCS#12"):
        pfx_thumbprint(b"not a pfx", "")


def test_the_lookup_finds_the_file_and_names_it_in_errors(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = certificate("localhost", key, key)
    path = tmp_path / "site.pfx"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"site", key, leaf, None,
                                                           serialization.BestAvailableEncryption(b"s3cret")))
    lookup = plugin.LookupModule(loader=DataLoader())
    lookup._load_name = "winflask.iis.pfx_thumbprint"  # pylint: disable=protected-access
    # what the plugin loader does: the options come from DOCUMENTATION
    constants.config.initialize_plugin_configuration_definitions(
        "lookup", "winflask.iis.pfx_thumbprint", yaml.safe_load(plugin.DOCUMENTATION)["options"])
    assert lookup.run([str(path)], {}, password="s3cret") == [thumbprint(leaf)]
    wrong = "cannot read the PFX file '.*site.pfx': the password is wrong"
    with pytest.raises(AnsibleLookupError, match=wrong) as error:
        lookup.run([str(path)], {}, password="n0t-it")
    assert "n0t-it" not in str(error.value)
    with pytest.raises(AnsibleLookupError, match="the PFX file '.*missing.pfx' was not found on the controller"):
        lookup.run([str(tmp_path / "missing.pfx")], {})
