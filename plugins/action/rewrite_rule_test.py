"""Action plugin of winflask.iis.rewrite_rule_test: what IIS's URL Rewrite would do with requests.

Rules from ``config`` (no host call) or from the host (``site``/``application``, one read); never changed."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule_test as spec
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import scope as scopes
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import sources
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction


class ActionModule(WinflaskAction):
    MODULE = spec.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        args = plain(args)
        effective = self.rules(args)
        results, failures = spec.run_requests(effective.ruleset, args["requests"])
        out: dict[str, Any] = {"changed": False, "results": results}
        if failures:
            out.update(failed=True, msg=spec.expect_message(failures, len(results)))
        return out

    def rules(self, args: dict[str, Any]) -> sources.Effective:
        """The effective rules: from ``config`` without any host call, else from the task's one read."""
        site, application = args.get("site"), args.get("application")
        if args.get("config") is not None:
            try:
                return sources.ruleset_from_xml(args["config"], site)
            except EngineError as exc:
                text = str(exc)
                raise ModuleError(text if text.startswith("config") else f"config: {text}") from None
        scope = scopes.scope_from_args(args)
        read = scopes.read_config(self, scope, sources.live_addresses(site, application))
        try:
            return sources.ruleset_from_read(read, site, application)
        except EngineError as exc:
            raise ModuleError(f"the rules of {scope.describe()} as read from the host: {exc}") from None
