"""winflask.iis.rewrite_map and rewrite_map_info: argument specs and the rewrite map model.

A rewrite map (``system.webServer/rewrite/rewriteMaps``, collection ``rewriteMap``) has a ``name``
(unique, case-insensitive), ``defaultValue`` (schema default ``""``), ``ignoreCase`` (default true) and a
collection of ``add`` entries whose ``key`` is unique and case-sensitive (``caseSensitive="true"`` in the
URL Rewrite schema; shared/research/iis-facts.md 1.5). Maps can be defined at every configuration level
but the file level (Microsoft, "Creating Rewrite Maps"): applicationHost.config for the server, the
site's or application's web.config below it. docs/rewrite.md, "Rewrite maps", explains the options.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS, SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.config import BACKUP_OPTIONS, Node
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.named import (
    SCOPE_OPTIONS, item_name, same_name_twice)
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

MODES = ("exact", "merge", "remove")

SPEC = ModuleSpec(
    argument_spec={
        **SCOPE_OPTIONS, **BACKUP_OPTIONS,
        "name": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "default_value": {"type": "str"},
        "ignore_case": {"type": "bool"},
        "entries": {"type": "raw"},
        "entries_mode": {"type": "str", "choices": list(MODES), "default": "exact"},
    },
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, **BACKUP_KINDS},
)


DEFAULT_VALUE = ""
DEFAULT_IGNORE_CASE = True


def _text(value: Any, option: str) -> str:
    """An entry's key or value as text: numbers as written in YAML (1 -> '1'); no booleans, lists or dicts."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float):
        return str(value)
    raise ModuleError(f"{option} must be a string, got {value!r}")


def entry_list(value: Any, mode: str = "exact") -> list[dict[str, str]] | None:
    """The ``entries`` option as ``[{key, value}]`` in the given order (None: not given).

    A dictionary ``{key: value}`` or a list of ``{key, value}`` (what rewrite_map_info returns). With
    ``entries_mode=remove`` a list may hold bare keys and a value may be left out."""
    if value is None:
        return None
    entries: list[dict[str, str]] = []
    if isinstance(value, dict):
        for key, text in value.items():
            entries.append({"key": _text(key, f"entries key {key!r}"),
                            "value": "" if text is None else _text(text, f"entries.{key}")})
    elif isinstance(value, list):
        for n, item in enumerate(value):
            where = f"entries[{n}]"
            if mode == "remove" and isinstance(item, str):
                entries.append({"key": item, "value": ""})
                continue
            if not isinstance(item, dict):
                raise ModuleError(f"{where} must be a dictionary with key and value, got {item!r}")
            unknown = sorted(set(item) - {"key", "value"})
            if unknown:
                raise ModuleError(f"{where}.{unknown[0]} is not an option of a rewrite map entry (key, value), "
                                  f"got {item[unknown[0]]!r}")
            if "key" not in item or item["key"] is None:
                raise ModuleError(f"{where}.key is required (the text looked up, {{MapName:key}})")
            text = item.get("value")
            if text is None and mode != "remove":
                raise ModuleError(f"{where}.value is required (the text a lookup of key {item['key']!r} returns)")
            entries.append({"key": _text(item["key"], f"{where}.key"),
                            "value": "" if text is None else _text(text, f"{where}.value")})
    else:
        raise ModuleError("entries must be a dictionary (key: value) or a list of dictionaries with key and value, "
                          f"got {value!r}")
    # <add key> is a unique, case-sensitive key: 'A' and 'a' are two entries, 'a' twice is refused by IIS.
    same_name_twice([e["key"] for e in entries], "entries", case_sensitive=True)
    return entries


def map_from_node(node: Node) -> dict[str, Any]:
    """A rewriteMap element as read -> module shape (what rewrite_map accepts unchanged)."""
    ignore_case = node.value("ignoreCase")
    return {
        "name": str(node.value("name")),
        # no value and "" are the same map (a real host may report either: docs/powershell.md)
        "default_value": str(node.value("defaultValue") or ""),
        "ignore_case": DEFAULT_IGNORE_CASE if ignore_case is None else bool(ignore_case),
        "entries": [{"key": str(e.value("key") if e.value("key") is not None else ""),
                     "value": str(e.value("value") or "")} for e in node.items],
    }


def _same_entries(a: list[dict[str, str]], b: list[dict[str, str]]) -> bool:
    """A map is a lookup table: the same entries in another order are the same map."""
    return sorted((e["key"], e["value"]) for e in a) == sorted((e["key"], e["value"]) for e in b)


def desired_map(args: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The map the task wants, from its options and the map as read (None: not there yet).

    ``default_value``/``ignore_case`` not given keep the current value (schema default for a new map);
    ``entries`` not given keep the current entries. ``entries_mode``: ``exact`` (the entries are the whole
    map), ``merge`` (add or change the given keys, keep the others), ``remove`` (remove the given keys)."""
    name = item_name(args["name"])
    mode = args.get("entries_mode") or "exact"
    given = entry_list(args.get("entries"), mode)
    have = list(current["entries"]) if current else []
    if given is None:
        entries = have
    elif mode == "exact":
        entries = have if _same_entries(have, given) else given
    elif mode == "merge":
        wanted = {e["key"]: e["value"] for e in given}
        entries = [{"key": e["key"], "value": wanted.pop(e["key"], e["value"])} for e in have]
        entries += [{"key": k, "value": v} for k, v in wanted.items()]
    else:
        gone = {e["key"] for e in given}
        entries = [e for e in have if e["key"] not in gone]
    default_value = args.get("default_value")
    ignore_case = args.get("ignore_case")
    return {
        "name": current["name"] if current else name,
        "default_value": (current["default_value"] if current else DEFAULT_VALUE) if default_value is None
        else default_value,
        "ignore_case": (current["ignore_case"] if current else DEFAULT_IGNORE_CASE) if ignore_case is None
        else bool(ignore_case),
        "entries": entries,
    }


def map_element(rewrite_map: dict[str, Any]) -> dict[str, Any]:
    """The ``add`` element spec of a map: non-default attributes, every entry with key and value."""
    attributes: dict[str, Any] = {"name": rewrite_map["name"]}
    if rewrite_map["default_value"] != DEFAULT_VALUE:
        attributes["defaultValue"] = rewrite_map["default_value"]
    if rewrite_map["ignore_case"] is not DEFAULT_IGNORE_CASE:
        attributes["ignoreCase"] = rewrite_map["ignore_case"]
    items = [{"name": "add", "attributes": {"key": e["key"], "value": e["value"]}} for e in rewrite_map["entries"]]
    return {"name": "rewriteMap", "attributes": attributes, "children": {}, "items": items}
