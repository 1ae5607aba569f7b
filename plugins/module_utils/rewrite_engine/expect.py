"""Comparing a request's ``expect`` with the engine's result (winflask.iis.rewrite_rule_test).

Only the keys the user gives are compared, in nested dictionaries too; lists compare exactly (same items,
same order); a bool never equals a number. Request/response header and server variable names compare
case-insensitively, as HTTP (RFC 9110 section 5.1, "Field names are case-insensitive") and IIS do; in those
dictionaries a null expects the name to be absent (``response_headers: {Server: null}``).
Standard library only.
"""

from __future__ import annotations

from typing import Any

# result keys whose dictionaries are keyed by case-insensitive names
CASELESS = ("request_headers", "server_variables", "response_headers")


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return isinstance(want, bool) and isinstance(have, bool) and want == have
    if isinstance(want, list) and isinstance(have, list):
        return len(want) == len(have) and all(_same(w, h) for w, h in zip(want, have, strict=True))
    if isinstance(want, dict) and isinstance(have, dict):
        return want.keys() == have.keys() and all(_same(want[k], have[k]) for k in want)
    return bool(want == have)


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Each difference as ``path: expected X, got Y``; empty when ``actual`` meets ``expected``."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'result'}: expected a dictionary {expected!r}, got {actual!r}"]
        caseless = path in CASELESS
        keys = {str(k).lower(): k for k in actual} if caseless else {}
        out: list[str] = []
        for key, want in expected.items():
            here = f"{path}.{key}" if path else str(key)
            have_key = keys.get(str(key).lower()) if caseless else key
            if caseless and want is None:
                if have_key in actual:
                    out.append(f"{here}: expected absent (null), got {actual[have_key]!r}")
                continue
            if have_key not in actual:
                out.append(f"{here}: expected {want!r}, got nothing (the result has no {key!r})")
                continue
            out.extend(differences(want, actual[have_key], here))
        return out
    if _same(expected, actual):
        return []
    return [f"{path or 'result'}: expected {expected!r}, got {actual!r}"]
