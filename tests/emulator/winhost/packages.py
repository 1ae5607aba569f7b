"""MSI packages on the emulated host: what ansible.windows.win_package and msiexec do for the
URL Rewrite 2.1 and ARR 3.0 MSIs, behind the stand-in module ``ansible.windows.win_package``.

The emulator has no network. A small download catalogue maps Microsoft's MSI URLs
(shared/research/iis-facts.md 3) to stand-in MSI files; any other URL fails as an unreachable one
does. Local paths (``C:\\...``) and UNC paths (``\\\\server\\share\\...``, stored under
``<root>/UNC/server/share/...``) are files on the host; ``write_msi`` puts a stand-in MSI there.
A stand-in MSI is a small file whose first line is ``WINHOST-MSI`` and whose second line is a JSON
object with the ProductCode, so checksums are real SHA-256/SHA-1 hashes of real bytes.
Installing runs the emulator core's installers (``winhost.iis``); their refusals become msiexec's
exit code 1603. Behaviours and sources: docs/features.md ("The emulated host").
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import iis
from .errors import HostError
from .features import FeatureError
from .host import Host

MSI_MAGIC = b"WINHOST-MSI\n"
TEMP_DIR = "C:\\Windows\\Temp\\ansible-moduletmp"
MSIEXEC = "C:\\Windows\\System32\\msiexec.exe"
PRODUCTS: dict[str, dict[str, Any]] = {
    "url_rewrite": {**iis.URL_REWRITE, "install": iis.install_url_rewrite, "uninstall": iis.uninstall_url_rewrite},
    "arr": {**iis.ARR, "install": iis.install_arr, "uninstall": iis.uninstall_arr},
}
DOWNLOADS = {
    "https://download.microsoft.com/download/1/2/8/128E2E22-C1B9-44A4-BE2A-5859ED1D4592/rewrite_amd64_en-US.msi":
        "url_rewrite",
    "https://download.microsoft.com/download/E/9/8/E9849D6A-020E-47E4-9FD0-A023E99B54EB/requestRouter_amd64.msi":
        "arr",
}
KNOWN_WEB_HOSTS = {"download.microsoft.com", "go.microsoft.com"}
ALGORITHMS = {"md5", "sha1", "sha256", "sha384", "sha512"}


class PackageError(FeatureError):
    """A win_package failure; ``extra`` holds rc/stdout/stderr as the real module returns them."""


def msi_bytes(key: str) -> bytes:
    """The stand-in MSI of ``url_rewrite`` or ``arr`` (always the same bytes, so hashes are stable)."""
    product = PRODUCTS[key]
    header = {"product_code": product["product_code"], "name": product["name"], "version": product["version"]}
    return MSI_MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + b"\0" * 512


def msi_sha256(key: str) -> str:
    return hashlib.sha256(msi_bytes(key)).hexdigest().upper()


def local_file(host: Host, path: str) -> Path:
    """A drive path or a UNC path (``\\\\server\\share\\x`` -> ``<root>/UNC/server/share/x``)."""
    if path.startswith("\\\\"):
        parts = [p for p in re.split(r"[\\/]+", path[2:]) if p]
        return host.root.joinpath("UNC", *parts)
    return host.local_path(path)


def write_msi(host: Host, path: str, key: str, data: bytes | None = None) -> None:
    """Put a stand-in MSI (or any bytes) at a drive or UNC path of the host, for offline-source tests."""
    target = local_file(host, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(msi_bytes(key) if data is None else data)


def product_key(product_code: str) -> str | None:
    for key, product in PRODUCTS.items():
        if product["product_code"].lower() == product_code.lower():
            return key
    return None


def installed(host: Host, product_code: str) -> bool:
    """Windows Installer's view (MsiQueryProductState), not IIS's: state.json["products"]."""
    return any(code.lower() == product_code.lower() for code in host.load_state().get("products", {}))


def read_msi(data: bytes, path: str) -> dict[str, Any]:
    if not data.startswith(MSI_MAGIC):
        raise PackageError(f"unexpected rc from '\"{MSIEXEC}\" /i \"{path}\"': see rc, stdout, and stderr for more "
                           "details", rc=1620, stdout="", stderr="This installation package could not be opened. "
                           "Contact the application vendor to verify that this is a valid Windows Installer package.")
    return json.loads(data[len(MSI_MAGIC):].split(b"\n", 1)[0])


def download(host: Host, url: str, downloads: list[str]) -> tuple[str, bytes]:
    """Get-UrlFile: the catalogue or a failure like WebRequest's; returns (temp path, bytes)."""
    parsed = urlparse(url)
    key = DOWNLOADS.get(url)
    if key is None:
        if (parsed.hostname or "").lower() in KNOWN_WEB_HOSTS:
            reason = "The remote server returned an error: (404) Not Found."
        else:
            reason = f"The remote name could not be resolved: '{parsed.hostname}'"
        raise PackageError(f"Unhandled exception while executing module: Exception calling \"GetResponse\" with "
                           f"\"0\" argument(s): \"{reason}\"")
    downloads.append(url)
    temp = f"{TEMP_DIR}\\{parsed.path.rsplit('/', 1)[-1]}"
    data = msi_bytes(key)
    host.write_bytes(temp, data)
    return temp, data


