"""The one exception the emulated host raises: a target-side error with an architecture.md 3.6 code."""

from __future__ import annotations

from typing import Any


class HostError(Exception):
    """An error the real PowerShell script would report as ``{"error": {"code", "message", ...}}``."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


# The text IIS shows for HRESULT 0x80070021 (HTTP 500.19) - docs/architecture.md 3.6.
LOCKED_MESSAGE = (
    "This configuration section cannot be used at this path. This happens when the section is locked at a "
    "parent level. Locking is either by default (overrideModeDefault=\"Deny\"), or set explicitly by a "
    "location tag with overrideMode=\"Deny\" or the legacy allowOverride=\"false\"."
)
LOCKED_HRESULT = "0x80070021"
