"""winhost: the emulated Windows/IIS host behind the winflask.iis tests (docs/emulator.md)."""

from __future__ import annotations

from .errors import HostError
from .host import Host
from . import python as _python  # noqa: F401  (its create hook: every new host gets Python, docs/emulator.md)

__all__ = ["Host", "HostError"]
