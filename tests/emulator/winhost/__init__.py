"""winhost: the emulated Windows/IIS host behind the winflask.iis tests (docs/emulator.md)."""

from __future__ import annotations

from .errors import HostError
from .host import Host

__all__ = ["Host", "HostError"]
