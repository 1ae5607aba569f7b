"""The IIS configuration model shared by the modules: addresses, nodes and operations.

The shapes are those of docs/architecture.md section 3 (config_read / config_apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

APPHOST = "MACHINE/WEBROOT/APPHOST"

# The option every config-writing module has (doc fragment winflask.iis.backup): how many backup
# folders of %ProgramData%\winflask\backup config_apply keeps (docs/architecture.md 3.4).
BACKUP_KEEP_DEFAULT = 20
BACKUP_OPTIONS: dict[str, Any] = {"backup_keep": {"type": "int", "default": BACKUP_KEEP_DEFAULT}}


@dataclass(frozen=True)
class Address:
    """Where a section is read or written: WebAdministration's section, PSPath and location."""

    section: str
    pspath: str = APPHOST
    location: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"section": self.section, "pspath": self.pspath, "location": self.location}

    def describe(self) -> str:
        where = self.pspath + (f" (location {self.location!r})" if self.location else "")
        return f"{self.section} at {where}"


def site_address(section: str, site: str | None, application: str | None = None,
                 in_apphost: bool = False) -> Address:
    """Address of ``section`` for the server (site None), a site, or a site application.

    ``in_apphost`` puts a site-level value in applicationHost.config under
    ``<location path="Site/app">`` (what IIS Manager does for locked sections) instead of web.config.
    """
    if not site:
        return Address(section)
    app = (application or "/").strip("/")
    path = f"{site}/{app}" if app else site
    if in_apphost:
        return Address(section, APPHOST, path)
    return Address(section, f"{APPHOST}/{path}", "")


class Node:
    """A config element as read from the target (attributes with values, children, collection items)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def name(self) -> str:
        return self.data.get("name", "")

    @property
    def attributes(self) -> dict[str, dict[str, Any]]:
        return self.data.get("attributes") or {}

    @property
    def locally_stored(self) -> bool:
        return bool(self.data.get("locally_stored", True))

    def value(self, attribute: str) -> Any:
        return (self.attributes.get(attribute) or {}).get("value")

    def is_default(self, attribute: str) -> bool:
        return bool((self.attributes.get(attribute) or {}).get("is_default", False))

    def values(self) -> dict[str, Any]:
        return {name: attr.get("value") for name, attr in self.attributes.items()}

    def child(self, name: str) -> Node:
        return Node((self.data.get("children") or {}).get(name) or {"name": name})

    @property
    def items(self) -> list[Node]:
        return [Node(item) for item in self.data.get("items") or []]

    def find_item(self, **key: Any) -> Node | None:
        for item in self.items:
            if all(_same(item.value(k), v) for k, v in key.items()):
                return item
        return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b


@dataclass
class SectionState:
    address: Address
    file: str
    locked: bool
    element: Node


class ConfigRead:
    """The answer of one config_read call."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.fingerprint: dict[str, Any] = result.get("fingerprint") or {}
        self.sections: list[SectionState] = []
        for entry in result.get("sections") or []:
            address = Address(entry["section"], entry.get("pspath", APPHOST), entry.get("location", ""))
            self.sections.append(SectionState(address, entry.get("file", ""), bool(entry.get("locked")),
                                              Node(entry.get("element") or {})))

    def get(self, address: Address) -> SectionState:
        for state in self.sections:
            if state.address == address:
                return state
        answered = ", ".join(f"{s.address.section} at {s.address.pspath} {s.address.location!r}" for s in self.sections)
        raise ModuleError(f"The host's config_read answer has no section {address.section} at {address.pspath} "
                          f"location {address.location!r} (it answered: {answered or 'nothing'}); this is a "
                          "defect of the target script, please report it")


def read_request(addresses: Iterable[Address]) -> dict[str, Any]:
    return {"reads": [a.as_dict() for a in addresses]}


def backup_keep(value: Any) -> int:
    """The backup_keep option as a number: 0 keeps every backup, N >= 1 the newest N folders."""
    if value is None:
        return BACKUP_KEEP_DEFAULT
    try:
        keep = int(value) if not isinstance(value, (bool, float)) else None
    except (TypeError, ValueError):
        keep = None
    if keep is None or keep < 0:
        raise ModuleError(f"backup_keep must be 0 (keep every backup) or the number of newest backups to "
                          f"keep (1 or more), got {value!r}")
    return keep


def apply_request(fingerprint: dict[str, Any], operations: list[dict[str, Any]],
                  keep: int = BACKUP_KEEP_DEFAULT) -> dict[str, Any]:
    """The config_apply request: the read's fingerprint guards the operations; a backup is always taken."""
    return {"fingerprint": fingerprint, "backup": True, "backup_keep": keep, "operations": operations}


def describe_backups(details: dict[str, Any]) -> str:
    """The sentences a failed config_apply adds to its message: which files may be partly written, and
    where the files as they were before the task are kept."""
    moved = [str(m) for m in details.get("moved") or [] if m]
    backups = [str(b) for b in details.get("backups") or [] if b]
    text = []
    if moved:
        text.append("The commit failed part-way: these files differ from what the task read (IIS may have "
                    "written part of the change, or another program changed them): " + "; ".join(moved) + ".")
    if backups:
        text.append("The configuration files as they were before this task are backed up at: "
                    + "; ".join(backups) + ".")
    return " ".join(text)


PathStep = Any  # str (child element) or {"item": {key: value}}


def op_set(address: Address, path: list[PathStep], attributes: dict[str, Any]) -> dict[str, Any]:
    return {"op": "set", **address.as_dict(), "path": list(path), "attributes": dict(attributes)}


def op_reset(address: Address, path: list[PathStep], attributes: Iterable[str]) -> dict[str, Any]:
    return {"op": "reset", **address.as_dict(), "path": list(path), "attributes": sorted(attributes)}


def op_add(address: Address, path: list[PathStep], element: dict[str, Any],
           index: int | None = None) -> dict[str, Any]:
    return {"op": "add", **address.as_dict(), "path": list(path), "index": index, "element": element}


def op_remove(address: Address, path: list[PathStep], key: dict[str, Any]) -> dict[str, Any]:
    return {"op": "remove", **address.as_dict(), "path": list(path), "key": dict(key)}


def op_clear(address: Address, path: list[PathStep]) -> dict[str, Any]:
    return {"op": "clear", **address.as_dict(), "path": list(path)}


def item_step(**key: Any) -> dict[str, Any]:
    return {"item": dict(key)}


def attribute_changes(node: Node, desired: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The attributes whose desired value (None = not managed) differs from the node's value."""
    changes = {}
    for name, want in desired.items():
        if want is None:
            continue
        have = node.value(name)
        if not values_equal(have, want):
            changes[name] = (have, want)
    return changes


def values_equal(have: Any, want: Any) -> bool:
    """Equal as IIS values: a bool never equals a number (True == 1 in Python)."""
    if isinstance(want, bool) or isinstance(have, bool):
        return isinstance(have, bool) and isinstance(want, bool) and have == want
    return have == want


def timespan_from_seconds(seconds: int) -> str:
    """IIS timeSpan text for a number of seconds: 120 -> '00:02:00', 90000 -> '1.01:00:00'."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}.{text}" if days else text


def timespan_to_seconds(text: str) -> int:
    """Seconds in an IIS timeSpan text ('[d.]hh:mm:ss[.fffffff]'), fractions dropped."""
    days = 0
    value = text.strip()
    if "." in value.split(":")[0]:
        day_text, value = value.split(".", 1)
        days = int(day_text)
    hours, minutes, seconds = value.split(":")
    return days * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(float(seconds))
