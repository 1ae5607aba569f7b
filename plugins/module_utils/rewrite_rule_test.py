"""winflask.iis.rewrite_rule_test: argument spec and the steps between the options and the engine.

The rules come from the host (``site``/``application``: one config_read, rewrite_engine/sources.py
``live_addresses``) or from the config files' text (``config``: no host call at all); each request is
evaluated by rewrite_engine/evaluate.py, its ``response_headers`` (when given) by the outbound rules of its
path (rewrite_engine/outbound.py), and compared with its ``expect`` (rewrite_engine/expect.py).
docs/rewrite-engine.md, "The module winflask.iis.rewrite_rule_test", explains the choices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import SCOPE_KINDS, check_header_name
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import plain
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import evaluate
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.expect import differences
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.outbound import evaluate_outbound
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.sources import Effective
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
    "response_headers": {"type": "dict"},
    "expect": {"type": "dict"},
}
NOT_ENGINE = ("expect", "response_headers")  # request options the inbound engine does not take

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
    """The engine's request: the options given (None = the engine's default), without ``expect`` and
    ``response_headers``."""
    return {k: v for k, v in plain(request).items() if k not in NOT_ENGINE and v is not None}


def response_headers(n: int, request: dict[str, Any]) -> list[tuple[str, str]] | None:
    """``requests[n].response_headers`` as (name, value) pairs, None when not given (no outbound evaluation).
    Names must be HTTP header names (checks.py), once each in any case; values text (an integer is its decimal text)."""
    given = request.get("response_headers")
    if given is None:
        return None
    where = f"requests[{n}].response_headers"
    if not isinstance(given, dict):
        raise ModuleError(f"{where} must be a dictionary of header names and values, got {given!r}")
    out = []
    seen: dict[str, str] = {}
    for name, value in given.items():
        check_header_name(str(name), f"{where} key {name!r}")
        if str(name).lower() in seen:
            raise ModuleError(f"{where} names the header {seen[str(name).lower()]!r} twice ({name!r}): header names "
                              "are case-insensitive (RFC 9110 5.1); give one")
        seen[str(name).lower()] = str(name)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ModuleError(f"{where}.{name} must be the header's value as text or an integer, got {value!r}")
        out.append((str(name), str(value)))
    return out


def prepare(requests: list[dict[str, Any]]) -> list[Request]:
    """Every request checked before anything is read; errors name ``requests[n].<option>``."""
    try:
        prepared = [Request.from_dict(engine_request(r), f"requests[{n}]") for n, r in enumerate(requests)]
    except EngineError as exc:
        raise ModuleError(str(exc)) from None
    for n, request in enumerate(requests):
        response_headers(n, request)
    return prepared


# Inbound results after which the response_headers given (the back end's answer) never exist.
NO_RESPONSE = ("AbortRequest", "Error")


def outbound_result(effective: Effective, request: Request, answer: dict[str, Any],
                    headers: list[tuple[str, str]]) -> dict[str, Any]:
    """The response headers after the outbound rules of the request's path, and the rules that matched.

    The outbound rules see the request's server variables as the inbound rules left them (Microsoft,
    "Modifying HTTP Response Headers": an inbound rule stores {HTTP_HOST} in ORIGINAL_HOST, the outbound rule
    writes it into Location). Rules the engine cannot evaluate fail the request (EngineError). An AbortRequest
    (the connection is dropped) and the 500.50 error of a variable not allowed send no back-end response: no
    outbound rule runs and ``response_headers`` is empty."""
    if (answer.get("final") or {}).get("type") in NO_RESPONSE:
        return {"response_headers": {}, "outbound_matched_rules": []}
    rules, error = effective.outbound_for(request.url)
    if error is not None:
        raise EngineError(f"the outbound rules cannot be evaluated: {error}")
    if rules is None:
        return {"response_headers": dict(headers), "outbound_matched_rules": []}
    seen = replace(request, server_variables={**request.server_variables, **answer["server_variables"]})
    out = evaluate_outbound(rules, seen, headers)
    return {"response_headers": dict(out["headers"]), "outbound_matched_rules": out["matched_rules"]}


def run_requests(rulesets: Effective | Callable[[Request], Effective], requests: list[dict[str, Any]],
                 prepared: list[Request] | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every request evaluated, in order (result = the engine's plus ``url``; with ``response_headers``, the
    outbound result too), and the unmet expectations.

    ``rulesets``: one rule set for every request, or a function giving the rule set of a request (live mode:
    the levels down to the request's folder)."""
    results: list[dict[str, Any]] = []
    failures: list[str] = []
    for n, (request, engine) in enumerate(zip(requests, prepared or prepare(requests), strict=True)):
        try:
            effective = rulesets if isinstance(rulesets, Effective) else rulesets(engine)
            answer = evaluate(effective.ruleset, engine)
            headers = response_headers(n, request)
            if headers is not None:
                answer.update(outbound_result(effective, engine, answer, headers))
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
