"""URL Rewrite 2.1 and ARR 3.0: where their MSIs are, how to tell they are installed, the plan.

MSI facts (URLs, file names, ProductCodes, install order) from shared/research/iis-facts.md 3;
documented in docs/features.md. WebPI is retired (2022-12-31) and not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import host_info
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

WIN_PACKAGE = "ansible.windows.win_package"


@dataclass(frozen=True)
class Extension:
    name: str
    title: str          # ARP DisplayName
    file: str           # the MSI's file name at Microsoft
    url: str            # Microsoft's download URL (x64, en-US)
    product_id: str     # MSI ProductCode (win_package product_id)
    requires: tuple[str, ...] = ()


EXTENSIONS: dict[str, Extension] = {
    "url_rewrite": Extension(
        name="url_rewrite", title="IIS URL Rewrite Module 2", file="rewrite_amd64_en-US.msi",
        url="https://download.microsoft.com/download/1/2/8/128E2E22-C1B9-44A4-BE2A-5859ED1D4592/"
            "rewrite_amd64_en-US.msi",
        product_id="{9BCA2118-F753-4A1E-BCF3-5A820729965C}"),
    "arr": Extension(
        name="arr", title="Microsoft Application Request Routing 3.0", file="requestRouter_amd64.msi",
        url="https://download.microsoft.com/download/E/9/8/E9849D6A-020E-47E4-9FD0-A023E99B54EB/"
            "requestRouter_amd64.msi",
        product_id="{78FD26A2-9214-48CD-AF71-7F33D1A78892}", requires=("url_rewrite",)),
}
ORDER = ["url_rewrite", "arr"]  # install order; removal goes the other way

SPEC = ModuleSpec(argument_spec={
    "name": {"type": "list", "elements": "str", "required": True, "choices": ORDER},
    "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    "source": {"type": "str"},
    "checksum": {"type": "str"},
    "product_id": {"type": "str"},
})

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
GUID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")
URL = re.compile(r"^https?://[^/\s]+(/.*)?$", re.IGNORECASE)
UNC = re.compile(r"^\\\\[^\\/\s]+\\[^\\/]+")
DRIVE_PATH = re.compile(r"^[A-Za-z]:\\")


def validate(args: dict[str, Any]) -> list[str]:
    """Check the options without the host; return the extension names in install order."""
    names = [n for n in ORDER if n in args["name"]]
    single = len(names) == 1
    source = args.get("source")
    if source is not None:
        if not (URL.match(source) or UNC.match(source) or DRIVE_PATH.match(source)):
            raise ModuleError(f"source must be an http(s) URL, a UNC path (\\\\server\\share\\...) or a local "
                              f"path (C:\\...), got {source!r}")
        if source.lower().endswith(".msi") and not single:
            raise ModuleError(f"source {source!r} names one MSI file but name lists {names}: give a folder "
                              f"(or base URL) holding {', '.join(EXTENSIONS[n].file for n in names)}, "
                              f"or one task per extension")
    for option in ("checksum", "product_id"):
        if args.get(option) is not None and not single:
            raise ModuleError(f"{option} applies to one MSI: use it with a single name, got name={names}")
    checksum = args.get("checksum")
    if checksum is not None and not SHA256.match(checksum):
        raise ModuleError(f"checksum must be a SHA-256 hash (64 hex digits), got {checksum!r}")
    product_id = args.get("product_id")
    if product_id is not None and not GUID.match(product_id):
        raise ModuleError(f"product_id must be an MSI ProductCode like {EXTENSIONS['url_rewrite'].product_id}, "
                          f"got {product_id!r}")
    return names


def msi_location(extension: Extension, source: str | None) -> str:
    """Where win_package finds the MSI: the default URL, a given file, or the file in a given folder."""
    if not source:
        return extension.url
    if source.lower().endswith(".msi"):
        return source
    if URL.match(source):
        return source.rstrip("/") + "/" + extension.file
    return source.rstrip("\\") + "\\" + extension.file


def no_iis_message(facts: dict[str, Any], todo: list[str]) -> str:
    return (f"IIS is not installed on the host ({host_info.os_name(facts)}): the "
            f"{', '.join(EXTENSIONS[n].title for n in todo)} installer needs it. Run winflask.iis.iis_features first")


def plan(facts: dict[str, Any], names: list[str], state: str, check_mode: bool = False) -> list[str]:
    """The extensions to install (in order) or remove (ARR first); [] when the host is already there.

    Without IIS an install is refused, except in check mode, where an earlier task of the same
    run may be the one that would install IIS (the caller warns instead).
    """
    installed = host_info.extensions(facts)
    if state == "present":
        todo = [n for n in names if not installed[n]]
        if todo and not host_info.iis_installed(facts) and not check_mode:
            raise ModuleError(no_iis_message(facts, todo))
        for name in todo:
            for needed in EXTENSIONS[name].requires:
                if not installed[needed] and needed not in names:
                    raise ModuleError(f"{EXTENSIONS[name].title} needs {EXTENSIONS[needed].title} installed "
                                      f"first: add {needed} to name (it is installed before {name})")
        return todo
    todo = [n for n in reversed(ORDER) if n in names and installed[n]]
    for name in todo:
        for other, ext in EXTENSIONS.items():
            if name in ext.requires and installed[other] and other not in names:
                raise ModuleError(f"{ext.title} is installed and needs {EXTENSIONS[name].title}: remove "
                                  f"{other} too (name: [{other}, {name}]) or keep {name}")
    return todo


def package_args(name: str, state: str, args: dict[str, Any]) -> dict[str, Any]:
    """win_package's arguments for one extension. product_id lets it skip the download when present."""
    extension = EXTENSIONS[name]
    module_args: dict[str, Any] = {"product_id": args.get("product_id") or extension.product_id,
                                   "state": state}
    if state == "present":
        module_args["path"] = msi_location(extension, args.get("source"))
        if args.get("checksum"):
            module_args["checksum"] = args["checksum"].upper()
            module_args["checksum_algorithm"] = "sha256"
    return module_args


