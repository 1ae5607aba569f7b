"""Pattern checks per syntax: ECMAScript translated to Python re, Wildcard, ExactMatch."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import (
    PatternError, check_pattern, ecmascript_to_python, normalise_syntax, to_python_regex)


@pytest.mark.parametrize("pattern, groups", [
    ("(.*)", 1),
    ("^webmail/(.*)", 1),
    ("^([0-9]+)/([a-z]+)\\.html$", 2),
    ("(?:www\\.)?(example)\\.com", 1),
    ("^(?!api/)(.*)$", 1),
    ("^OFF$", 0),
    ("a{2,3}b{4}c{5,}", 0),
    ("[^/]+/(\\d+)", 1),
    ("\\u0041\\x42\\cJ", 0),
    ("[]a", 0),
    ("[^](x)", 1),
    ("(a)\\1", 1),
    ("a{", 0),
    ("[a-z\\-_]+", 0),
    ("caf\u00e9/(.+)", 1),
])
def test_valid_ecmascript_patterns_and_their_groups(pattern, groups):
    assert check_pattern(pattern, "ECMAScript") == groups


@pytest.mark.parametrize("pattern, reason", [
    ("(.*", "missing )"),
    ("(.*))", "unbalanced parenthesis"),
    ("[a-z", "not closed"),
    ("*abc", "nothing to repeat"),
    ("a**", "follows another quantifier"),
    ("a*+", "follows another quantifier"),
    ("a{3,1}", "out of order"),
    ("(?<=a)b", "not ECMAScript"),
    ("(?<name>a)", "not ECMAScript"),
    ("(?P<name>a)", "not ECMAScript"),
    ("(?i)abc", "not ECMAScript"),
    ("(?>a)", "not ECMAScript"),
    ("\\Aabc\\Z", "unknown escape"),
    ("\\q", "unknown escape"),
    ("abc\\", "lone backslash"),
    ("\\x4", "two hex digits"),
    ("\\u12", "four hex digits"),
    ("[z-a]", "bad character range"),
    ("\\b+", "nothing to repeat"),
    ("(a)\\2", "invalid group reference"),
])
def test_invalid_ecmascript_patterns_say_why(pattern, reason):
    with pytest.raises(PatternError, match=reason.replace("(", "\\(").replace(")", "\\)")):
        check_pattern(pattern, "ECMAScript")


def test_translation_matches_like_ecmascript():
    assert to_python_regex("^[]", "ECMAScript").search("anything") is None
    assert to_python_regex("^[^]$", "ECMAScript").search("\n")
    assert to_python_regex("^a\\cJb$", "ECMAScript").search("a\nb")
    assert ecmascript_to_python("a/b") == "a/b"
    # ignoreCase is the rule's default
    assert to_python_regex("^ABC$", "ECMAScript").search("abc")
    assert to_python_regex("^ABC$", "ECMAScript", ignore_case=False).search("abc") is None


def test_wildcard_captures_per_star_and_question_mark_captures_nothing():
    assert check_pattern("*/*.html", "Wildcard") == 2
    assert check_pattern("file?.txt", "Wildcard") == 0
    match = to_python_regex("*/*.html", "Wildcard").match("contoso/test.html")
    assert match.groups() == ("contoso", "test")


def test_exact_match_has_no_groups_and_any_text_is_valid():
    assert check_pattern("(unbalanced", "ExactMatch") == 0
    assert to_python_regex("a.b", "ExactMatch").match("a.b")
    assert to_python_regex("a.b", "ExactMatch").match("axb") is None


@pytest.mark.parametrize("given, name", [
    ("ecmascript", "ECMAScript"), ("ECMAScript", "ECMAScript"), ("wildcard", "Wildcard"),
    ("exact_match", "ExactMatch"), ("ExactMatch", "ExactMatch"), (None, "ECMAScript")])
def test_syntax_names(given, name):
    assert normalise_syntax(given) == name


def test_unknown_syntax():
    with pytest.raises(PatternError, match="unknown pattern syntax 'regex'"):
        normalise_syntax("regex")
