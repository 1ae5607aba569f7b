"""Expansion of URL Rewrite strings: back-references, server variables, rewrite maps, functions.

Sources: "URL Rewrite Module Configuration Reference" — "Using back-references in rewrite rules"
({R:N} and {C:N}, N 0-9), "Using server variables in rewrite rules" ({VARIABLE_NAME}), "String
functions" (ToLower, UrlEncode, UrlDecode), "Rewrite maps" ({MapName:key}, the map's defaultValue for a
missing key, an empty string by default). EscapeDataString came with URL Rewrite 2.1 (docs/rewrite-engine.md).
The text is split by ``rewrite/proxy_guard.parse`` (the same reading the open-proxy guard uses).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.proxy_guard import Reference, parse
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported


def _url_encode(text: str) -> str:
    # UNCONFIRMED (docs/rewrite-engine.md): IIS's exact UrlEncode alphabet; RFC 3986 percent-encoding here.
    return quote(text, safe="")


def _escape_data_string(text: str) -> str:
    # .NET Uri.EscapeDataString: everything but RFC 3986 unreserved characters, as UTF-8 %XX (upper case).
    return quote(text, safe="-._~")


FUNCTIONS: dict[str, Callable[[str], str]] = {
    "tolower": str.lower,
    "urlencode": _url_encode,
    "urldecode": unquote,
    "escapedatastring": _escape_data_string,
}


@dataclass(frozen=True)
class RewriteMap:
    """A rewrite map in the shape of rewrite/maps.py's ``map_from_node`` (name, default_value, ignore_case,
    entries [{key, value}])."""

    name: str
    default_value: str = ""
    ignore_case: bool = True
    entries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_model(cls, given: Mapping[str, Any], where: str) -> RewriteMap:
        if not isinstance(given, Mapping) or not isinstance(given.get("name"), str) or not given["name"]:
            raise EngineError(f"{where} must be a rewrite map with a name, got {given!r}")
        entries: dict[str, str] = {}
        raw = given.get("entries") or []
        items = raw.items() if isinstance(raw, Mapping) else [(e.get("key"), e.get("value")) for e in raw]
        ignore_case = given.get("ignore_case")
        ignore_case = True if ignore_case is None else bool(ignore_case)
        for key, value in items:
            entries.setdefault(str(key).lower() if ignore_case else str(key), "" if value is None else str(value))
        default = given.get("default_value")
        return cls(given["name"], "" if default is None else str(default), ignore_case, entries)

    def lookup(self, key: str) -> str:
        return self.entries.get(key.lower() if self.ignore_case else key, self.default_value)


@dataclass
class Context:
    """What a string is expanded with: the back-references and server variables as they stand."""

    variables: Mapping[str, str]
    maps: Mapping[str, RewriteMap]
    rule: list[str] = field(default_factory=list)
    condition: list[str] = field(default_factory=list)


Part = Callable[[Context], str]


class Template:
    """A URL Rewrite string parsed once (when the rule set is built) and expanded per request.

    ``needs_variables`` is true when expanding it reads a server variable ({NAME}, also inside a map key or a
    function argument); back-references and literal text do not. A malformed back-reference and an unknown
    provider fail when the string is expanded (as before: a rule that never matches never fails)."""

    __slots__ = ("text", "where", "parts", "needs_variables", "constant")

    def __init__(self, text: str | None, where: str) -> None:
        self.text = text or ""
        self.where = where
        self.needs_variables = False
        self.parts: tuple[str | Part, ...] = tuple(self._part(token) for token in parse(self.text))
        self.constant: str | None = self.text if all(isinstance(p, str) for p in self.parts) else None

    def render(self, ctx: Context) -> str:
        if self.constant is not None:
            return self.constant
        return "".join(part if isinstance(part, str) else part(ctx) for part in self.parts)

    def _part(self, token: str | Reference) -> str | Part:
        if isinstance(token, str):
            return token
        if token.arg is None:
            self.needs_variables = True
            name = token.name.upper()
            # UNCONFIRMED: a server variable the request does not have expands to "" (docs/rewrite-engine.md).
            return lambda ctx: ctx.variables.get(name, "")
        if token.name in ("r", "c"):
            return self._back_reference(token)
        inner = Template(token.arg, self.where)
        self.needs_variables = self.needs_variables or inner.needs_variables
        if token.name in FUNCTIONS:
            function = FUNCTIONS[token.name]
            return lambda ctx: function(inner.render(ctx))
        return self._map_lookup(token, inner)

    def _back_reference(self, token: Reference) -> Part:
        index = (token.arg or "").strip()
        if not index.isdigit() or int(index) > 9:
            message = f"{self.where}: {token.text} is not a back-reference ({{R:N}}/{{C:N}}, N from 0 to 9)"

            def fail(ctx: Context) -> str:
                raise EngineError(message)
            return fail
        n = int(index)
        if token.name == "r":
            return lambda ctx: ctx.rule[n] if n < len(ctx.rule) else ""
        return lambda ctx: ctx.condition[n] if n < len(ctx.condition) else ""

    def _map_lookup(self, token: Reference, inner: Template) -> Part:
        name, message = token.name, (
            f"{self.where}: {token.text} names neither a string function ({', '.join(FUNCTIONS)}) nor a "
            "rewrite map of the rule set; custom rewrite providers are not emulated")

        def lookup(ctx: Context) -> str:
            argument = inner.render(ctx)  # the key is expanded first, as before
            rewrite_map = ctx.maps.get(name)
            if rewrite_map is None:
                raise Unsupported(message)
            return rewrite_map.lookup(argument)
        return lookup


def expand(text: str, ctx: Context, where: str) -> str:
    """Expand ``text`` once (a rule set keeps a ``Template`` per string instead)."""
    return Template(text, where).render(ctx)
