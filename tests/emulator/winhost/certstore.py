"""The emulated Windows certificate store and HTTP.sys's SSL bindings (docs/emulator.md "TLS").

Certificate store: ``state.json`` ``certificates`` = ``{"LocalMachine\\My": {THUMBPRINT: {subject, has_private_key,
file}}}``; each certificate (with its private key, when the PFX had one) is kept as PEM in
``<root>/certstore/<location>/<store>/<THUMBPRINT>.pem`` (mode 0600), which the emulated IIS front end loads to
serve TLS. The thumbprint is what .NET's ``X509Certificate2.Thumbprint`` gives: the SHA-1 of the DER
certificate, upper-case hex.

HTTP.sys SSL bindings (``netsh http show sslcert``): ``state.json`` ``http_sys.sslcert`` = ``{"0.0.0.0:443" or
"host.example:443": {"hash": THUMBPRINT, "store": "My"}}``, written by ``Binding.AddSslCertificate`` (the
microsoft.iis.website stand-in): an IP binding for a binding without SNI (``*`` is 0.0.0.0), a host-name
binding for one with SNI (sslFlags 1).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from .host import Host
from .modules import ModuleFailure

KEY = "certificates"
HTTP_SYS = "http_sys"
# .NET's CryptographicException message for a PKCS#12 file whose password does not decrypt it.
BAD_PASSWORD = "The specified network password is not correct."


def store_key(location: str, store: str) -> str:
    return f"{location}\\{store}"


def _find(certs: dict[str, Any], key: str) -> str | None:
    """The stored key matching ``key`` case-insensitively (store names and thumbprints are)."""
    return next((k for k in certs if k.lower() == key.lower()), None)


def load_pfx(data: bytes, password: str | None) -> list[tuple[str, bytes, bool]]:
    """(thumbprint, PEM of certificate [+ key], has_private_key) of every certificate of a PFX/DER/PEM file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    pem = serialization.Encoding.PEM
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        if data.lstrip().startswith(b"-----BEGIN") or data[:1] == b"\x30":
            try:
                certs = x509.load_pem_x509_certificates(data) if data.lstrip().startswith(b"-----") \
                    else [x509.load_der_x509_certificate(data)]
            except ValueError:
                certs = []
            if certs:
                return [(_thumbprint(c), c.public_bytes(pem), False) for c in certs]
        message = BAD_PASSWORD if "password" in str(exc).lower() or "mac" in str(exc).lower() \
            else "Cannot find the requested object."
        raise ModuleFailure(f"Failed to load cert from file: {message}") from exc
    out = []
    if cert is not None:
        body = cert.public_bytes(pem)
        if key is not None:
            body += key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        out.append((_thumbprint(cert), body, key is not None))
    out.extend((_thumbprint(c), c.public_bytes(pem), False) for c in extra or [])
    return out


def _thumbprint(cert: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def certificate_file(host: Host, location: str, store: str, thumbprint: str) -> Path | None:
    """The PEM file of a certificate in the store (None when it is not there)."""
    stores = host.load_state().get(KEY) or {}
    name = _find(stores, store_key(location, store))
    entry = (stores.get(name) or {}).get(_find(stores.get(name) or {}, thumbprint) or "") if name else None
    return host.root / entry["file"] if entry else None


def has_certificate(host: Host, location: str, store: str, thumbprint: str) -> bool:
    """``Test-Path cert:\\<location>\\<store>\\<thumbprint>``."""
    return certificate_file(host, location, store, thumbprint) is not None


def trusted_pem(host: Host) -> str:
    """The certificates of LocalMachine\\Root (the host's trusted roots) as one PEM text."""
    stores = host.load_state().get(KEY) or {}
    entries = stores.get(_find(stores, store_key("LocalMachine", "Root")) or "", {})
    texts = ((host.root / e["file"]).read_text(encoding="ascii") for e in entries.values())
    return "".join(m.group(0) + "\n" for text in texts for m in re.finditer(
        r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.DOTALL))


def win_certificate_store(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """ansible.windows.win_certificate_store, states present and absent, system stores (win_certificate_store.ps1)."""
    state = params.get("state") or "present"
    location = params.get("store_location") or "LocalMachine"
    store = params.get("store_name") or "My"
    if location not in ("LocalMachine", "CurrentUser"):
        raise ModuleFailure(f"value of store_location must be one of: CurrentUser, LocalMachine. "
                            f"Got no match for: {location}")
    if state == "exported" or params.get("store_type") == "service":
        raise ModuleFailure("winhost: win_certificate_store state=exported and store_type=service are not emulated")
    result: dict[str, Any] = {"changed": False, "thumbprints": []}
    path = params.get("path")
    if state == "absent" and params.get("thumbprint"):
        thumbprints = [params["thumbprint"]]
    else:
        if not path:
            raise ModuleFailure("state is present but all of the following are missing: path") if state == "present" \
                else ModuleFailure("state is absent but any of the following are missing: path, thumbprint")
        data = host.read_bytes(path)
        if data is None:
            raise ModuleFailure(f"File at '{path}' either does not exist or is not a file")
        loaded = load_pfx(data, params.get("password"))
        thumbprints = [t for t, _pem, _key in loaded]
    result["thumbprints"] = thumbprints
    key = store_key(location, store)
    stores = host.load_state().get(KEY) or {}
    current = stores.get(_find(stores, key) or "", {})
    if state == "absent":
        gone = [_find(current, t) for t in thumbprints if _find(current, t)]
        if gone and not check_mode:
            def remove(changed: dict[str, Any]) -> None:
                entries = changed[KEY][_find(changed[KEY], key)]
                for thumb in gone:
                    (host.root / entries.pop(thumb)["file"]).unlink(missing_ok=True)
            host.update_state(remove)
        result["changed"] = bool(gone)
        return result
    new = [(t, pem, has_key) for t, pem, has_key in loaded
           if not _find(current, t) or (has_key and not current[_find(current, t)]["has_private_key"])]
    if new and not check_mode:
        folder = host.root / "certstore" / location / store
        folder.mkdir(parents=True, exist_ok=True)
        for thumb, pem, _key in new:
            target = folder / f"{thumb}.pem"
            target.write_bytes(pem)
            os.chmod(target, 0o600)

        def add(changed: dict[str, Any]) -> None:
            entries = changed.setdefault(KEY, {}).setdefault(_find(changed.get(KEY) or {}, key) or key, {})
            for thumb, _pem, has_key in new:
                entries[thumb] = {"has_private_key": has_key,
                                  "file": str((folder / f"{thumb}.pem").relative_to(host.root))}
        host.update_state(add)
    result["changed"] = bool(new)
    return result


def sslcert_key(ip: str, port: int, hostname: str, sni: bool) -> str:
    """The HTTP.sys SSL binding of an IIS binding: ``host:port`` with SNI, else ``ip:port`` (``*`` = 0.0.0.0)."""
    if sni:
        return f"{hostname.lower()}:{port}"
    return f"{'0.0.0.0' if ip in ('*', '') else ip}:{port}"


def sslcerts(host: Host) -> dict[str, dict[str, str]]:
    return dict(((host.load_state().get(HTTP_SYS) or {}).get("sslcert")) or {})


def set_sslcert(host: Host, key: str, thumbprint: str, store: str) -> None:
    host.update_state(lambda s: s.setdefault(HTTP_SYS, {}).setdefault("sslcert", {}).__setitem__(
        key, {"hash": thumbprint.upper(), "store": store}))
