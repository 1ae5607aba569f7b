"""IIS's static file handler and default documents over the emulated file system.

Sources (docs/emulator.md "HTTP through the emulated IIS"): Microsoft, "HTTP status codes in IIS"
(KB 943891) for 403.14, 404.0, 404.3, 404.8 and 405.0; the request filtering `hiddenSegments` IIS ships
(web.config, bin, App_code, ...); the staticContent mimeMap entries IIS ships for the extensions below, and
each web.config's ``<staticContent>`` from the site root down to the file's folder over them (Microsoft,
"Static Content <staticContent>" and "Adding Static Content MIME Mappings <mimeMap>": ``<mimeMap
fileExtension mimeType>`` adds, ``<remove fileExtension>`` and ``<clear/>`` take away; ``fileExtension="."``
is the mapping of a file without an extension, as win-acme's web.config for ACME tokens writes it).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote

from ..config.sites import Site
from ..host import Host
from .site import ServerView, default_documents, web_config_sections

# staticContent/mimeMap as IIS 10 ships it (subset): an extension not listed is refused with 404.3.
MIME_TYPES = {
    ".htm": "text/html", ".html": "text/html", ".txt": "text/plain", ".css": "text/css",
    ".js": "application/javascript", ".json": "application/json", ".xml": "text/xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".svg": "image/svg+xml", ".ico": "image/x-icon", ".webp": "image/webp", ".woff": "font/x-woff",
    ".woff2": "application/font-woff2", ".pdf": "application/pdf", ".zip": "application/x-zip-compressed",
}
# requestFiltering/hiddenSegments as IIS ships it: such a segment anywhere in the path gives 404.8.
HIDDEN_SEGMENTS = {"web.config", "bin", "app_code", "app_globalresources", "app_localresources",
                   "app_webreferences", "app_data", "app_browsers"}


@dataclass
class Answer:
    """An HTTP answer of the emulated IIS: status, substatus, reason, headers, body."""

    status: int
    sub_status: int = 0
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    description: str = ""
    error_code: str = ""
    server_header: str | None = None  # ARR passServerHeader PassThrough: the back end's value
    abort: bool = False


def folder_chain(site: Site, path: str) -> list[str]:
    """Physical folders from the site root down to the URL folder ``path`` (for web.config levels)."""
    folders: list[str] = []
    current = ""
    for segment in [""] + [s for s in path.split("/") if s]:
        current = current + "/" + segment if segment else "/"
        current = current.replace("//", "/")
        folder = site.physical_folder(current)
        if folder and folder not in folders:
            folders.append(folder)
    return folders


def serve(host: Host, view: ServerView, site: Site, target: str, method: str) -> Answer:
    """What IIS's StaticFile handler and DefaultDocument module answer for ``target`` (path and query)."""
    from .errors import error_answer

    path = unquote(target.split("?", 1)[0])
    segments = [s for s in path.split("/") if s]
    if any(s.lower() in HIDDEN_SEGMENTS for s in segments):
        return error_answer(404, 8, "Not Found", "The request filtering module is configured to deny a path in "
                            "the URL that contains a hiddenSegment section.")
    if any(s in (".", "..") for s in segments):
        return error_answer(404, 0, "Not Found", NOT_FOUND)
    folder = site.physical_folder(path)
    local = host.local_path(folder) if folder else None
    if local is None or not local.exists():
        return error_answer(404, 0, "Not Found", NOT_FOUND)
    if method not in ("GET", "HEAD"):
        return error_answer(405, 0, "Method Not Allowed", "The page you are looking for cannot be displayed "
                            "because an invalid method (HTTP verb) is being used.")
    if local.is_dir():
        if not path.endswith("/"):
            # the courtesy redirect of a folder requested without its trailing slash (UNCONFIRMED status)
            query = target.partition("?")[2]
            return Answer(301, 0, "Moved Permanently", [("Location", path + "/" + ("?" + query if query else ""))],
                          b"")
        enabled, documents = default_documents(host, view, folder_chain(site, path))
        for name in documents if enabled else ():
            candidate = host.local_path(folder.rstrip("\\") + "\\" + name)
            if candidate.is_file():
                return _file(candidate.read_bytes(), name, mime_types(host, folder_chain(site, path)))
        return error_answer(403, 14, "Forbidden", "The Web server is configured to not list the contents of "
                            "this directory.")
    return _file(local.read_bytes(), local.name, mime_types(host, folder_chain(site, path.rsplit("/", 1)[0] or "/")))


def mime_types(host: Host, folders: list[str]) -> dict[str, str]:
    """The effective staticContent mimeMap: IIS's shipped entries, then each web.config in ``folders``
    (physical paths, parent first)."""
    types = dict(MIME_TYPES)
    for section in web_config_sections(host, folders, "system.webServer/staticContent"):
        for entry in section if section is not None else ():
            extension = (entry.get("fileExtension") or "").lower()
            if entry.tag == "clear":
                types = {}
            elif entry.tag == "remove":
                types.pop(extension, None)
            elif entry.tag == "mimeMap" and extension:
                types[extension] = entry.get("mimeType") or ""
    return types


def _file(data: bytes, name: str, types: dict[str, str] | None = None) -> Answer:
    from .errors import error_answer

    content_type = (MIME_TYPES if types is None else types).get(posixpath.splitext(name)[1].lower() or ".")
    if content_type is None:
        return error_answer(404, 3, "Not Found", "The page you are requesting cannot be served because of the "
                            "extension configuration. If the page is a script, add a handler. If the file "
                            "should be downloaded, add a MIME map.")
    return Answer(200, 0, "OK", [("Content-Type", content_type), ("Accept-Ranges", "bytes")], data)


NOT_FOUND = ("The resource you are looking for has been removed, had its name changed, or is temporarily "
             "unavailable.")
