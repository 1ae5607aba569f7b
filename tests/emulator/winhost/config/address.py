"""Addresses (section, pspath, location) resolved to config files, layers and lock state.

docs/architecture.md 3.1. Layers run from the top: applicationHost.config root, then its
``<location>`` tags for the path and its parents (shallow first), then - for a site pspath - the
web.config of every URL level from the site root down to the addressed one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..errors import LOCKED_HRESULT, LOCKED_MESSAGE, HostError
from ..paths import SCHEMA_DIR, join
from .merge import LayerElements, Node, build
from .schema import ElementSchema, load_schema_dir
from .sites import Site, find_site, read_sites
from .xmlfiles import (ConfigFile, ConfigFiles, SectionDecl, declarations, ensure_section, find_section, location_path,
                       locations)

APPHOST = "MACHINE/WEBROOT/APPHOST"
APPHOST_ONLY = {"AppHostOnly", "MachineOnly", "MachineToWebRoot"}


def _segments(path: str) -> list[str]:
    return [p.lower() for p in path.split("/") if p]


def is_ancestor_or_self(parent: str, child: str) -> bool:
    up, down = _segments(parent), _segments(child)
    return down[: len(up)] == up


@dataclass
class Level:
    """One layer source: a file plus, in applicationHost.config, the location path ("" = root).

    In a web.config, ``rel`` names a ``<location path="sub">`` of that file (None: the file's own level,
    its root plus ``<location path=".">``). ``crosses_application``: an application root lies below the
    level's config path, down to the addressed one; location tags with ``inheritInChildApplications="false"``
    then do not apply (docs/emulator.md "Locations").
    """
    file: ConfigFile
    config_path: str
    location: str | None  # None: the file's root level (web.config, or applicationHost root)
    local: bool
    url: str = "/"
    rel: str | None = None
    crosses_application: bool = False
    file_depth: int = 0  # 0: applicationHost.config, n: web.config of a config path with n segments

    def containers(self) -> list[ET.Element]:
        root = self.file.root
        if root is None:
            return []
        if self.rel is not None:
            tags = [loc for loc in locations(root) if location_path(loc).lower() == self.rel.lower()]
        elif self.location is None:
            return [root, *[loc for loc in locations(root) if location_path(loc) == "" and self.inherits(loc)]]
        else:
            tags = [loc for loc in locations(root) if location_path(loc).lower() == self.location.lower()]
        return [loc for loc in tags if self.inherits(loc)]

    def inherits(self, tag: ET.Element) -> bool:
        """Whether a location tag's settings reach the addressed path from this level."""
        return not self.crosses_application or tag.get("inheritInChildApplications", "true").lower() != "false"

    def sort_key(self) -> tuple[int, int]:
        """Merge order: by config path depth, then the parent file first (applicationHost.config, then
        web.config files from the site root down), so a file's own level follows its parents' locations."""
        return len(_segments(self.config_path)), self.file_depth


@dataclass
class Address:
    section: str
    pspath: str
    location: str
    decl: SectionDecl
    schema: ElementSchema
    levels: list[Level] = field(default_factory=list)
    in_apphost: bool = True
    config_path: str = ""
    site: Site | None = None
    url: str = "/"
    cached_view: Node | None = field(default=None, repr=False, compare=False)  # see view()
    store: ConfigFiles | None = field(default=None, repr=False, compare=False)  # resolves configSource

    @property
    def target(self) -> Level:
        return self.levels[-1]

    @property
    def target_file(self) -> str:
        return self.write_file().win_path

    def files(self) -> list[str]:
        """Every file a read consults: each level's file and the configSource files its sections name."""
        seen: list[str] = []
        for level in self.levels:
            for path in [level.file.win_path, *(f.win_path for f, _e in self.stored(level))]:
                if path not in seen:
                    seen.append(path)
        return seen

    def stored(self, level: Level) -> list[tuple[ConfigFile, ET.Element]]:
        """The section's elements at a level, each with the file that holds it (configSource followed)."""
        found = [e for c in level.containers() if (e := find_section(c, self.section)) is not None]
        if self.store is None:
            return [(level.file, e) for e in found]
        return [self.store.stored(level.file, e, self.section) for e in found]

    def write_file(self) -> ConfigFile:
        """The file a write at this address changes: the target level's, or the configSource file it names."""
        return next((f for f, _e in self.stored(self.target) if f is not self.target.file), self.target.file)

    def local_section(self, create: bool) -> ET.Element | None:
        """The section element stored at the target level (configSource followed); created when ``create``."""
        for file, elem in self.stored(self.target):
            if file is not self.target.file:
                file.touched = file.touched or create
                return elem
        if create:
            return ensure_section(self.write_container(), self.section)
        return next((e for _f, e in self.stored(self.target)), None)

    def lock_reason(self) -> str | None:
        """Why a write at this address would be refused (None: it would not)."""
        if self.decl.allow_definition in ("MachineOnly", "MachineToWebRoot"):
            return f"allowDefinition={self.decl.allow_definition}"  # as powershell/config_read.ps1 decides
        if self.in_apphost:
            if self.config_path == "":
                return None
            if self.decl.allow_definition in APPHOST_ONLY:
                return f"allowDefinition={self.decl.allow_definition}"
            return None if self.decl.allow_location else "allowLocation=false"
        return web_config_lock(self.decl, self.levels[0].file.root, self.config_path, self.site, self.url)

    def effective(self) -> Node:
        layers = []
        for level in self.levels:
            stored = self.stored(level)
            if stored:
                self._check_allowed(level)
            file = stored[-1][0] if stored else level.file
            layers.append(LayerElements([e for _f, e in stored], level.local, file.win_path))
        return build(self.schema, self.section.rsplit("/", 1)[-1], layers)

    def view(self) -> Node:
        """``effective()``, kept between the operations of one config_apply (apply.py keeps it in step
        with the XML: updated in place by an operation, or dropped when an operation touched the section)."""
        if self.cached_view is None:
            self.cached_view = self.effective()
        return self.cached_view

    def _check_allowed(self, level: Level) -> None:
        reason = None
        if level.file is self.levels[0].file:  # applicationHost.config: only AppHostOnly limits it
            if level.location and self.decl.allow_definition in APPHOST_ONLY:
                reason = f"allowDefinition={self.decl.allow_definition}"
        else:
            reason = web_config_lock(self.decl, self.levels[0].file.root, level.config_path, self.site, level.url)
        if reason:
            # MWA throws 0x80070021 for the file; powershell/config_read.ps1 reports it as SectionLocked.
            raise HostError("SectionLocked", LOCKED_MESSAGE, file=level.file.win_path, hresult=LOCKED_HRESULT,
                            section=self.section, reason=reason)

    def write_container(self) -> ET.Element:
        """The element under which a write at this address goes (created if needed)."""
        level = self.target
        root = level.file.writable_root()
        if level.location is None:
            for container in level.containers():
                if find_section(container, self.section) is not None:
                    return container
            return root
        candidates = level.containers()
        for container in candidates:
            if find_section(container, self.section) is not None:
                return container
        for container in candidates:
            if container.get("overrideMode") is None and container.get("allowOverride") is None:
                return container
        return ET.SubElement(root, "location", {"path": level.location})


