# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The thumbprint of a PFX's certificate, computed on the controller (cryptography ships with ansible-core)."""

from __future__ import annotations

import hashlib

try:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
except ImportError:  # pragma: no cover - ansible-core requires cryptography; sanity's import test may lack it
    pkcs12 = None


class PfxError(ValueError):
    """The file is not a PKCS#12 file this password opens."""


def pfx_thumbprint(data: bytes, password: str) -> str:
    """The SHA-1 thumbprint (40 upper-case hex digits, as Windows shows it) of the certificate that holds the
    PFX's private key, else of its only certificate: what an https binding needs, in whatever order the PFX lists
    its chain."""
    if pkcs12 is None:
        raise PfxError("the Python package cryptography is missing on the controller")
    secrets = [password.encode("utf-8")] + ([None] if password == "" else [])
    for secret in secrets:  # an empty password: encrypted with "" or not encrypted at all
        try:
            _key, certificate, others = pkcs12.load_key_and_certificates(data, secret)
        except (ValueError, TypeError):
            continue
        if certificate is None and len(others) == 1:
            certificate = others[0]
        if certificate is None:
            raise PfxError("it holds no certificate with a private key" if others else "it holds no certificate")
        return hashlib.sha1(certificate.public_bytes(Encoding.DER)).hexdigest().upper()
    raise PfxError("the password is wrong or it is not a PKCS#12 (PFX) file")