def _msiexec_failure(action: str, path: str, message: str) -> PackageError:
    return PackageError(f"unexpected rc from '\"{MSIEXEC}\" /{action} \"{path}\" /qn /norestart': see rc, stdout, "
                        "and stderr for more details", rc=1603, stdout="",
                        stderr=f"Fatal error during installation. {message}")


def win_package(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    """ansible.windows.win_package for MSI files, in the order of the real module's main flow."""
    downloads: list[str] = []
    try:
        return _win_package(host, params, check_mode, downloads)
    except PackageError as exc:
        exc.extra["_downloads"] = downloads  # run_module logs what was fetched before the failure
        raise
    finally:  # the real module removes its temporary download
        temp = host.local_path(TEMP_DIR)
        if temp.is_dir():
            shutil.rmtree(temp)


def _win_package(host: Host, params: dict[str, Any], check_mode: bool, downloads: list[str]) -> dict[str, Any]:
    path, product_id, state = params.get("path"), params.get("product_id"), params.get("state") or "present"
    algorithm = (params.get("checksum_algorithm") or "sha1").lower()
    if algorithm not in ALGORITHMS:
        raise PackageError(f"value of checksum_algorithm must be one of: {', '.join(sorted(ALGORITHMS))}, "
                           f"got: {algorithm}")
    if state == "present" and not path:
        raise PackageError("state is present but all of the following are missing: path")
    if state == "absent" and not (path or product_id):
        raise PackageError("state is absent but any of the following are missing: path, product_id")
    result: dict[str, Any] = {"changed": False, "reboot_required": False, "rc": 0, "_downloads": downloads}
    is_url = bool(path) and path.lower().startswith("http")
    data: bytes | None = None
    status = installed(host, product_id) if (is_url and product_id and state == "present") else None
    if is_url and (not product_id or not status):
        path, data = download(host, path, downloads)
    elif path and not is_url:
        file = local_file(host, path)
        if not file.is_file() and not check_mode:
            raise PackageError(f"the file at the path '{path}' cannot be reached")
        data = file.read_bytes() if file.is_file() else None
    code = product_id or (read_msi(data, path)["product_code"] if data is not None else None)
    if status is None:
        status = installed(host, code) if code else False
    changed = (state == "present") != status
    if changed and not check_mode:
        if is_url and data is None and state == "present":
            path, data = download(host, path, downloads)
        if state == "present" and data is not None:
            digest = hashlib.new(algorithm, data).hexdigest().upper()
            result["checksum"] = digest
            checksum = params.get("checksum")
            if checksum and checksum.upper() != digest:
                raise PackageError(f"The checksum for {path} did not match '{checksum}', it was '{digest}'",
                                   checksum=digest)
        _run_installer(host, state, path, data, code)
    if state == "absent" and product_id is None and is_url:
        raise PackageError("Unable to find Product ID from the URL path. Please specify product_id when using "
                           "state=absent")
    result["changed"] = changed
    return result


def _run_installer(host: Host, state: str, path: str | None, data: bytes | None, code: str | None) -> None:
    if state == "present":
        assert data is not None and path is not None
        header = read_msi(data, path)
        key = product_key(header["product_code"])
        if key is None:
            raise _msiexec_failure("i", path, f"unknown stand-in product {header['product_code']}")
        try:
            PRODUCTS[key]["install"](host)
        except HostError as exc:  # the MSI's launch conditions (IIS present, URL Rewrite before ARR)
            raise _msiexec_failure("i", path, exc.message) from exc
        if not installed(host, header["product_code"]):  # core installer skipped: IIS already had it
            host.update_state(lambda s: s.setdefault("products", {}).__setitem__(
                PRODUCTS[key]["product_code"], {"name": PRODUCTS[key]["name"], "version": PRODUCTS[key]["version"]}))
        return
    key = product_key(code or "")
    if key is not None:
        PRODUCTS[key]["uninstall"](host)
    host.update_state(lambda s: s.get("products", {}).pop(code, None))
