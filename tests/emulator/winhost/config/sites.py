"""Sites, applications and virtual directories as read from applicationHost.config.

Used to map a config path (``Site/app``) to the physical folder whose web.config holds it, the way
IIS does: longest matching application, then longest matching virtual directory, then sub-folders.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..paths import expand, join


@dataclass
class VirtualDirectory:
    path: str
    physical_path: str


@dataclass
class Application:
    path: str
    vdirs: list[VirtualDirectory] = field(default_factory=list)


@dataclass
class Site:
    name: str
    id: int | None
    applications: list[Application] = field(default_factory=list)

    @property
    def physical_path(self) -> str | None:
        """The raw (unexpanded) physicalPath of the root application's root virtual directory."""
        for app in self.applications:
            if app.path == "/":
                for vdir in app.vdirs:
                    if vdir.path == "/":
                        return vdir.physical_path
        return None

    def _longest(self, items: list, url: str):  # type: ignore[no-untyped-def]
        best = None
        for item in items:
            base = item.path.rstrip("/")
            if url.lower() == item.path.lower() or url.lower().startswith(base.lower() + "/") or item.path == "/":
                if best is None or len(item.path) > len(best.path):
                    best = item
        return best

    def is_application(self, url: str) -> bool:
        return any(app.path.rstrip("/").lower() == url.rstrip("/").lower() for app in self.applications) \
            or url == "/"

    def physical_folder(self, url: str) -> str | None:
        """Expanded physical folder of a URL path such as ``/`` or ``/app/sub``."""
        app = self._longest(self.applications, url)
        if app is None:
            return None
        rel = url[len(app.path.rstrip("/")):] or "/"
        vdir = self._longest(app.vdirs, rel)
        if vdir is None:
            return None
        rest = rel[len(vdir.path.rstrip("/")):].strip("/")
        folder = expand(vdir.physical_path)
        return join(folder, rest.replace("/", "\\")) if rest else folder


def read_sites(apphost_root: ET.Element) -> list[Site]:
    sites: list[Site] = []
    group = apphost_root.find("system.applicationHost")
    node = group.find("sites") if group is not None else None
    if node is None:
        return sites
    for site_el in node.findall("site"):
        raw_id = site_el.get("id")
        site = Site(name=site_el.get("name", ""), id=int(raw_id) if raw_id and raw_id.isdigit() else None)
        for app_el in site_el.findall("application"):
            app = Application(path=app_el.get("path", "/"))
            for vdir_el in app_el.findall("virtualDirectory"):
                app.vdirs.append(VirtualDirectory(vdir_el.get("path", "/"), vdir_el.get("physicalPath", "")))
            site.applications.append(app)
        sites.append(site)
    return sites


def find_site(sites: list[Site], name: str) -> Site | None:
    for site in sites:
        if site.name.lower() == name.lower():
            return site
    return None
