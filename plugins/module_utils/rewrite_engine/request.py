"""The request a rule set is evaluated against, and the server variables IIS derives from it.

Sources (docs/rewrite-engine.md, "Server variables"): Microsoft, "URL Rewrite Module Configuration
Reference", sections "Accessing URL Parts from a Rewrite Rule", "Preserving Original URL" and "Using
server variables in rewrite rules" (the HTTP_<NAME> naming convention of request headers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError

DEFAULT_ROOT = "C:\\inetpub\\wwwroot"
HOOKS = ("exists", "physical")  # set in Python by a caller (the emulated IIS front end), never from module input


def header_variable(header: str) -> str:
    """'user-agent' -> 'HTTP_USER_AGENT': dashes to underscores, capital case, HTTP_ prefix."""
    return "HTTP_" + header.replace("-", "_").upper()


def variable_header(name: str) -> str | None:
    """'HTTP_X_ORIGINAL_HOST' -> 'x-original-host' (URL Rewrite 2.0 reference, "Note About Request
    Headers": underscores to dashes, lower case, HTTP_ prefix removed); None for a plain server variable."""
    if not name.upper().startswith("HTTP_") or len(name) == 5:
        return None
    return name[5:].replace("_", "-").lower()


def split_url(url: str) -> tuple[str, str]:
    """'/a/b?x=1' -> ('/a/b', 'x=1'): the path and the query string (without '?')."""
    path, _sep, query = url.partition("?")
    return path, query


@dataclass
class Request:
    """One request: ``url`` is the path and query as sent (``/myApp/help?x=1``).

    Two optional hooks for a caller that knows the host (docs/rewrite-engine.md, "Request hooks"):
    ``exists(physical_path)`` -> ``"file"``, ``"dir"`` or None decides IsFile/IsDirectory in place of the
    ``files``/``dirs`` lists; ``physical(url_path)`` -> the physical path gives {REQUEST_FILENAME} and
    {APPL_PHYSICAL_PATH} (``physical("/")``) in place of ``physical_root`` + the path."""

    url: str = "/"
    host: str = "localhost"
    https: bool = False
    port: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    server_variables: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    remote_addr: str = "127.0.0.1"
    physical_root: str = DEFAULT_ROOT
    exists: Callable[[str], str | None] | None = field(default=None, repr=False, compare=False)
    physical: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_dict(cls, given: dict[str, Any], where: str = "request") -> Request:
        known = set(cls.__dataclass_fields__) - set(HOOKS)
        unknown = sorted(set(given) - known)
        if unknown:
            raise EngineError(f"{where}.{unknown[0]} is not a request option (one of {', '.join(sorted(known))}), "
                              f"got {given[unknown[0]]!r}")
        request = cls(**{k: v for k, v in given.items() if v is not None})
        request.check(where)
        return request

    def check(self, where: str = "request") -> None:
        if not isinstance(self.url, str) or not self.url.startswith("/"):
            raise EngineError(f"{where}.url must be a path starting with '/' (and an optional ?query), "
                              f"got {self.url!r}")
        if self.port is not None and (isinstance(self.port, bool) or not isinstance(self.port, int)
                                      or not 0 < self.port < 65536):
            raise EngineError(f"{where}.port must be a TCP port 1-65535, got {self.port!r}")
        for name in ("headers", "server_variables"):
            value = getattr(self, name)
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise EngineError(f"{where}.{name} must be a dictionary of strings, got {value!r}")
        for name in ("files", "dirs"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise EngineError(f"{where}.{name} must be a list of paths, got {value!r}")

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else (443 if self.https else 80)

    def on_disk(self, decoded: str) -> str:
        """A decoded URL path ('/a/b.css') -> its physical path (the ``physical`` hook, else physical_root + path)."""
        if self.physical is not None:
            return self.physical(decoded)
        return self.physical_root.rstrip("\\") + decoded.replace("/", "\\")

    def physical_path(self, path: str) -> str:
        """A URL path ('/a/b.css') or a physical path -> the physical path (case as given)."""
        return self.on_disk(unquote(path)) if path.startswith("/") else path

    def variables(self) -> dict[str, str]:
        """The server variables of this request, by upper-case name (given ``server_variables`` win)."""
        path, query = split_url(self.url)
        decoded = unquote(path)
        host = self.host
        host_only = host[:host.index("]") + 1] if host.startswith("[") and "]" in host else host.partition(":")[0]
        scheme = "https" if self.https else "http"
        port = str(self.effective_port)
        out = {header_variable(k): v for k, v in self.headers.items()}
        out.update({
            "HTTP_HOST": host,
            "SERVER_NAME": host_only,
            "HTTPS": "ON" if self.https else "OFF",
            "SERVER_PORT": port,
            "SERVER_PORT_SECURE": "1" if self.https else "0",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "QUERY_STRING": query,
            "REQUEST_URI": self.url,
            "UNENCODED_URL": self.url,
            "HTTP_X_ORIGINAL_URL": decoded + ("?" + query if query else ""),
            "URL": decoded,
            "PATH_INFO": decoded,
            "SCRIPT_NAME": decoded,
            "CACHE_URL": f"{scheme}://{host_only}:{port}{path}" + ("?" + query if query else ""),
            "REMOTE_ADDR": self.remote_addr,
            "REMOTE_HOST": self.remote_addr,
            "REQUEST_METHOD": "GET",
            "REQUEST_FILENAME": self.on_disk(decoded),
            "APPL_PHYSICAL_PATH": self.on_disk("/").rstrip("\\") + "\\",
        })
        out.update({k.upper(): v for k, v in self.server_variables.items()})
        return out