def status(facts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each extension as the module returns it."""
    installed = host_info.extensions(facts)
    return {name: {"installed": installed[name], "title": EXTENSIONS[name].title,
                   "sections": list(host_info.EXTENSION_MARKS[name]["sections"]),
                   "global_module": host_info.EXTENSION_MARKS[name]["global_module"]}
            for name in ORDER}


def predicted(facts: dict[str, Any], todo: list[str], state: str) -> dict[str, dict[str, Any]]:
    """Status after the plan, without asking the host (check mode)."""
    result = status(facts)
    for name in todo:
        result[name]["installed"] = state == "present"
    return result


def not_registered_message(name: str, facts: dict[str, Any], product_id: str) -> str:
    extension = EXTENSIONS[name]
    marks = host_info.EXTENSION_MARKS[name]
    return (f"{extension.title} (product {product_id}) is installed according to Windows Installer, but "
            f"IIS does not have its sections {marks['sections']} and global module {marks['global_module']} "
            f"registered in applicationHost.config (IIS reinstalled after the MSI?). Repair or reinstall "
            f"the MSI (state=absent, then present)")


def package_failure_message(name: str, state: str, location: str | None, answer: dict[str, Any]) -> str:
    extension = EXTENSIONS[name]
    verb = "installing" if state == "present" else "removing"
    where = f" from {location}" if location else ""
    extra = []
    if answer.get("rc") not in (None, 0):
        extra.append(f"rc={answer['rc']}")
    stderr = str(answer.get("stderr") or "").strip()
    if stderr:
        extra.append(stderr)
    suffix = f" ({'; '.join(extra)})" if extra else ""
    return f"{verb} {extension.title}{where} failed: {answer.get('msg') or 'failed'}{suffix}"