def web_config_lock(decl: SectionDecl, apphost_root: ET.Element | None, config_path: str, site: Site | None,
                    url: str) -> str | None:
    if decl.allow_definition in APPHOST_ONLY:
        return f"allowDefinition={decl.allow_definition}"
    if decl.allow_definition == "MachineToApplication" and site is not None and not site.is_application(url):
        return "allowDefinition=MachineToApplication"
    mode = decl.override_mode_default
    if apphost_root is not None:
        tags = [loc for loc in locations(apphost_root) if is_ancestor_or_self(location_path(loc), config_path)]
        for loc in sorted(tags, key=lambda t: len(_segments(location_path(t)))):
            if find_section(loc, decl.name) is None:
                continue
            if loc.get("overrideMode") in ("Allow", "Deny"):
                mode = loc.get("overrideMode", mode)
            elif loc.get("allowOverride") is not None:
                mode = "Allow" if loc.get("allowOverride", "").lower() == "true" else "Deny"
    return f"overrideMode={mode}" if mode == "Deny" else None


# Section groups whose every section the emulator carries (URL Rewrite's): an element in them that is no
# declared section is refused as IIS refuses it. Other groups (system.webServer) hold sections IIS declares
# and the emulator does not (handlers, aspNetCore, ...), so unknown names there are left alone.
COMPLETE_GROUPS = ("system.webServer/rewrite",)
COMMENT = ET.Comment


def check_declared(config_file: ConfigFile, decls: dict[str, SectionDecl]) -> None:
    """IIS loads a config file whole: an undeclared section in a complete group fails every read of the file
    (HTTP 500.19, "The configuration section 'foo' cannot be read because it is missing a section
    declaration"), on read and on write alike."""
    root = config_file.root
    if root is None:
        return
    for group in COMPLETE_GROUPS:
        if not any(name.startswith(group + "/") for name in decls):
            continue  # the extension is not installed: the group is not declared at all
        elements = [root, *locations(root)]
        for part in group.split("/"):
            elements = [child for elem in elements for child in elem if child.tag == part]
        for elem in elements:
            for child in elem:
                if child.tag is not COMMENT and f"{group}/{child.tag}" not in decls:
                    raise HostError("UnknownElement", f"The configuration section '{child.tag}' cannot be read "
                                    "because it is missing a section declaration", file=config_file.win_path,
                                    section=f"{group}/{child.tag}", element=child.tag)


def registered(files: ConfigFiles) -> tuple[dict[str, SectionDecl], dict[str, ElementSchema]]:
    apphost = files.apphost()
    assert apphost.root is not None
    if files.registered is None:
        files.registered = declarations(apphost.root), load_schema_dir(files.host.local_path(SCHEMA_DIR))
    return files.registered


