"""The open-proxy guard: can the client choose the scheme, host or port of a Rewrite target?

With ARR, a Rewrite whose target is an absolute ``http(s)://`` URL is forwarded to that host. If a
request can decide the host, IIS becomes an open forward proxy. The guard reads the target
(``action.url``) left to right as a small automaton over the URL's parts (start, scheme, ``:``,
``:/``, authority, path) and asks, for each ``{...}`` reference, where its value comes from (its
*source*) and whether the client, writing that value, can reach the authority:

- fixed text and server-set variables (``{SERVER_PORT}``, ``{HTTPS}``, ...) never do;
- ``{URL}``, ``{PATH_INFO}``, ``{SCRIPT_NAME}`` always start with ``/``: a path at the start or after a
  host, but they may start with ``//`` too, so right after ``scheme:``, ``scheme:/`` or ``scheme://``
  they write the host;
- ``{R:n}`` / ``{C:n}``: what capture group n of the pattern can match (a group that cannot match
  ``/`` or ``\\`` cannot write ``scheme://host`` at the start), and for ``{C:n}`` whether the
  condition's input comes from the client at all;
- rewrite maps (``{Name:key}``): every value of the map (and its defaultValue) read from the host in
  the task's one read; a map that is not defined there is refused;
- ``{ToLower:...}``, ``{UrlEncode:...}``, ``{HtmlEncode:...}``, ``{EscapeDataString:...}`` keep the
  source of their argument; ``{UrlDecode:...}`` can turn ``%2F`` into ``/``;
- any other server variable (request headers, ``{QUERY_STRING}``, ``{REQUEST_URI}``,
  ``{UNENCODED_URL}``, ``{CACHE_URL}``, ``{SERVER_NAME}``, variables set by earlier rules) can hold
  anything the client sends.

docs/rewrite.md ("Open-proxy guard") states the rules and their sources. Pure: standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import OUTBOUND
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.patterns import PatternError, to_python_regex

try:  # Python 3.11+: the parser behind re.compile (a stdlib module; private, so used defensively)
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older interpreters
    sre_parse = None

FUNCTIONS = frozenset({"tolower", "urlencode", "urldecode", "htmlencode", "escapedatastring"})
# Set by the server from the connection or its own configuration: no client text, no '/' in them.
SERVER_SET_VARIABLES = frozenset({"server_port", "server_port_secure", "local_addr", "https", "instance_id"})
# The URL path of the request: always starts with '/'.
PATH_VARIABLES = frozenset({"url", "path_info", "script_name"})
VARIABLE_ORIGINS = {
    "http_host": "the Host request header",
    "server_name": "set from the Host request header",
    "query_string": "the request's query string",
    "request_uri": "the request target as sent, which can be an absolute http://host/ URL",
    "unencoded_url": "the raw request target as sent, which can be an absolute http://host/ URL",
    "http_x_original_url": "the original request URL",
    "cache_url": "the full request URL http://<Host header>:<port>/<path>, scheme and host included",
}
SLASHES = "/\\"  # IIS treats '\' in a URL as '/'
WATCHED = SLASHES + "%"
MAP_DEPTH = 3
MAX_GROUPS = 9  # {R:0}..{R:9}

# Automaton states: where the next character of the target lands.
START, SLASH, SCHEME, COLON, COLON_SLASH, AUTHORITY_EMPTY, AUTHORITY, PATH = (
    "start", "slash", "scheme", "colon", "colon-slash", "authority-empty", "authority", "path")
IN_AUTHORITY = frozenset({AUTHORITY_EMPTY, AUTHORITY})


def _step(state: str, char: str) -> str:
    if state == PATH:
        return PATH
    if state in IN_AUTHORITY:
        return PATH if char in SLASHES + "?#" else AUTHORITY
    if char in SLASHES:
        return {START: SLASH, SLASH: AUTHORITY_EMPTY, COLON: COLON_SLASH, COLON_SLASH: AUTHORITY_EMPTY}.get(state, PATH)
    if state == START:
        return SCHEME if char.isascii() and char.isalpha() else PATH
    if state == SCHEME and char == ":":
        return COLON
    if state == SCHEME and char.isascii() and (char.isalnum() or char in "+-."):
        return SCHEME
    return PATH


def _after_text(states: frozenset[str], text: str) -> frozenset[str]:
    result = set()
    for state in states:
        for char in text:
            state = _step(state, char)
        result.add(state)
    return frozenset(result)


@dataclass(frozen=True)
class Source:
    """What one reference can expand to."""

    text: str  # the reference as written, for messages
    origin: str  # where its value comes from, for messages
    client: bool  # the client can choose (part of) it
    chars: frozenset[str]  # which of '/', '\\', '%' it may contain
    path: bool = False  # it always starts with '/' (and may go on with more: '//evil.example/x')

    def reachable(self, state: str) -> frozenset[str]:
        """Every state the target can be in after this value, from ``state``."""
        alphabet = "a1:?@" + "".join(sorted(self.chars & set(SLASHES)))
        if self.path:
            if state == AUTHORITY_EMPTY:  # 'scheme://' + '/host/..': parsers that skip extra slashes read a host
                return _closure(frozenset({AUTHORITY}), alphabet)
            first = _step(state, "/")
            if first in (SLASH, PATH):  # the start of a relative target, or after a host: a path
                return frozenset({PATH})
            return _closure(frozenset({first}), alphabet)  # 'scheme:' or 'scheme:/' + '//host'
        return _closure(frozenset({state}), alphabet)


def _closure(states: frozenset[str], alphabet: str) -> frozenset[str]:
    seen = set(states)
    todo = list(states)
    while todo:
        state = todo.pop()
        for char in alphabet:
            nxt = _step(state, char)
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


ANYTHING = frozenset(WATCHED)


@dataclass(frozen=True)
class Maps:
    """Rewrite maps visible at the rule's scope: lower-case name -> every value a lookup can return."""

    values: dict[str, tuple[str, ...]]
    scope: str  # for messages: "site 'S'", "the server"

    @classmethod
    def build(cls, maps: dict[str, Iterable[str]], scope: str) -> Maps:
        return cls({name.lower(): tuple(values) for name, values in maps.items()}, scope)

    @classmethod
    def from_element(cls, element: Any, scope: str) -> Maps:
        """From the rewriteMaps section of a config_read (a config.Node; None = not read)."""
        maps: dict[str, tuple[str, ...]] = {}
        for item in (element.items if element is not None else []) or []:
            values = [str(add.value("value") or "") for add in item.items or []]
            maps[str(item.value("name")).lower()] = tuple(values) + (str(item.value("defaultValue") or ""),)
        return cls(maps, scope)


