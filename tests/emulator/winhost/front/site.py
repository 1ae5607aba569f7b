"""What the emulated IIS knows about a request before it runs: the site, the application, the effective
rules and ARR's proxy settings, read from the emulated host's config files and cached until they change.

Every value comes from the emulator's own config reader (``winhost.config.read``, the dict config_read
returns to the modules), so a request sees exactly what a module's read would. The rule set is parsed
once per site/application and kept while the files it came from keep their (path, mtime_ns, size, inode).
"""

from __future__ import annotations

import os
import stat as stat_module
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config as config_system
from ..config.redirection import REDIRECTION_CONFIG, apphost_path
from ..config.sites import Application, Site, read_sites
from ..config.values import TICKS, parse_timespan
from ..errors import HostError
from ..host import Host
from ..paths import APPHOST_CONFIG
from .ports import Binding, read_bindings

PROXY_SECTION = "system.webServer/proxy"
# a folder changed less than this ago is not trusted to stay as it was: file times come from the kernel's coarse
# clock (one tick, at most 10 ms), so a second change within the tick can keep the same mtime
FRESH_NS = 100_000_000
MAX_KNOWN = 10_000  # paths kept by LocalPaths (the distinct paths requests asked about)
TIMEOUT_CAP = 30.0
# IIS's default document list (applicationHost.config as IIS 10 ships it, with ASP.NET installed;
# docs/emulator.md "HTTP through the emulated IIS").
DEFAULT_DOCUMENTS = ("Default.htm", "Default.asp", "index.htm", "index.html", "iisstart.htm", "default.aspx")


