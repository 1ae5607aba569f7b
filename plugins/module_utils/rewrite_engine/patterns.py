"""Patterns of a rule set compiled once, and matching as IIS matches.

The dialect translation (ECMAScript as IIS reads it, Wildcard, ExactMatch) is
``module_utils/rewrite/patterns.py``; this module compiles each rule's ``match.url`` and condition
patterns once when the rule set is built and turns a match into the back-reference list
(``[{R:0}, {R:1}, ...]``, a group that took part in no match is ``""``).

Sources: "URL Rewrite Module Configuration Reference" — "Rule pattern syntax" (the rule's
``patternSyntax`` applies to its conditions too), "Rule pattern properties" (``ignoreCase`` default
true; ``negate``), "Using back-references in rewrite rules" ({R:0}/{C:0} hold the matched string;
Wildcard ``*`` captures, ``?`` does not).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import PatternError, to_python_regex
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern: ``match`` returns the back-references, or None when it does not match.

    ``find`` is the bare regex call (``search`` for ECMAScript, anywhere in the input; ``match`` for the
    anchored Wildcard/ExactMatch translations); the rule loop calls it directly and ``captures`` only when
    the rule matches."""

    regex: re.Pattern[str]
    syntax: str
    negate: bool
    find: Callable[[str], re.Match[str] | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "find", self.regex.search if self.syntax == "ECMAScript" else self.regex.match)

    def hit(self, found: re.Match[str] | None) -> bool:
        """Whether the result of ``find`` is a match of this pattern (``negate`` turns it round)."""
        return (found is None) is self.negate

    def captures(self, found: re.Match[str] | None) -> list[str]:
        """The back-references of a hit: ``[{R:0}, {R:1}, ...]``; a negated match captures nothing."""
        if self.negate or found is None:
            return []
        return [found.group(0)] + [g or "" for g in found.groups()]

    def match(self, text: str) -> list[str] | None:
        found = self.find(text)
        return self.captures(found) if self.hit(found) else None


def compile_pattern(pattern: str, syntax: str, ignore_case: bool, negate: bool, where: str) -> Pattern:
    try:
        regex = to_python_regex(pattern, syntax, ignore_case)
    except PatternError as exc:
        raise EngineError(f"{where} {pattern!r} is not a valid {syntax} pattern: {exc}") from None
    return Pattern(regex, syntax, bool(negate))
