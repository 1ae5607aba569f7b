"""Pattern checks for URL Rewrite's three pattern syntaxes, on the controller.

- ECMAScript: the pattern is translated token by token to Python ``re`` syntax and compiled.
  Constructs that exist in Python but not in ECMAScript (lookbehind, named groups, inline
  flags, possessive quantifiers, ``\\A``/``\\Z``) are refused instead of silently accepted;
  ECMAScript-only forms (``[^]``, ``[]``, ``\\cX``) are translated.
- Wildcard: ``*`` captures (one back-reference each), ``?`` does not; always valid.
- ExactMatch: a literal string; only ``{R:0}`` exists.

``capture_count`` returns how many numbered groups a pattern produces, used for {R:n}/{C:n}.
"""

from __future__ import annotations

import re
import warnings

SYNTAXES = ("ECMAScript", "Wildcard", "ExactMatch")

_CLASS_ESCAPES = set("dDwWsS")
_CONTROL_ESCAPES = {"t": "\\t", "n": "\\n", "v": "\\v", "f": "\\f", "r": "\\r"}
_ASSERTIONS = set("bB")
_GROUP_PREFIXES = ("?:", "?=", "?!")


class PatternError(ValueError):
    """The pattern is not valid in its syntax; the message says where and why."""


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape starting at pattern[i] == '\\'; return (python text, next index)."""
    if i + 1 >= len(pattern):
        raise PatternError("pattern ends with a lone backslash")
    c = pattern[i + 1]
    if c in _CLASS_ESCAPES:
        return "\\" + c, i + 2
    if c in _CONTROL_ESCAPES:
        return _CONTROL_ESCAPES[c], i + 2
    if c in _ASSERTIONS:
        if in_class:
            return ("\\x08", i + 2) if c == "b" else _bad_escape(c, i)
        return "\\" + c, i + 2
    if c == "0":
        if i + 2 < len(pattern) and pattern[i + 2].isdigit():
            raise PatternError(f"octal escape '\\0{pattern[i + 2]}' at position {i} is not ECMAScript")
        return "\\x00", i + 2
    if c.isdigit():
        if in_class:
            raise PatternError(f"back-reference '\\{c}' inside a character class at position {i}")
        j = i + 1
        while j < len(pattern) and pattern[j].isdigit():
            j += 1
        return f"(?:\\{pattern[i + 1:j]})", j
    if c == "x":
        digits = pattern[i + 2:i + 4]
        if len(digits) != 2 or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise PatternError(f"'\\x' at position {i} needs two hex digits")
        return "\\x" + digits, i + 4
    if c == "u":
        digits = pattern[i + 2:i + 6]
        if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise PatternError(f"'\\u' at position {i} needs four hex digits")
        return "\\u" + digits, i + 6
    if c == "c":
        if i + 2 < len(pattern) and pattern[i + 2].isascii() and pattern[i + 2].isalpha():
            return f"\\x{ord(pattern[i + 2]) % 32:02x}", i + 3
        raise PatternError(f"'\\c' at position {i} must be followed by a letter")
    if c.isalnum() or c == "_":
        return _bad_escape(c, i)
    return re.escape(c), i + 2


def _bad_escape(c: str, i: int) -> tuple[str, int]:
    raise PatternError(f"unknown escape '\\{c}' at position {i} (not ECMAScript)")


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """Translate the class starting at pattern[i] == '['."""
    j = i + 1
    negated = j < len(pattern) and pattern[j] == "^"
    if negated:
        j += 1
    if j < len(pattern) and pattern[j] == "]":  # ECMAScript: [] never matches, [^] matches anything
        return ("[\\s\\S]" if negated else "(?!)"), j + 1
    out = ["[^" if negated else "["]
    while j < len(pattern):
        c = pattern[j]
        if c == "]":
            out.append("]")
            return "".join(out), j + 1
        if c == "\\":
            text, j = _escape(pattern, j, in_class=True)
            out.append(text)
            continue
        out.append(c if c.isalnum() or c in "-" or ord(c) > 127 else re.escape(c))
        j += 1
    raise PatternError(f"character class opened at position {i} is not closed (missing ']')")


def _quantifier(pattern: str, i: int) -> int | None:
    """End index of a {n}, {n,} or {n,m} quantifier starting at i, or None for a literal '{'."""
    match = re.compile(r"\{(\d+)(,(\d*))?\}").match(pattern, i)
    if not match:
        return None
    low, high = int(match.group(1)), match.group(3)
    if high and int(high) < low:
        raise PatternError(f"quantifier {match.group(0)} at position {i} has its numbers out of order")
    return match.end()


def ecmascript_to_python(pattern: str) -> str:
    """Python ``re`` text equivalent to an ECMAScript pattern, or PatternError."""
    out: list[str] = []
    i = 0
    can_repeat = False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i, in_class=False)
            out.append(text)
            can_repeat = pattern[i - 1] not in _ASSERTIONS or pattern[i - 2] != "\\"
            continue
        if c == "[":
            text, i = _char_class(pattern, i)
            out.append(text)
            can_repeat = True
            continue
        if c == "(":
            rest = pattern[i + 1:i + 3]
            if rest.startswith("?") and rest not in _GROUP_PREFIXES:
                raise PatternError(f"group '({pattern[i + 1:i + 4]}' at position {i} is not ECMAScript "
                                   "(only (?:, (?= and (?! are)")
            prefix = rest if rest in _GROUP_PREFIXES else ""
            out.append(c + prefix)
            i += 1 + len(prefix)
            can_repeat = False
            continue
        quantifier_end = _quantifier(pattern, i) if c == "{" else None
        if c in "*+?" or quantifier_end is not None:
            end = quantifier_end if quantifier_end is not None else i + 1
            if not can_repeat:
                raise PatternError(f"quantifier '{pattern[i:end]}' at position {i} has nothing to repeat")
            if end < len(pattern) and pattern[end] == "?":
                end += 1
            if end < len(pattern) and pattern[end] in "*+{" and (pattern[end] != "{"
                                                                 or _quantifier(pattern, end) is not None):
                raise PatternError(f"quantifier at position {end} follows another quantifier")
            out.append(pattern[i:end])
            i = end
            can_repeat = False
            continue
        if c == ")":
            out.append(c)
            i += 1
            can_repeat = True
            continue
        if c in "^$|":
            out.append(c)
            i += 1
            can_repeat = False
            continue
        out.append(c if c.isalnum() or c in "." or ord(c) > 127 else re.escape(c))
        i += 1
        can_repeat = True
    text = "".join(out)
    compile_python(text, pattern)
    return text


def compile_python(text: str, original: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(text)
        except (re.error, FutureWarning, DeprecationWarning) as exc:
            where = f" at position {exc.pos}" if isinstance(exc, re.error) and exc.pos is not None else ""
            reason = exc.msg if isinstance(exc, re.error) else str(exc)
            raise PatternError(f"{reason}{where}") from exc


def normalise_syntax(value: str | None) -> str:
    """The schema name of a pattern syntax given in any case, with or without underscores."""
    if value is None:
        return "ECMAScript"
    key = value.replace("_", "").lower()
    for name in SYNTAXES:
        if name.lower() == key:
            return name
    raise PatternError(f"unknown pattern syntax {value!r}; use one of {', '.join(SYNTAXES)}")


def check_pattern(pattern: str, syntax: str) -> int:
    """Validate ``pattern`` for ``syntax`` and return its number of numbered captures ({R:1}..)."""
    if syntax == "ECMAScript":
        return compile_python(ecmascript_to_python(pattern), pattern).groups
    if syntax == "Wildcard":
        return pattern.count("*")
    return 0


def to_python_regex(pattern: str, syntax: str, ignore_case: bool = True) -> re.Pattern[str]:
    """A Python regex that matches like IIS would (used by tests and the emulator's evaluator)."""
    flags = re.IGNORECASE if ignore_case else 0
    if syntax == "ECMAScript":
        return re.compile(ecmascript_to_python(pattern), flags)
    if syntax == "Wildcard":
        parts = ["(.*)" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
        return re.compile("^" + "".join(parts) + "$", flags)
    return re.compile("^" + re.escape(pattern) + "$", flags)