class LocalPaths:
    """Windows path -> local file, resolved once (Host.local_path stats every segment to match names
    case-insensitively), so a stamp costs one stat call per file.

    A file that exists keeps its resolved local path while a stat of it succeeds. For a missing file the
    nearest existing folder above it is kept with its mtime_ns: an entry created, renamed or removed in a
    folder changes the folder's mtime, so an unchanged mtime means the file is still missing; otherwise
    (and when a kept path stops existing) the path is resolved again."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Path, Path | None, int]] = {}  # win path -> (file, anchor, anchor mtime)

    def resolve(self, win_path: str) -> Path:
        local = self.host.local_path(win_path)
        anchor: Path | None = None
        mtime = 0
        if not local.exists():
            anchor = local.parent
            while not anchor.is_dir() and anchor != self.host.root:
                anchor = anchor.parent
            mtime = os.stat(anchor).st_mtime_ns
            if time.time_ns() - mtime < FRESH_NS:
                return local  # the folder changed just now: within one timestamp tick, its mtime proves nothing
        with self._lock:
            if len(self._known) >= MAX_KNOWN:
                self._known.clear()
            self._known[win_path] = (local, anchor, mtime)
        return local

    def kind(self, win_path: str) -> str | None:
        """'file', 'dir' or None (what the engine's ``Request.exists`` hook answers)."""
        st = self.stat(win_path)
        if st is None:
            return None
        return "dir" if stat_module.S_ISDIR(st.st_mode) else "file"

    def stat(self, win_path: str) -> os.stat_result | None:
        """The file's stat, None when it does not exist."""
        with self._lock:
            known = self._known.get(win_path)
        if known is not None:
            local, anchor, mtime = known
            try:
                if anchor is None:
                    return os.stat(local)
                if os.stat(anchor).st_mtime_ns == mtime:
                    return None
            except OSError:
                pass
        try:
            return os.stat(self.resolve(win_path))
        except OSError:
            return None


def stamp(paths: LocalPaths, files: Iterable[str]) -> tuple[Any, ...]:
    """(path, mtime_ns, size, inode) of each file, None for a missing one: a new write (temporary file +
    rename) always changes the inode, so an unchanged stamp means unchanged bytes."""
    out: list[tuple[Any, ...]] = []
    for win_path in files:
        st = paths.stat(win_path)
        out.append((win_path, st.st_mtime_ns, st.st_size, st.st_ino) if st is not None else (win_path, None))
    return tuple(out)


class StampCache:
    """Values built from config files, rebuilt when any of those files changes."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.paths = LocalPaths(host)
        self._lock = threading.Lock()
        self._entries: dict[Any, tuple[tuple[Any, ...], list[str], Any]] = {}

    def get(self, key: Any, build: Callable[[], tuple[Any, list[str]]]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and stamp(self.paths, entry[1]) == entry[0]:
            return entry[2]
        # stamp before building: a write during the build makes the next request build again
        files: list[str] = list(entry[1]) if entry is not None else [REDIRECTION_CONFIG, APPHOST_CONFIG]
        before = stamp(self.paths, files)
        value, built = build()
        built = list(dict.fromkeys([REDIRECTION_CONFIG, APPHOST_CONFIG, *built]))
        if built != files:
            before = stamp(self.paths, built)
        with self._lock:
            self._entries[key] = (before, built, value)
        return value


@dataclass
class ProxySettings:
    """system.webServer/proxy as ARR uses it (shared/research/iis-facts.md 2.1: schema defaults)."""

    enabled: bool = False
    preserve_host_header: bool = False
    reverse_rewrite_host: bool = True
    forwarded_for_header: str = "X-Forwarded-For"
    include_port: bool = True
    timeout: float = TIMEOUT_CAP
    pass_server_header: str = "Replace"
    arr_response_header: bool = True
    log_guid_name: str = "X-ARR-LOG-ID"

    @classmethod
    def from_node(cls, values: dict[str, Any]) -> ProxySettings:
        return cls(enabled=bool(values.get("enabled")),
                   preserve_host_header=bool(values.get("preserveHostHeader")),
                   reverse_rewrite_host=bool(values.get("reverseRewriteHostInResponseHeaders", True)),
                   forwarded_for_header=str(values.get("xForwardedForHeaderName") or ""),
                   include_port=bool(values.get("includePortInXForwardedFor", True)),
                   timeout=min(timespan_seconds(values.get("timeout")), TIMEOUT_CAP),
                   pass_server_header=str(values.get("passServerHeader") or "Replace"),
                   arr_response_header=bool(values.get("arrResponseHeader", True)),
                   log_guid_name=str(values.get("logGuidName") or ""))


def timespan_seconds(text: Any) -> float:
    """'00:02:00' / '1.00:00:00' -> seconds (ARR's default, 2 minutes, when absent or unreadable)."""
    try:
        return parse_timespan(str(text)) / TICKS if text else 120.0
    except ValueError:
        return 120.0


@dataclass
class ServerView:
    """applicationHost.config as the front end needs it."""

    bindings: list[Binding]
    sites: list[Site]
    proxy: ProxySettings
    default_documents: dict[str, tuple[bool, tuple[str, ...]]] = field(default_factory=dict)
    hsts: dict[str, Hsts] = field(default_factory=dict)  # by site name, lower case


@dataclass(frozen=True)
class Hsts:
    """A site's ``<hsts>`` (Microsoft, "HSTS Settings for a Web Site <hsts>", IIS 10.0 version 1709): every
    attribute optional, defaults enabled false, max-age 0, includeSubDomains false, preload false,
    redirectHttpToHttps false; a site's own values win over ``<siteDefaults><hsts>``."""

    enabled: bool = False
    max_age: int = 0
    include_subdomains: bool = False
    preload: bool = False
    redirect_http_to_https: bool = False

    def header(self) -> str:
        """The Strict-Transport-Security value: max-age, then the directives that are on."""
        return f"max-age={self.max_age}" + ("; includeSubDomains" if self.include_subdomains else "") \
            + ("; preload" if self.preload else "")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def read_hsts(root: ET.Element | None) -> dict[str, Hsts]:
    """The ``<hsts>`` of every site, merged over ``<siteDefaults><hsts>`` attribute by attribute."""
    sites = root.find("system.applicationHost/sites") if root is not None else None
    if sites is None:
        return {}
    defaults = sites.find("siteDefaults/hsts")
    base = dict(defaults.attrib) if defaults is not None else {}
    out: dict[str, Hsts] = {}
    for site in sites.findall("site"):
        own = site.find("hsts")
        values = {**base, **(own.attrib if own is not None else {})}
        try:
            max_age = int(values.get("max-age") or 0)
        except ValueError:
            max_age = 0
        out[site.get("name", "").lower()] = Hsts(_flag(values.get("enabled")), max_age,
                                                 _flag(values.get("includeSubDomains")), _flag(values.get("preload")),
                                                 _flag(values.get("redirectHttpToHttps")))
    return out


def _documents(element: ET.Element | None, enabled: bool, files: list[str]) -> tuple[bool, list[str]]:
    """One level's ``system.webServer/defaultDocument``: ``enabled`` and the ``files`` collection
    (``<clear/>``, ``<remove value>``, ``<add value>``)."""
    if element is None:
        return enabled, files
    if element.get("enabled") is not None:
        enabled = element.get("enabled", "true").strip().lower() == "true"
    for item in element.findall("files/*"):
        value = item.get("value", "")
        if item.tag == "clear":
            files = []
        elif item.tag == "remove":
            files = [f for f in files if f.lower() != value.lower()]
        elif item.tag == "add" and all(f.lower() != value.lower() for f in files):
            files.append(value)
    return enabled, files


def read_proxy(host: Host) -> ProxySettings:
    try:
        result = config_system.read(host, {"reads": [{"section": PROXY_SECTION, "pspath": config_system.APPHOST,
                                                      "location": ""}]})
    except HostError as exc:
        if exc.code == "SectionNotRegistered":  # ARR not installed: nothing proxies
            return ProxySettings(enabled=False)
        raise
    attributes = result["sections"][0]["element"]["attributes"]
    return ProxySettings.from_node({name: a.get("value") for name, a in attributes.items()})


def server_view(host: Host, cache: StampCache) -> ServerView:
    def build() -> tuple[ServerView, list[str]]:
        path = apphost_path(host)
        root = config_system.ConfigFiles(host).apphost().root
        enabled, files = True, list(DEFAULT_DOCUMENTS)
        if root is not None and root.find("system.webServer/defaultDocument") is not None:
            enabled, files = _documents(root.find("system.webServer/defaultDocument"), True, [])
        return ServerView(read_bindings(root), read_sites(root) if root is not None else [], read_proxy(host),
                          {"": (enabled, tuple(files))}, read_hsts(root)), [path]
    return cache.get("server", build)


def web_config_sections(host: Host, folders: list[str], section: str) -> Iterator[ET.Element | None]:
    """``section`` (e.g. ``system.webServer/defaultDocument``) of each web.config in ``folders`` (physical
    paths, parent first) that exists and parses: a broken web.config fails the rule read first (500.19)."""
    for folder in folders:
        data = host.read_bytes(folder.rstrip("\\") + "\\web.config")
        if data is None:
            continue
        try:
            yield ET.fromstring(data).find(section)
        except ET.ParseError:
            continue


def default_documents(host: Host, view: ServerView, folders: list[str]) -> tuple[bool, tuple[str, ...]]:
    """The default documents for a folder: applicationHost.config, then each web.config from the site root
    down to the folder (``folders``: their physical paths, parent first)."""
    enabled, files = view.default_documents[""]
    listed = list(files)
    for found in web_config_sections(host, folders, "system.webServer/defaultDocument"):
        enabled, listed = _documents(found, enabled, listed)
    return enabled, tuple(listed)


def pick_site(view: ServerView, port: int, host_header: str, protocol: str = "http") -> Site | None:
    """The site whose binding takes the request: the binding's host name equal to the Host header (without
    its port) first, then a binding of that port without a host name (HTTP.sys's routing by host header)."""
    name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    name = name.strip("[]").lower()
    candidates = [b for b in view.bindings if b.protocol == protocol and b.port == port]
    chosen = next((b for b in candidates if b.host_name and b.host_name.lower() == name), None) \
        or next((b for b in candidates if not b.host_name), None)
    if chosen is None:
        return None
    return next((s for s in view.sites if s.name == chosen.site), None)


def pick_application(site: Site, path: str) -> Application:
    """The application with the longest virtual path the URL path lies in (always at least '/')."""
    best = None
    lower = path.lower()
    for app in site.applications:
        base = app.path.rstrip("/").lower()
        if app.path == "/" or lower == base or lower.startswith(base + "/"):
            if best is None or len(app.path) > len(best.path):
                best = app
    return best or Application("/")
