"""winflask.iis.rewrite_rule_test: argument spec and the steps between the options and the engine.

The rules come from the host (``site``/``application``: one config_read, rewrite_engine/sources.py
``live_addresses``) or from the config files' text (``config``: no host call at all); each request is
evaluated by rewrite_engine/evaluate.py and compared with its ``expect`` (rewrite_engine/expect.py).
docs/rewrite-engine.md, "The module winflask.iis.rewrite_rule_test", explains the choices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import RuleSet, evaluate
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expect import differences
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

REQUEST_OPTIONS: dict[str, Any] = {
    "url": {"type": "str", "required": True},
    "host": {"type": "str"},
    "https": {"type": "bool"},
    "port": {"type": "int"},
    "headers": {"type": "dict"},
    "server_variables": {"type": "dict"},
    "files": {"type": "list", "elements": "str"},
    "dirs": {"type": "list", "elements": "str"},
    "remote_addr": {"type": "str"},
    "expect": {"type": "dict"},
}

SPEC = ModuleSpec(
    argument_spec={
        "site": {"type": "str"},
        "application": {"type": "str"},
        "config": {"type": "list", "elements": "dict", "options": {
            "path": {"type": "str", "required": True},
            "xml": {"type": "str", "required": True},
        }},
        "requests": {"type": "list", "elements": "dict", "required": True, "options": REQUEST_OPTIONS},
    },
    required_one_of=[["site", "config"]],
    mutually_exclusive=[["application", "config"]],
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, "config.xml": "document"},
)


def label(n: int, request: dict[str, Any]) -> str:
    """How messages name a request: ``requests[2] /myApp/help?x=1``."""
    return f"requests[{n}] {request.get('url')}"


def engine_request(request: dict[str, Any]) -> dict[str, Any]:
    """The engine's request: the options given (None = the engine's default), without ``expect``."""
    return {k: v for k, v in plain(request).items() if k != "expect" and v is not None}


def prepare(requests: list[dict[str, Any]]) -> list[Request]:
    """Every request checked before anything is read; errors name ``requests[n].<option>``."""
    try:
        return [Request.from_dict(engine_request(r), f"requests[{n}]") for n, r in enumerate(requests)]
    except EngineError as exc:
        raise ModuleError(str(exc)) from None


def run_requests(rulesets: RuleSet | Callable[[Request], RuleSet], requests: list[dict[str, Any]],
                 prepared: list[Request] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every request evaluated, in order (result = the engine's plus ``url``), and the unmet expectations.

    ``rulesets``: one rule set for every request, or a function giving the rule set of a request (live mode:
    the levels down to the request's folder)."""
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    for n, (request, engine) in enumerate(zip(requests, prepared or prepare(requests), strict=True)):
        try:
            answer = evaluate(rulesets if isinstance(rulesets, RuleSet) else rulesets(engine), engine)
        except EngineError as exc:
            raise ModuleError(f"{label(n, request)}: {exc}") from None
        result = {"url": request["url"], **answer}
        results.append(result)
        if request.get("expect") is not None:
            diffs = differences(plain(request["expect"]), answer)
            if diffs:
                failures.append(f"{label(n, request)}: " + "; ".join(diffs))
    return results, failures


def expect_message(failures: list[str], total: int) -> str:
    return (f"{len(failures)} of {total} request(s) did not do what expect says: " + " | ".join(failures))
