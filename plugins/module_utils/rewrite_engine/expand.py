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

    variables: dict[str, str]
    maps: Mapping[str, RewriteMap]
    rule: list[str] = field(default_factory=list)
    condition: list[str] = field(default_factory=list)


def expand(text: str, ctx: Context, where: str) -> str:
    return "".join(token if isinstance(token, str) else _reference(token, ctx, where) for token in parse(text or ""))


def _reference(ref: Reference, ctx: Context, where: str) -> str:
    if ref.arg is None:
        # UNCONFIRMED: a server variable the request does not have expands to "" (docs/rewrite-engine.md).
        return ctx.variables.get(ref.name.upper(), "")
    if ref.name in ("r", "c"):
        index = ref.arg.strip()
        if not index.isdigit() or int(index) > 9:
            raise EngineError(f"{where}: {ref.text} is not a back-reference ({{R:N}}/{{C:N}}, N from 0 to 9)")
        values = ctx.rule if ref.name == "r" else ctx.condition
        n = int(index)
        return values[n] if n < len(values) else ""
    argument = expand(ref.arg, ctx, where)
    if ref.name in FUNCTIONS:
        return FUNCTIONS[ref.name](argument)
    rewrite_map = ctx.maps.get(ref.name)
    if rewrite_map is None:
        raise Unsupported(f"{where}: {ref.text} names neither a string function ({', '.join(FUNCTIONS)}) nor a "
                          "rewrite map of the rule set; custom rewrite providers are not emulated")
    return rewrite_map.lookup(argument)