def resolve(files: ConfigFiles, section: str, pspath: str, location: str = "") -> Address:
    apphost = files.apphost()
    assert apphost.root is not None
    decls, schemas = registered(files)
    if section not in decls or section not in schemas:
        raise HostError("SectionNotRegistered", f"The configuration section '{section}' cannot be read because "
                        "it is missing a section declaration", section=section)
    raw = (pspath or "").strip().replace("\\", "/").rstrip("/")
    if raw.upper() == APPHOST:
        sub = ""
    elif raw.upper().startswith(APPHOST + "/"):
        sub = raw[len(APPHOST) + 1:].strip("/")
    else:
        raise HostError("PathNotFound", f"Unsupported configuration path '{pspath}' (only {APPHOST}[/Site[/path]])",
                        pspath=pspath)
    location = (location or "").strip().strip("/")
    if sub and location:
        raise HostError("PathNotFound", "location can only be used with pspath MACHINE/WEBROOT/APPHOST",
                        pspath=pspath, location=location)
    address = Address(section, pspath, location, decls[section], schemas[section], in_apphost=not sub,
                      config_path=sub or location, store=files)
    site = None
    if address.config_path:
        site_name, _slash, rest = address.config_path.partition("/")
        site = find_site(read_sites(apphost.root), site_name)
        if site is None and not address.in_apphost:
            raise HostError("SiteNotFound", f"The site '{site_name}' does not exist", site=site_name)
        # A <location path> in applicationHost.config may name any path (MWA does not check it).
        address.site = site
        address.config_path = "/".join([site.name if site else site_name, *[p for p in rest.split("/") if p]])
        address.url = "/" + "/".join(p for p in rest.split("/") if p)
    target_loc = address.config_path if address.in_apphost else None
    address.levels.append(Level(apphost, "", None, address.in_apphost and not address.config_path))
    tags = [loc for loc in locations(apphost.root)
            if location_path(loc) and is_ancestor_or_self(location_path(loc), address.config_path)]
    paths: list[str] = []
    for loc in sorted(tags, key=lambda t: len(_segments(location_path(t)))):
        path = location_path(loc)
        if path.lower() not in [p.lower() for p in paths]:
            paths.append(path)
    for path in paths:
        local = target_loc is not None and path.lower() == target_loc.lower()
        address.levels.append(Level(apphost, path, path, local))
    if target_loc and not any(lev.local for lev in address.levels):
        address.levels.append(Level(apphost, target_loc, target_loc, True))
    if not address.in_apphost:
        assert site is not None
        _web_config_levels(files, address, site)
    for level in address.levels:
        level.crosses_application = _crosses_application(address, level.config_path)
    address.levels[1:] = sorted(address.levels[1:], key=Level.sort_key)  # stable: the target stays last
    for config_file in {id(level.file): level.file for level in address.levels}.values():
        check_declared(config_file, decls)
    return address


def _crosses_application(address: Address, level_path: str) -> bool:
    """Whether an application root lies below ``level_path``, down to the addressed config path (IIS does not
    let a ``<location inheritInChildApplications="false">`` reach into it)."""
    if address.site is None:
        return False
    parts = address.config_path.split("/")
    return any(address.site.is_application("/" + "/".join(parts[1:n]))
               for n in range(len(_segments(level_path)) + 1, len(parts) + 1))


def _web_config_levels(files: ConfigFiles, address: Address, site: Site) -> None:
    parts = [p for p in address.url.split("/") if p]
    urls = ["/"] + ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]
    seen: set[str] = set()
    for index, url in enumerate(urls):
        last = index == len(urls) - 1
        folder = site.physical_folder(url)
        # Every level needs its folder, as powershell/config_read.ps1 Resolve-Address checks.
        if folder is None or not files.host.local_path(folder).is_dir():
            raise HostError("PathNotFound", f"The path '{url}' of site '{site.name}' does not exist"
                            + (f" (physical folder {folder} is missing)" if folder else ""),
                            site=site.name, path=url, physical_path=folder)
        web_config = join(folder, "web.config")
        config_path = "/".join([site.name, *parts[:index]])
        if web_config.lower() in seen:  # two URL levels on one folder: the deeper one owns the file
            address.levels = [lev for lev in address.levels if lev.file.win_path.lower() != web_config.lower()]
        seen.add(web_config.lower())
        config_file = files.get(web_config)
        address.levels.append(Level(config_file, config_path, None, last, url, file_depth=index + 1))
        _web_config_locations(address, config_file, config_path, url, index + 1)


def _web_config_locations(address: Address, config_file: ConfigFile, config_path: str, url: str,
                          depth: int) -> None:
    """Levels for the ``<location path="sub">`` tags of a web.config that reach the addressed path: their
    settings apply at ``config_path/sub`` and below, as if in that path's web.config, before it."""
    if config_file.root is None:
        return
    rels: list[str] = []
    for loc in locations(config_file.root):
        rel = location_path(loc)
        if rel and rel.lower() not in [r.lower() for r in rels] \
                and is_ancestor_or_self(f"{config_path}/{rel}", address.config_path):
            rels.append(rel)
    for rel in rels:
        sub_url = url.rstrip("/") + "/" + rel
        address.levels.append(Level(config_file, f"{config_path}/{rel}", None, False, sub_url, rel=rel,
                                    file_depth=depth))
