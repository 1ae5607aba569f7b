"""The engine's errors: bad input, and features it does not emulate (never guessed)."""

from __future__ import annotations


class EngineError(ValueError):
    """The rule set or the request cannot be evaluated; the message names the part and the value."""


class Unsupported(EngineError):
    """The rule set uses a URL Rewrite feature the engine does not emulate (a custom provider, ...)."""