OPEN_PROXY_HINT = ("With ARR this is an open proxy that forwards requests to any host. Use a fixed host "
                   "(e.g. http://localhost:50100/{R:1}), {URL} for the path, or a rewrite map whose values are fixed "
                   "URLs; or set allow_open_proxy=true if you really mean it.")
MISSING_MAP_HINT = ("IIS fails such a request, and the open-proxy guard cannot tell which host it would forward to: "
                    "define the map (system.webServer/rewrite/rewriteMaps) at this scope first, or set "
                    "allow_open_proxy=true.")


class Refusal(Exception):
    """Why a target is refused (``detail``) and what the user can do (``hint``)."""

    def __init__(self, detail: str, hint: str = OPEN_PROXY_HINT) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint


@dataclass(frozen=True)
class Reference:
    text: str  # as written, braces included
    name: str  # lower case: a variable, 'r', 'c', a function or a map name
    arg: str | None  # after the first ':' (None: a server variable)


def parse(text: str) -> list[str | Reference]:
    """Literal text and ``{...}`` references (nested braces kept together); an unclosed '{' is text."""
    tokens: list[str | Reference] = []
    literal, i = [], 0
    while i < len(text):
        end = _closing(text, i) if text[i] == "{" else -1
        if end < 0:
            literal.append(text[i])
            i += 1
            continue
        if literal:
            tokens.append("".join(literal))
            literal = []
        inner = text[i + 1:end]
        name, sep, arg = inner.partition(":")
        tokens.append(Reference(text[i:end + 1], name.strip().lower(), arg if sep else None))
        i = end + 1
    if literal:
        tokens.append("".join(literal))
    return tokens


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _references(text: str) -> Iterable[Reference]:
    for token in parse(text or ""):
        if isinstance(token, Reference):
            yield token
            if token.arg is not None and token.name not in ("r", "c"):
                yield from _references(token.arg)


