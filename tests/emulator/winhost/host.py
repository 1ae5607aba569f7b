"""An emulated Windows host rooted at a folder (docs/architecture.md 4, docs/emulator.md).

``<root>/<drive>/...`` holds the files, ``state.json`` the non-file state (a plain dict other parts
extend: os, features, products, services, registry), ``calls.jsonl`` one line per module call.

Several ansible-playbook runs may drive one host at once (tests/integration/test_concurrency.py), so
every file is written whole: the new content goes to a temporary file with a unique name next to the
target, which then replaces the target with one rename (a reader sees the old file or the new one,
never a part). ``Host.lock()`` serialises writers across processes (``fcntl.flock`` on
``<root>/.lock``; Linux-only test code) and is re-entrant within a process; ``update_state`` and
config_apply hold it for their whole read-modify-write.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import paths
from .profiles import profile as get_profile

ENV_ROOT = "WINFLASK_EMULATOR_ROOT"
CALL_KINDS = ("read", "write", "skipped")

# Run at the end of Host.create(host, bare); other emulator parts (features, services) append here.
CREATE_HOOKS: list[Callable[[Host, bool], None]] = []

LOCK_FILE = ".lock"


class _RootLock:
    """One per host root and process: a thread lock plus the flock'ed file while held."""

    def __init__(self) -> None:
        self.guard = threading.RLock()
        self.depth = 0
        self.handle: Any = None


_LOCKS_GUARD = threading.Lock()
_LOCKS: dict[str, _RootLock] = {}


def _root_lock(root: Path) -> _RootLock:
    key = str(root.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, _RootLock())


def temp_name(target: Path) -> Path:
    """A temporary file next to ``target``, unique across processes and threads."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp")


def write_whole(targets: list[tuple[Path, bytes]]) -> None:
    """Write every file whole: all new contents to temporary files first, then one rename each.

    A failure (a killed process, a full disk) while the temporary files are written leaves every
    target as it was; the temporary files are removed. A crash between two renames can still leave
    the first file new and the second old (docs/emulator.md, "Config writes").
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_name(target)
            staged.append((tmp, target))
            tmp.write_bytes(data)
    except BaseException:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


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
        (host.root / LOCK_FILE).touch()
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
        data = (json.dumps(state, indent=2, sort_keys=True) + "\n").encode("utf-8")
        write_whole([(self.state_file, data)])

    def update_state(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        with self.lock():  # read-modify-write: no other writer in between
            state = self.load_state()
            change(state)
            self.save_state(state)
        return state

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The host's writer lock: exclusive across processes and threads, re-entrant in a thread."""
        held = _root_lock(self.root)
        with held.guard:
            if held.depth == 0:
                held.handle = (self.root / LOCK_FILE).open("a")
                fcntl.flock(held.handle, fcntl.LOCK_EX)
            held.depth += 1
            try:
                yield
            finally:
                held.depth -= 1
                if held.depth == 0:
                    fcntl.flock(held.handle, fcntl.LOCK_UN)
                    held.handle.close()
                    held.handle = None

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
        """Write one file whole (temporary file + rename)."""
        self.write_files([(win_path, data)])

    def write_files(self, files: list[tuple[str, bytes]]) -> None:
        """Write several files, each whole; none changes unless all new contents could be written."""
        write_whole([(self.local_path(win_path), data) for win_path, data in files])

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
