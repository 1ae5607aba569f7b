"""Windows paths on the emulated host: environment expansion and splitting.

A Windows path ``C:\\inetpub\\wwwroot`` lives at ``<root>/C/inetpub/wwwroot`` (docs/architecture.md 4).
"""

from __future__ import annotations

import re

ENVIRONMENT = {
    "SYSTEMDRIVE": "C:",
    "SYSTEMROOT": "C:\\Windows",
    "WINDIR": "C:\\Windows",
    "PROGRAMFILES": "C:\\Program Files",
    "PROGRAMFILES(X86)": "C:\\Program Files (x86)",
    "PROGRAMDATA": "C:\\ProgramData",
    "ALLUSERSPROFILE": "C:\\ProgramData",
    "PUBLIC": "C:\\Users\\Public",
    "TEMP": "C:\\Windows\\Temp",
    "TMP": "C:\\Windows\\Temp",
    "COMPUTERNAME": "WINHOST",
}

APPHOST_CONFIG = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"
CONFIG_DIR = "C:\\Windows\\System32\\inetsrv\\config"
SCHEMA_DIR = "C:\\Windows\\System32\\inetsrv\\config\\schema"
INETSRV = "C:\\Windows\\System32\\inetsrv"
BACKUP_DIR = "C:\\ProgramData\\winflask\\backup"

_VAR = re.compile(r"%([^%]+)%")
_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")
_UNC = re.compile(r"^[\\/]{2}([^\\/?.][^\\/]*)[\\/]+([^\\/]+)[\\/]*(.*)$")


def expand(path: str) -> str:
    """Expand %VAR% like ExpandEnvironmentStrings (unknown variables are left as they are)."""
    return _VAR.sub(lambda m: ENVIRONMENT.get(m.group(1).upper(), m.group(0)), path)


def split(path: str) -> tuple[str, list[str]]:
    """``C:\\a\\b`` -> ("C", ["a", "b"]); '.' and '..' resolved. Raises ValueError for relative paths."""
    full = expand(path)
    unc = _UNC.match(full)
    if unc:  # \\server\share\a -> ("UNC", ["server", "share", "a"]): a share lives at <root>/UNC/server/share
        rest = split("C:\\" + unc.group(3))[1]
        return "UNC", [unc.group(1).lower(), unc.group(2).lower(), *rest]
    match = _DRIVE.match(full)
    if not match:
        raise ValueError(f"not an absolute Windows path: {path!r}")
    parts: list[str] = []
    for part in re.split(r"[\\/]+", full[2:]):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return match.group(1).upper(), parts


def join(*parts: str) -> str:
    return "\\".join(p.strip("\\/") if i else p.rstrip("\\/") for i, p in enumerate(parts) if p)


def normalize(path: str) -> str:
    drive, parts = split(path)
    if drive == "UNC":
        return "\\\\" + "\\".join(parts)
    return f"{drive}:\\" + "\\".join(parts)
