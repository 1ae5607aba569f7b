"""The emulated target scripts: one Python function per ``powershell/<name>.ps1`` marker name.

A script function is ``fn(host, request: dict, check_mode: bool) -> dict`` and raises ``HostError``
for the errors the PowerShell script reports as ``{"error": {...}}``. Register one with
``@register_script("name", "read"|"write")`` in any module listed in ``PLUGINS``; the registry is
filled on first use (docs/emulator.md, "Extension points").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .host import Host

ScriptFn = Callable[[Host, dict[str, Any], bool], dict[str, Any]]

# Modules that register scripts. Issue 4/5 helpers: add "winhost.<your module>" here.
PLUGINS = [
    "winhost.config_scripts",
    "winhost.nssm_scripts",
]


@dataclass(frozen=True)
class Script:
    name: str
    kind: str  # "read": declares SupportsShouldProcess, runs in check mode; "write": does not
    fn: ScriptFn


_REGISTRY: dict[str, Script] = {}
SCRIPTS: dict[str, ScriptFn] = {}
_loaded = False


def register_script(name: str, kind: str) -> Callable[[ScriptFn], ScriptFn]:
    if kind not in ("read", "write"):
        raise ValueError(f"script kind must be 'read' or 'write', not {kind!r}")

    def decorator(fn: ScriptFn) -> ScriptFn:
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"script {name!r} is already registered by {_REGISTRY[name].fn.__module__}")
        _REGISTRY[name] = Script(name, kind, fn)
        SCRIPTS[name] = fn
        return fn

    return decorator


def load_plugins() -> None:
    global _loaded
    if not _loaded:
        for module in PLUGINS:
            importlib.import_module(module)
        _loaded = True


def get_script(name: str) -> Script | None:
    load_plugins()
    return _REGISTRY.get(name)


def registered() -> dict[str, Script]:
    load_plugins()
    return dict(_REGISTRY)


load_plugins()  # so that SCRIPTS is complete as soon as winhost.scripts is imported
