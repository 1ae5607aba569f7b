"""Action plugin of winflask.iis.rewrite_rule_test: what IIS's URL Rewrite would do with requests.

Rules from ``config`` (no host call) or from the host (``site``/``application``, one read; with a request's
``response_headers``, the outbound rules of each request's folder in the same read); never changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule_test as spec
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import sources
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = spec.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        prepared = spec.prepare(args["requests"])  # every request checked before the read
        results, failures = spec.run_requests(self.rules(args, prepared), args["requests"], prepared)
        out: dict[str, Any] = {"changed": False, "results": results}
        if failures:
            out.update(failed=True, msg=spec.expect_message(failures, len(results)))
        return out

    def rules(self, args: dict[str, Any], requests: list[Request]
              ) -> sources.Effective | Callable[[Request], sources.Effective]:
        """The effective rules: from ``config`` without any host call; else from the task's one read, which
        covers the folders below the application that the requests lie in and list in ``dirs`` (folders that
        exist), a rule set per such folder; when a request gives ``response_headers``, the read adds the
        outboundRules section of each of those folders (the effective outbound collection there)."""
        site, application = args.get("site"), args.get("application")
        if args.get("config") is not None:
            try:
                return sources.ruleset_from_xml(args["config"], site)
            except EngineError as exc:
                text = str(exc)
                raise ModuleError(text if text.startswith("config") else f"config: {text}") from None
        scope = scopes.scope_from_args(args)
        try:
            folders = [sources.listed_folder(r.url, r.dirs) for r in requests]
            addresses = sources.live_addresses(site, application, folders)
        except EngineError as exc:
            raise ModuleError(f"requests: {exc}") from None
        # outboundRules only of the folders of requests that give response_headers (one read all the same)
        outbound = {f.lower(): f for f, r in zip(folders, args["requests"], strict=True)
                    if r.get("response_headers") is not None}
        addresses += [sources.outbound_address(site, application, f) for f in outbound.values()]
        read = scopes.read_config(self, scope, addresses)
        cache: dict[str, sources.Effective] = {}

        def ruleset(request: Request) -> sources.Effective:
            folder = sources.listed_folder(request.url, request.dirs)
            if folder.lower() not in cache:
                try:
                    cache[folder.lower()] = sources.ruleset_from_read(read, site, application, [folder],
                                                                      folder.lower() in outbound)
                except EngineError as exc:
                    raise ModuleError(f"the rules of {scope.describe()} as read from the host: {exc}") from None
            return cache[folder.lower()]

        return ruleset
