"""An emulated Windows host rooted at a folder (docs/architecture.md 4, docs/emulator.md).

``<root>/<drive>/...`` holds the files, ``state.json`` the non-file state (a plain dict other parts
extend: os, features, products, services, registry), ``calls.jsonl`` one line per module call.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import paths
from .profiles import profile as get_profile

ENV_ROOT = "WINFLASK_EMULATOR_ROOT"
CALL_KINDS = ("read", "write", "skipped")

# Run at the end of Host.create(host, bare); other emulator parts (features, services) append here.
CREATE_HOOKS: list[Callable[[Host, bool], None]] = []


class Host:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # ---- creation -------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | os.PathLike[str], profile: str = "server2022", bare: bool = False,
               force: bool = False) -> Host:
        """Lay out a new host. Default: IIS with Default Web Site, URL Rewrite and ARR installed."""
        prof = get_profile(profile)
        host = cls(root)
        if host.root.exists() and any(host.root.iterdir()):
            if not force:
                raise FileExistsError(f"{host.root} is not empty (use force)")
            if not (host.root / "state.json").exists():
                raise FileExistsError(f"{host.root} is not an emulated host; refusing to delete it")
            shutil.rmtree(host.root)
        for win in ("C:\\Windows\\System32", "C:\\ProgramData", "C:\\Program Files", "C:\\Users\\Public",
                    "C:\\Windows\\Temp"):
            host.local_path(win).mkdir(parents=True, exist_ok=True)
        host.save_state({
            "profile": profile,
            "os": dict(prof["os"]),
            "powershell_version": prof["powershell_version"],
            "features": {},
            "products": {},
            "services": {},
            "registry": {},
        })
        (host.root / "calls.jsonl").touch()
        if not bare:
            from .iis import install_arr, install_iis, install_url_rewrite

            install_iis(host)
            install_url_rewrite(host)
            install_arr(host)
        for hook in CREATE_HOOKS:
            hook(host, bare)
        return host

    @classmethod
    def from_env(cls) -> Host:
        root = os.environ.get(ENV_ROOT)
        if not root:
            raise RuntimeError(f"{ENV_ROOT} is not set: it must name the emulated host folder "
                               "(python -m winhost create --root DIR)")
        host = cls(root)
        if not (host.root / "state.json").exists():
            raise RuntimeError(f"{ENV_ROOT}={root} is not an emulated host (no state.json)")
        return host

    # ---- state ----------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    def load_state(self) -> dict[str, Any]:
        return json.loads(self.state_file.read_text(encoding="utf-8"))

    def save_state(self, state: dict[str, Any]) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(self.state_file)

    def update_state(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        state = self.load_state()
        change(state)
        self.save_state(state)
        return state

    # ---- files ----------------------------------------------------------------------------
    def local_path(self, win_path: str) -> Path:
        """Map a Windows path to the local file; existing entries are matched case-insensitively."""
        drive, parts = paths.split(win_path)
        current = self.root / drive
        for part in parts:
            candidate = current / part
            if not candidate.exists() and current.is_dir():
                lower = part.lower()
                for entry in current.iterdir():
                    if entry.name.lower() == lower:
                        candidate = entry
                        break
            current = candidate
        return current

    def win_path(self, local: str | os.PathLike[str]) -> str:
        rel = Path(local).resolve().relative_to(self.root.resolve())
        drive, *rest = rel.parts
        return f"{drive}:\\" + "\\".join(rest)

    def exists(self, win_path: str) -> bool:
        return self.local_path(win_path).exists()

    def read_bytes(self, win_path: str) -> bytes | None:
        local = self.local_path(win_path)
        return local.read_bytes() if local.is_file() else None

    def write_bytes(self, win_path: str, data: bytes) -> None:
        local = self.local_path(win_path)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)

    def sha256(self, win_path: str) -> str | None:
        data = self.read_bytes(win_path)
        return None if data is None else hashlib.sha256(data).hexdigest()

    # ---- IIS ------------------------------------------------------------------------------
    @property
    def iis_installed(self) -> bool:
        return self.local_path(paths.APPHOST_CONFIG).is_file()

    # ---- call log -------------------------------------------------------------------------
    @property
    def calls_file(self) -> Path:
        return self.root / "calls.jsonl"

    def log_call(self, module: str, script: str | None = None, request: Any = None, check_mode: bool = False,
                 kind: str = "write", changed: bool = False, failed: bool = False, **extra: Any) -> None:
        if kind not in CALL_KINDS:
            raise ValueError(f"call kind must be one of {CALL_KINDS}, not {kind!r}")
        entry = {"module": module, "script": script, "request": request, "check_mode": check_mode,
                 "kind": kind, "changed": changed, "failed": failed, "time": time.time(), **extra}
        with self.calls_file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True, default=str) + "\n")

    def calls(self) -> list[dict[str, Any]]:
        if not self.calls_file.exists():
            return []
        with self.calls_file.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
