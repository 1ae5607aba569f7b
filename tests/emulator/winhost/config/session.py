"""One config_apply's addresses and effective views, kept between its operations.

Rebuilding the effective section for every operation made an apply of n collection adds cost n
merges of up to n items (1000 rewrite rules: minutes). A ``Session`` resolves each address once and
keeps its view (``Address.view()``); after every operation it drops the views the operation may have
changed, unless the operation updated its own view in place (apply.py: op_add, op_remove). What a
view shows is always what ``Address.effective()`` would build from the XML at that moment.
"""

from __future__ import annotations

from .address import Address, resolve
from .xmlfiles import ConfigFiles, locations

# Sections whose content decides how other addresses resolve (sites, applications, virtual folders).
RESOLVING_SECTIONS = "system.applicationHost/"


class Session:
    def __init__(self, files: ConfigFiles) -> None:
        self.files = files
        self._addresses: dict[tuple[str, str, str, tuple[int, ...]], Address] = {}
        self._by_section: dict[str, list[Address]] = {}  # every address handed out, for invalidation

    def resolve(self, section: str, pspath: str, location: str) -> Address:
        """``address.resolve``, reused while the apphost's <location> tags and sites stay as they were."""
        if not all(isinstance(v, str) for v in (section, pspath, location)):
            return resolve(self.files, section, pspath, location)  # let resolve() fail as it always did
        root = self.files.apphost().root
        assert root is not None
        # Operations only ever add <location> tags; a new one can add a level to an address.
        key = (section, pspath, location, tuple(id(tag) for tag in locations(root)))
        address = self._addresses.get(key)
        if address is None:
            address = resolve(self.files, section, pspath, location)
            self._addresses[key] = address
            self._by_section.setdefault(address.section, []).append(address)
        return address

    def addresses(self) -> list[Address]:
        """Every address this session has handed out (with or without a cached view)."""
        return [a for same in self._by_section.values() for a in same]

    def operation_done(self, address: Address, view_updated: bool) -> None:
        """Forget what the operation at ``address`` may have made stale."""
        if address.section.startswith(RESOLVING_SECTIONS):
            self._addresses.clear()  # a site or application may have come or gone: resolve again
        target = address.target.file
        for other in self._by_section.get(address.section, []):
            if other is address and view_updated:
                continue
            if any(level.file is target for level in other.levels):
                other.cached_view = None
