"""The effective rewrite rules of a site/application, read live as the modules read them.

``rewrite_engine.sources`` (the collection's module_utils) names the config sections a live read needs
(``live_addresses``) and turns the config_read answer into the engine's rule set (``ruleset_from_read``);
the emulator answers that read with its own config reader, in-process. The compiled rule set is cached
per site/application until one of the files the read consulted changes (site.StampCache).
"""

from __future__ import annotations

from typing import Any

from .. import config as config_system
from ..errors import HostError
from ..host import Host
from .site import StampCache

NOT_INSTALLED = ("SectionNotRegistered",)


def _engine() -> Any:
    from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import sources

    return sources


def effective(host: Host, cache: StampCache, site: str, application: str, folder: str | None = None) -> Any:
    """The ``Effective`` (ruleset, allowed, levels, global_rules, maps, outbound) of one site/application, with the
    web.config files of the folders down to ``folder`` (a URL folder below the application that exists on
    disk; None: the application's own level); None when URL Rewrite is not installed (no rewrite section is
    registered: every request is served as it came). Cached per folder chain."""
    folders = [folder] if folder else []

    def build() -> tuple[Any, list[str]]:
        from ansible_collections.winflask.iis.plugins.module_utils.config import ConfigRead, read_request

        sources = _engine()
        addresses = list(sources.live_addresses(site, application, folders, outbound=True))
        try:
            result = config_system.read(host, read_request(addresses))
        except HostError as exc:
            if exc.code in NOT_INSTALLED:
                return None, []
            raise
        files = list(result.get("fingerprint") or {})
        return sources.ruleset_from_read(ConfigRead(result), site, application, folders, outbound=True), files
    return cache.get(("rules", site.lower(), application.lower(), (folder or "").lower()), build)
