"""requestFiltering/requestLimits@maxAllowedContentLength at a request's path (docs/emulator.md, "Request
limits").

Microsoft, "Request Limits <requestLimits>": ``maxAllowedContentLength`` (uint, default 30000000 bytes) is the
largest request content IIS accepts; a larger one is refused by request filtering with HTTP 404.13 ("Content
Length Too Large", KB 943891 "HTTP status codes in IIS"). The value is the effective one of the request's
path (applicationHost.config, ``<location>`` and each web.config down to the deepest existing folder), read
with the emulator's own config reader and cached until one of the files it consulted changes.
"""

from __future__ import annotations

from typing import Any

from .. import config as config_system
from ..host import Host
from .site import StampCache

SECTION = "system.webServer/security/requestFiltering"
DEFAULT = 30_000_000


def max_content_length(host: Host, cache: StampCache, site: str, folder: str) -> int:
    """The effective maxAllowedContentLength of ``folder`` (a URL path of the site that exists) in bytes."""
    def build() -> tuple[int, list[str]]:
        from ansible_collections.winflask.iis.plugins.module_utils.config import (
            ConfigRead, read_request, site_address)

        address = site_address(SECTION, site, folder if folder != "/" else None)
        result = config_system.read(host, read_request([address]))
        value: Any = ConfigRead(result).get(address).element.child("requestLimits").value("maxAllowedContentLength")
        try:
            limit = int(value) if value is not None else DEFAULT
        except (TypeError, ValueError):
            limit = DEFAULT
        return limit, list(result.get("fingerprint") or {})
    return cache.get(("limits", site.lower(), folder.lower()), build)