def _is_map(ref: Reference) -> bool:
    return ref.arg is not None and ref.name not in FUNCTIONS and ref.name not in ("r", "c")


def needs_maps(rule: dict[str, Any]) -> bool:
    """The guard of this rule can only decide with the rewrite maps of the scope (read from the host)."""
    if rule["action"].get("type") != "Rewrite":
        return False
    texts = [rule["action"].get("url") or ""] + [c["input"] for c in rule.get("conditions") or []]
    return any(_is_map(ref) for text in texts for ref in _references(text))


def group_chars(pattern: str, syntax: str, group: int) -> set[str]:
    """Which of '/', '\\', '%' capture ``group`` of ``pattern`` may contain (an over-approximation)."""
    if sre_parse is None:
        return set(WATCHED)
    try:
        tree = sre_parse.parse(to_python_regex(pattern, syntax).pattern)
    except (PatternError, re.error):  # an unreadable pattern may hold anything
        return set(WATCHED)
    found = list(tree) if group == 0 else _find_group(list(tree), group)
    if found is None:
        return set(WATCHED)
    return {char for char in WATCHED if _consumes(found, ord(char))}


def _op(item: Any) -> str:
    return getattr(item, "name", str(item))


def _find_group(items: list[Any], group: int) -> list[Any] | None:
    for op, av in items:
        children: list[Any] = []
        name = _op(op)
        if name == "SUBPATTERN":
            if av[0] == group:
                return list(av[-1])
            children = [av[-1]]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            children = [av[2]]
        elif name == "BRANCH":
            children = list(av[1])
        elif name in ("ASSERT", "ASSERT_NOT"):
            children = [av[1]]
        elif name == "ATOMIC_GROUP":
            children = [av]
        for child in children:
            hit = _find_group(list(child), group)
            if hit is not None:
                return hit
    return None


def _consumes(items: list[Any], code: int) -> bool:
    """Can this part of the pattern consume the character ``code``?"""
    for op, av in items:
        name = _op(op)
        if name == "LITERAL" and av == code or name == "NOT_LITERAL" and av != code:
            return True
        if name == "ANY" and code != 10 or name == "IN" and _in_set(av, code):
            return True
        if name == "SUBPATTERN" and _consumes(list(av[-1]), code):
            return True
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[1] and _consumes(list(av[2]), code):
            return True
        if name == "BRANCH" and any(_consumes(list(b), code) for b in av[1]):
            return True
        if name == "ATOMIC_GROUP" and _consumes(list(av), code):
            return True
        if name.startswith("GROUPREF") or name not in KNOWN_OPS:
            return True  # a back-reference repeats another group; an unknown construct may match anything
    return False


KNOWN_OPS = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN", "SUBPATTERN", "MAX_REPEAT", "MIN_REPEAT",
                       "POSSESSIVE_REPEAT", "BRANCH", "ATOMIC_GROUP", "AT", "ASSERT", "ASSERT_NOT"})


