"""Logic of the stand-in ansible.windows.win_find (emulated host), the part the docs' log pruning uses.

What it copies (ansible.windows win_find documentation, docs.ansible.com/ansible/latest/collections/
ansible/windows/win_find_module.html): ``paths`` (folders searched, a missing one is a warning, not a
failure), ``patterns`` (PowerShell wildcards, matched case-insensitively against the file name, or
.NET regular expressions with ``use_regex``), ``age`` (``<n>[s|m|h|d|w]``: at least that old; negative: at
most that old) against ``age_stamp`` (mtime by default), ``file_type`` file/directory, ``recurse``.
Returns ``files`` (path, filename, isdir, size, lastwritetime as epoch seconds), ``matched``, ``examined``.
Not emulated: hidden files, checksums, sizes as a filter, symbolic links.
"""

from __future__ import annotations

import fnmatch
import ntpath
import re
import time
from typing import Any

from .host import Host
from .modules import ModuleFailure
from .paths import expand

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def age_seconds(text: str) -> int:
    match = re.fullmatch(r"(-?\d+)([smhdw]?)", str(text).strip().lower())
    if not match:
        raise ModuleFailure(f"failed to parse age: '{text}'")
    return int(match.group(1)) * UNITS[match.group(2) or "s"]


def _matches(name: str, patterns: list[str], use_regex: bool) -> bool:
    if not patterns:
        return True
    if use_regex:
        return any(re.search(p, name, re.I) for p in patterns)
    return any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns)


def win_find(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    age = age_seconds(params["age"]) if params.get("age") not in (None, "") else None
    want_dir = params.get("file_type") == "directory"
    now = time.time()
    files: list[dict[str, Any]] = []
    examined = 0
    warnings: list[str] = []
    for folder in (expand(str(p)) for p in params["paths"]):
        local = host.local_path(folder)
        if not local.is_dir():
            warnings.append(f"Argument path '{folder}' does not exist, skipping")
            continue
        entries = sorted(local.rglob("*") if params.get("recurse") else local.iterdir())
        for entry in entries:
            examined += 1
            if entry.is_dir() != want_dir or not _matches(entry.name, params.get("patterns") or [],
                                                          bool(params.get("use_regex"))):
                continue
            mtime = entry.stat().st_mtime
            if age is not None and ((age >= 0 and now - mtime < age) or (age < 0 and now - mtime > -age)):
                continue
            relative = entry.relative_to(local).as_posix().replace("/", "\\")
            files.append({"path": ntpath.join(folder, relative), "filename": entry.name, "isdir": entry.is_dir(),
                          "exists": True, "size": 0 if entry.is_dir() else entry.stat().st_size,
                          "lastwritetime": mtime})
    result: dict[str, Any] = {"changed": False, "files": files, "matched": len(files), "examined": examined}
    if warnings:
        result["warnings"] = warnings
    return result