def _in_set(items: list[Any], code: int) -> bool:
    negate = False
    hit = False
    for op, av in items:
        name = _op(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            hit = hit or av == code
        elif name == "RANGE":
            hit = hit or av[0] <= code <= av[1]
        elif name == "CATEGORY":
            # '/', '\\' and '%' are not digits, word characters or spaces: only the negated classes hold them
            hit = hit or _op(av).startswith("CATEGORY_NOT_")
        else:
            hit = True
    return hit != negate


class Guard:
    """One rule's target, judged against its patterns, conditions and the maps of the scope."""

    def __init__(self, rule: dict[str, Any], maps: Maps | None) -> None:
        self.rule = rule
        self.maps = maps

    def walk(self, text: str, states: frozenset[str], decode: bool = False, depth: int = 0) -> frozenset[str]:
        for token in parse(text):
            if isinstance(token, str):
                states = _after_text(states, unquote(token) if decode else token)
            elif token.arg is not None and token.name in FUNCTIONS:
                states = self.walk(token.arg, states, decode or token.name == "urldecode", depth)
            elif _is_map(token) and depth < MAP_DEPTH:
                values = self.map_values(token)
                states = frozenset().union(*(self.walk(v, states, decode, depth + 1) for v in values))
            else:
                states = self.after_source(states, self.source(token, decode))
        return states

    def map_values(self, ref: Reference) -> tuple[str, ...]:
        name = ref.text[1:].split(":", 1)[0].strip()
        if self.maps is None:  # the host-free phase: needs_maps() sends such rules to the post-read check
            raise Refusal(f"looks up the rewrite map {name!r} before the maps were read", MISSING_MAP_HINT)
        if ref.name not in self.maps.values:
            defined = ", ".join(sorted(self.maps.values)) or "none"
            raise Refusal(f"looks up a map that is not there: rewrite map {name!r} is not defined at "
                          f"{self.maps.scope} (defined there: {defined})", MISSING_MAP_HINT)
        return self.maps.values[ref.name]

    @staticmethod
    def after_source(states: frozenset[str], source: Source) -> frozenset[str]:
        result: set[str] = set()
        for state in sorted(states, key=lambda s: (s not in IN_AUTHORITY, s)):  # the host part first, for messages
            if state in (PATH, SLASH):  # after a leading '/' a value is a path (docs: UNCONFIRMED '//host')
                result.add(PATH)
                continue
            reachable = source.reachable(state)
            if source.client and reachable & IN_AUTHORITY:
                what = f"lets the client choose the host it is forwarded to: {source.text} ({source.origin})"
                if state in IN_AUTHORITY:
                    raise Refusal(f"{what} is in the host part of the target")
                if state in (START, SCHEME):
                    raise Refusal(f"{what} can put a scheme and host such as http://any.host/ at the start "
                                  "of the target")
                raise Refusal(f"{what} can complete the scheme before it into scheme://any.host/")
            result |= reachable
        return frozenset(result)

    def source(self, ref: Reference, decode: bool) -> Source:
        if ref.name in ("r", "c") and ref.arg is not None and ref.arg.strip().isdigit():
            found = self.capture(ref, int(ref.arg))
        elif ref.arg is not None:  # a map nested too deep, or a function name the guard does not know
            found = Source(ref.text, "a lookup the guard cannot follow", True, ANYTHING)
        elif ref.name in SERVER_SET_VARIABLES:
            found = Source(ref.text, "set by the server", False, frozenset())
        elif ref.name in PATH_VARIABLES:
            found = Source(ref.text, "the request path, which can start with '//'", True, ANYTHING, path=True)
        else:
            origin = VARIABLE_ORIGINS.get(ref.name) or (
                "a request header" if ref.name.startswith("http_") else
                "a server variable the client can influence (a request value or one set by an earlier rule)")
            found = Source(ref.text, origin, True, ANYTHING)
        if decode and "%" in found.chars:
            found = replace(found, origin=found.origin + ", decoded by UrlDecode", chars=ANYTHING)
        return found

    def capture(self, ref: Reference, number: int) -> Source:
        syntax = self.rule["pattern_syntax"]
        if ref.name == "r":
            match = self.rule["match"]
            chars = set(WATCHED) if match["negate"] else group_chars(match["url"], syntax, number)
            return Source(ref.text, f"capture {number} of match.url {match['url']!r}, from the request URL",
                          True, frozenset(chars))
        chars: set[str] = set()
        client = False
        origins = []
        for index, group in self.condition_groups(number):
            cond = self.rule["conditions"][index]
            given = self.input_source(cond["input"])
            chars |= group_chars(cond["pattern"], syntax, group) & given.chars
            client = client or given.client
            origins.append(f"capture {group} of conditions[{index}] ({cond['input']} ~ {cond['pattern']!r})")
        if not origins:
            return Source(ref.text, "a condition capture", True, ANYTHING)
        return Source(ref.text, " or ".join(origins), client, frozenset(chars))

    def condition_groups(self, number: int) -> list[tuple[int, int]]:
        """(condition index, group) pairs {C:number} may stand for. Without trackAllCaptures it is the last
        matched condition (any of them); with it the captures of the conditions in turn (URL Rewrite only
        says they accumulate, so the other reading is kept too)."""
        pairs, offset = [], 0
        for index, cond in enumerate(self.rule["conditions"]):
            if cond["match_type"] != "Pattern" or cond["negate"]:
                continue
            try:
                groups = to_python_regex(cond["pattern"], self.rule["pattern_syntax"]).groups
            except (PatternError, re.error):
                groups = MAX_GROUPS
            if number <= groups:
                pairs.append((index, number))
            if self.rule["track_all_captures"] and offset <= number <= offset + groups:
                pairs.append((index, number - offset))
            offset += groups + 1
        return sorted(set(pairs))

    def input_source(self, text: str) -> Source:
        """What a condition's input can contain: its fixed text plus the sources of its references."""
        chars = {char for char in WATCHED if char in text}
        client = False
        for ref in parse(text):
            if not isinstance(ref, Reference):
                continue
            if ref.name == "c":
                given = Source(ref.text, "", True, ANYTHING)
            elif _is_map(ref) and self.maps is not None and ref.name in self.maps.values:
                values = self.maps.values[ref.name]
                given = Source(ref.text, "", False, frozenset(c for c in WATCHED if any(c in v for v in values)))
            elif ref.arg is not None and ref.name in FUNCTIONS:
                given = self.input_source(ref.arg)
                if ref.name == "urldecode" and "%" in given.chars:
                    given = replace(given, chars=ANYTHING)
            else:
                given = self.source(ref, False)
            chars |= given.chars
            client = client or given.client
        return Source(text, "", client, frozenset(chars))


def check_target(rule: dict[str, Any], where: str, maps: Maps | None = None) -> None:
    """Refuse a Rewrite whose target host the client can choose (``maps`` None: only for rules without
    rewrite maps, see needs_maps)."""
    url = rule["action"].get("url") or ""
    try:
        Guard(rule, maps).walk(url, frozenset({START}))
    except Refusal as exc:
        raise ModuleError(f"{where}: action.url {url!r} {exc.detail}. {exc.hint}") from None


def rules_need_maps(rules: list[dict[str, Any]], flavor: str, allow_open_proxy: bool) -> bool:
    """Whether the task's one read must include the scope's rewrite maps (inbound Rewrite rules only)."""
    return not allow_open_proxy and flavor != OUTBOUND and any(needs_maps(rule) for rule in rules)


def check_rules(rules: list[dict[str, Any]], maps: Maps) -> None:
    """The part of the guard that needs the host: Rewrite rules that look up rewrite maps."""
    for rule in rules:
        if needs_maps(rule):
            check_target(rule, f"rule {rule['name']!r}", maps)
