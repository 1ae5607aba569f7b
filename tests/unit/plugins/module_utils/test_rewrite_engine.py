"""The URL Rewrite engine against a case table; each case quotes the Microsoft page and section it follows.

RW1: "URL Rewrite Module Configuration Reference" (learn.microsoft.com/iis/extensions/url-rewrite-module/
url-rewrite-module-configuration-reference); RW2: "URL Rewrite Module 2.0 Configuration Reference";
GD: "Using Global and Distributed Rewrite Rules". docs/rewrite-engine.md lists the behaviours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import evaluate as engine_evaluate
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import expand as engine_expand
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import patterns as engine_patterns
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import RuleSet, evaluate
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.request import Request


def rule(name: str, url: str = "(.*)", action: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    match = {"url": url, **extra.pop("match", {})}
    return {"name": name, "match": match, "action": action or {"type": "None"}, **extra}


def rewrite(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Rewrite", "url": url, **extra}


def redirect(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Redirect", "url": url, **extra}


# The rule the reverse_proxy role writes (roles/reverse_proxy/tasks/main.yml, vars/main.yml, defaults).
PROXY_RULE = rule("ReverseProxy", "(.*)", rewrite("http://127.0.0.1:50100/{R:1}"), stop_processing=True,
                  conditions=[{"input": "{CACHE_URL}", "pattern": "^(https?)://"}],
                  server_variables=[{"name": "HTTP_X_FORWARDED_PROTO", "value": "{C:1}"},
                                    {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}])

MAP = {"name": "Static", "default_value": "", "ignore_case": True,
       "entries": [{"key": "/old", "value": "/new"}, {"key": "/Docs", "value": "/manual"}]}
MAP_DEFAULT = {"name": "Hosts", "default_value": "fallback", "ignore_case": False,
               "entries": [{"key": "a.example", "value": "alpha"}]}

RW1_EVAL = "RW1 'Rules Evaluation'"
RW1_PARTS = "RW1 'Accessing URL Parts from a Rewrite Rule'"
RW1_PROPS = "RW1 'Rule pattern properties'"
RW1_COND = "RW1 'Rule conditions'"
RW1_BACK = "RW1 'Using back-references in rewrite rules'"
RW1_REWRITE = "RW1 'Rewrite action'"
RW1_REDIRECT = "RW1 'Redirect action'"
RW1_MAPS = "RW1 'Rewrite maps'"
RW1_FUNCS = "RW1 'String functions'"
RW1_VARS = "RW1 'Using server variables in rewrite rules'"
RW1_INHERIT = "RW1 'Rules Inheritance'"
RW2_TRACK = "RW2 'Tracking Capture Groups Across Conditions'"
RW2_SET = "RW2 'Setting Request Headers and Server Variables'"
RW2_HEADERS = "RW2 'Note About Request Headers'"
GD = "GD 'Background'"
FACTS_ALLOWED = ("shared/research/iis-facts.md 1.6 (RW2, server variables reference): 'Distributed rules may set only "
                 "variables listed in allowedServerVariables; otherwise runtime error HTTP 500.50 URL Rewrite Module "
                 "Error' ... 'Global rules do not need the allow list'")

CASES: list[dict[str, Any]] = [
    # -- what the pattern sees ---------------------------------------------------------------------
    dict(id="site-rule-sees-path-without-slash-and-query",
         source=RW1_PARTS + ": 'The rule pattern gets the URL string content/default.aspx as an input.'",
         levels=[("/", [rule("r", "^(.*)$", rewrite("x/{R:1}", append_query_string=False))])],
         request={"url": "/content/default.aspx?tabid=2&subtabid=3"},
         expect={"captures": {"r": {"R": ["content/default.aspx", "content/default.aspx"], "C": []}}}),
    dict(id="distributed-rule-relative-to-its-folder",
         source=(RW1_PARTS + ": 'a rewrite rule is defined in the /content directory, then the rule gets this URL "
                 "string default.aspx as an input.'"),
         levels=[("/", []), ("/content", [rule("r", "^default\\.aspx$", rewrite("page.aspx"))])],
         request={"url": "/content/default.aspx?tabid=2"},
         expect={"matched_rules": ["r"],
                 "final": {"url": "page.aspx?tabid=2", "rooted_url": "/content/page.aspx?tabid=2"}}),
    dict(id="global-rule-sees-whole-path",
         source=(GD + ": 'the URL rewrite module will pass \"directory1/directory2/index.html\" as an input to a "
                 "global rule.'"),
         global_rules=[rule("g", "^directory1/directory2/index\\.html$", rewrite("x"))],
         request={"url": "/directory1/directory2/index.html"},
         expect={"matched_rules": ["g"], "final": {"rooted_url": "/x"}}),
    dict(id="distributed-rule-in-directory1",
         source=(GD + ": 'a rewrite rule was defined in Web.config file located in directory1, then the URL rewrite "
                 "module will pass \"directory2/index.html\" as an input to that rule.'"),
         levels=[("/", []), ("/directory1", [rule("d", "^directory2/index\\.html$")])],
         request={"url": "/directory1/directory2/index.html"},
         expect={"matched_rules": ["d"]}),
    dict(id="pattern-excludes-query-string",
         source=("RW1 'Rule Pattern': 'The URL string that is evaluated against the pattern does not include the "
                 "query string.'"),
         levels=[("/", [rule("q", "x=1")])],
         request={"url": "/page?x=1"},
         expect={"matched_rules": []}),
    dict(id="query-string-through-condition",
         source=("RW1 'Rule Pattern': 'To include the query string in the rule evaluation you can use the "
                 "QUERY_STRING server variable in the rule's condition.'"),
         levels=[("/", [rule("q", conditions=[{"input": "{QUERY_STRING}", "pattern": "x=(\\d+)"}])])],
         request={"url": "/page?x=1"},
         expect={"matched_rules": ["q"], "captures": {"q": {"C": ["x=1", "1"]}}}),
    dict(id="encoded-path-is-decoded-for-the-pattern",
         source=("RW1 'Preserving Original URL': 'UNENCODED_URL ... with all original encoding preserved' (the "
                 "pattern gets the decoded path; UNCONFIRMED detail)"),
         levels=[("/", [rule("e", "^a b$")])],
         request={"url": "/a%20b"},
         expect={"matched_rules": ["e"]}),
    dict(id="unencoded-url-keeps-encoding",
         source=("RW1 'Preserving Original URL': 'UNENCODED_URL - this server variable contains the original URL "
                 "exactly as it was requested by a Web client'"),
         levels=[("/", [rule("u", conditions=[{"input": "{UNENCODED_URL}", "pattern": "^/a%20b$"}])])],
         request={"url": "/a%20b"},
         expect={"matched_rules": ["u"]}),
    # -- pattern properties ------------------------------------------------------------------------
    dict(id="ignore-case-default",
         source=RW1_PROPS + ": 'By default, case-insensitive pattern matching is used.'",
         levels=[("/", [rule("i", "^HELP$")])], request={"url": "/help"}, expect={"matched_rules": ["i"]}),
    dict(id="ignore-case-false",
         source=RW1_PROPS + ": 'To enable case sensitivity, you can use the ignoreCase attribute'",
         levels=[("/", [rule("i", "^HELP$", match={"ignore_case": False})])], request={"url": "/help"},
         expect={"matched_rules": []}),
    dict(id="negate-matches-when-pattern-does-not",
         source=(RW1_PROPS + ": 'the rule action is performed only if the current URL does not match the specified "
                 "pattern.'"),
         levels=[("/", [rule("n", "^api/(.*)", rewrite("x"), match={"negate": True})])], request={"url": "/home"},
         expect={"matched_rules": ["n"], "captures": {"n": {"R": [], "C": []}}}),
    dict(id="negate-no-match-when-pattern-matches",
         source=RW1_PROPS + ": 'the rule action is performed only if the current URL does not match'",
         levels=[("/", [rule("n", "^api/", match={"negate": True})])], request={"url": "/api/x"},
         expect={"matched_rules": []}),
    dict(id="negated-match-captures-nothing-so-back-reference-is-empty",
         source=(RW1_BACK + ": back-references come from 'putting parenthesis around the part of the pattern'; a "
                 "negated pattern did not match, so {R:1} is empty"),
         levels=[("/", [rule("n", "^(api)/", rewrite("x/{R:1}"), match={"negate": True})])], request={"url": "/home"},
         expect={"final": {"url": "x/"}}),
    dict(id="empty-capture",
         source=(RW1_BACK + ": '{R:0} and {C:0}, will contain the matched string' (an optional group that did "
                 "not take part is empty)"),
         levels=[("/", [rule("e", "^a(b)?$", rewrite("x{R:1}y"))])], request={"url": "/a"},
         expect={"final": {"url": "xy"}, "captures": {"e": {"R": ["a", ""]}}}),
    dict(id="empty-path-matches-dot-star",
         source="GD 'Defining a pattern': 'pattern will match any URL string, including an empty string'",
         levels=[("/", [rule("root", "^(.*)$", rewrite("index.html"))])], request={"url": "/"},
         expect={"final": {"rooted_url": "/index.html"}, "captures": {"root": {"R": ["", ""]}}}),
    dict(id="wildcard-captures-stars",
         source=(RW1_BACK + ": 'the pattern */*.html will capture contoso and test in back-references from this "
                 "requested URL: contoso/test.html.'"),
         levels=[("/", [rule("w", "*/*.html", rewrite("{R:2}/{R:1}"), pattern_syntax="Wildcard")])],
         request={"url": "/contoso/test.html"},
         expect={"captures": {"w": {"R": ["contoso/test.html", "contoso", "test"]}}, "final": {"url": "test/contoso"}}),
    dict(id="wildcard-question-mark-no-capture",
         source=("RW1 'Rule pattern syntax': '\"?\" means match exactly one character (no back-reference is "
                 "created).'"),
         levels=[("/", [rule("w", "a?c", pattern_syntax="Wildcard")])], request={"url": "/abc"},
         expect={"captures": {"w": {"R": ["abc"]}}}),
    dict(id="ecmascript-back-references",
         source=RW1_BACK + ": 'the pattern ([0-9]+)/([a-z]+)\\.html will capture 07 and article'",
         levels=[("/", [rule("b", "([0-9]+)/([a-z]+)\\.html", rewrite("article.aspx?id={R:1}&t={R:2}"))])],
         request={"url": "/07/article.html"},
         expect={"final": {"url": "article.aspx?id=07&t=article"}}),
    dict(id="exact-match",
         source=("UNCONFIRMED for inbound rules: the one Microsoft sentence on ExactMatch is in RW2's OUTBOUND 'Rule "
                 "Pattern Syntax': 'ExactMatch - exact string search is performed within the input string'. Here the "
                 "input equals the pattern, so the case holds whether IIS compares the whole input (the engine) or "
                 "searches within it"),
         levels=[("/", [rule("x", "old.html", rewrite("new.html"), pattern_syntax="ExactMatch")])],
         request={"url": "/old.html"}, expect={"final": {"rooted_url": "/new.html"}}),
    dict(id="exact-match-has-no-regex-meaning",
         source=("RW2 (outbound) 'Rule Pattern Syntax': 'exact string search': '.' is no wildcard, and 'oldxhtml' "
                 "does not contain 'old.html', under either reading (whole input or within it; UNCONFIRMED which)"),
         levels=[("/", [rule("x", "old.html", pattern_syntax="ExactMatch")])],
         request={"url": "/oldxhtml"}, expect={"matched_rules": []}),
    dict(id="disabled-rule-skipped",
         source=("RW1 'Rule action' ('A rewrite rule action is performed when...'); enabled=false rules are not "
                 "evaluated (schema attribute enabled)"),
         levels=[("/", [rule("off", "(.*)", rewrite("x"), enabled=False)])], request={"url": "/a"},
         expect={"matched_rules": [], "final": {"type": "None"}}),
    # -- conditions --------------------------------------------------------------------------------
    dict(id="match-all-fails-on-one",
         source=RW1_COND + ": 'All conditions were evaluated as true, provided that logicalGrouping=\"MatchAll\"'",
         levels=[("/", [rule("a", conditions=[{"input": "{HTTP_HOST}", "pattern": "^www\\."},
                                              {"input": "{HTTPS}", "pattern": "^ON$"}])])],
         request={"url": "/", "host": "www.example.com"}, expect={"matched_rules": []}),
    dict(id="match-any-one-is-enough",
         source=(RW1_COND + ": 'At least one of the conditions was evaluated as true, provided that "
                 "logicalGrouping=\"MatchAny\"'"),
         levels=[("/", [rule("a", logical_grouping="MatchAny",
                             conditions=[{"input": "{HTTP_HOST}", "pattern": "^www\\."},
                                         {"input": "{HTTPS}", "pattern": "^ON$"}])])],
         request={"url": "/", "host": "example.com", "https": True}, expect={"matched_rules": ["a"]}),
    dict(id="match-any-none",
         source=RW1_COND + ": 'At least one of the conditions was evaluated as true'",
         levels=[("/", [rule("a", logical_grouping="MatchAny",
                             conditions=[{"input": "{HTTP_HOST}", "pattern": "^www\\."}])])],
         request={"url": "/", "host": "example.com"}, expect={"matched_rules": []}),
    dict(id="condition-negate",
         source=RW1_COND + ": 'the result of the condition evaluation can be negated by using the negate attribute'",
         levels=[("/", [rule("n", conditions=[{"input": "{HTTP_HOST}", "pattern": "^www\\.", "negate": True}])])],
         request={"url": "/", "host": "example.com"}, expect={"matched_rules": ["n"]}),
    dict(id="c-from-last-matched-condition",
         source=(RW2_TRACK + ": 'The back-reference {C:1} will always contain the value of the capture group from "
                 "the second condition'"),
         levels=[("/", [rule("c", "(.*)", rewrite("x?{C:1}", append_query_string=False),
                             conditions=[{"input": "{QUERY_STRING}", "pattern": "p1=([0-9]+)"},
                                         {"input": "{QUERY_STRING}", "pattern": "p2=([a-z]+)"}])])],
         request={"url": "/a?p1=123&p2=abc"},
         expect={"final": {"url": "x?abc"}, "captures": {"c": {"C": ["p2=abc", "abc"]}}}),
    dict(id="track-all-captures",
         source=RW2_TRACK + ": '{C:0} - \"/article/23/\" {C:1} - \"article\" {C:2} - \"23\" {C:3} - \"abc\"'",
         levels=[("/", [rule("t", "(.*)", track_all_captures=True,
                             conditions=[{"input": "{REQUEST_URI}", "pattern": "^/([a-z]+)/([0-9]+)/"},
                                         {"input": "{QUERY_STRING}", "pattern": "p2=([a-z]+)"}])])],
         request={"url": "/article/23/?p1=123&p2=abc"},
         expect={"captures": {"t": {"C": ["/article/23/", "article", "23", "abc"]}}}),
    dict(id="condition-input-uses-previous-condition-capture",
         source=(RW1_BACK + ": 'Within a condition input string, you can use the back-references to the rule "
                 "pattern and to the previously matched condition.'"),
         levels=[("/", [rule("p", "^(\\w+)$", conditions=[{"input": "{HTTP_HOST}", "pattern": "^(\\w+)\\."},
                                                          {"input": "{C:1}-{R:1}", "pattern": "^www-home$"}])])],
         request={"url": "/home", "host": "www.example.com"}, expect={"matched_rules": ["p"]}),
    dict(id="negated-condition-keeps-previous-captures",
         source=(RW1_BACK + ": 'Within a rule action, you can use the back-references to the rule pattern and to "
                 "the last matched condition of that rule.' UNCONFIRMED: whether a negated condition that holds "
                 "(its pattern did not match) counts as 'matched'; the engine: it captured nothing, so {C:N} stay "
                 "those of the condition before it"),
         levels=[("/", [rule("k", "(.*)", rewrite("{C:1}"), conditions=[
             {"input": "{HTTP_HOST}", "pattern": "^(\\w+)\\."},
             {"input": "{HTTP_HOST}", "pattern": "^(admin)\\.", "negate": True}])])],
         request={"url": "/", "host": "www.example.com"}, expect={"final": {"url": "www"}}),
    dict(id="is-file-negated-spa-fallback",
         source=(RW1_COND + ": 'IsFile - ... whether the input string contains a physical path to a file on a file "
                 "system' and negate 'checks if the requested URL is NOT a file'"),
         levels=[("/", [rule("spa", "(.*)", rewrite("index.html"), conditions=[
             {"input": "{REQUEST_FILENAME}", "match_type": "IsFile", "negate": True}])])],
         request={"url": "/app/route", "files": ["/index.html"]}, expect={"final": {"rooted_url": "/index.html"}}),
    dict(id="is-file-existing-file-left-alone",
         source=RW1_COND + ": 'IsFile - ... whether the input string contains a physical path to a file'",
         levels=[("/", [rule("spa", "(.*)", rewrite("index.html"), conditions=[
             {"input": "{REQUEST_FILENAME}", "match_type": "IsFile", "negate": True}])])],
         request={"url": "/static/App.css", "files": ["C:\\inetpub\\wwwroot\\static\\app.css"]},
         expect={"matched_rules": [], "final": {"type": "None"}}),
    dict(id="is-directory",
         source=RW1_COND + ": 'IsDirectory - ... whether the input string contains a physical path to a directory'",
         levels=[("/", [rule("dir", "(.*)",
                             conditions=[{"input": "{REQUEST_FILENAME}", "match_type": "IsDirectory"}])])],
         request={"url": "/docs", "dirs": ["/docs"]}, expect={"matched_rules": ["dir"]}),
    dict(id="is-file-no-input-is-the-requested-file",
         source=(RW1_COND + ": 'IsFile - ... If a condition input string is not specified, the URL Rewrite Module "
                 "uses the physical path of the requested file as a default value for the condition input.'"),
         levels=[("/", [rule("spa", "(.*)", rewrite("index.html"), conditions=[
             {"match_type": "IsFile", "negate": True}])])],
         request={"url": "/static/app.css", "files": ["/static/app.css"]},
         expect={"matched_rules": [], "final": {"type": "None"}}),
    dict(id="is-file-no-input-missing-file-falls-back",
         source=(RW1_COND + ": 'IsFile - ... If a condition input string is not specified, the URL Rewrite Module "
                 "uses the physical path of the requested file as a default value for the condition input.'"),
         levels=[("/", [rule("spa", "(.*)", rewrite("index.html"), conditions=[
             {"input": "", "match_type": "IsFile", "negate": True}])])],
         request={"url": "/app/route", "files": ["/index.html", ""]},
         expect={"matched_rules": ["spa"], "final": {"rooted_url": "/index.html"}}),
    dict(id="is-directory-no-input-is-the-requested-path",
         source=(RW1_COND + ": 'IsDirectory - ... If a condition input string is not specified, the URL Rewrite "
                 "Module uses the physical path of the requested file as a default value for the condition input.'"),
         levels=[("/", []), ("/app", [rule("dir", "(.*)", conditions=[{"match_type": "IsDirectory"}])])],
         request={"url": "/app/docs", "dirs": ["C:\\inetpub\\wwwroot\\app\\docs"]},
         expect={"matched_rules": ["dir"]}),
    # -- evaluation order ----------------------------------------------------------------------------
    dict(id="rewrite-feeds-next-rule",
         source=(RW1_EVAL + ": 'goes on to the next rule, where it uses the substituted URL as an input for that "
                 "rule.'"),
         levels=[("/", [rule("one", "^a$", rewrite("b")), rule("two", "^b$", rewrite("c"))])],
         request={"url": "/a"}, expect={"matched_rules": ["one", "two"], "final": {"rooted_url": "/c"}}),
    dict(id="stop-processing",
         source=(RW1_EVAL + ": 'When the rule action is performed ... and this flag is turned on, it means that no "
                 "more subsequent rules will be processed'"),
         levels=[("/", [rule("one", "^a$", rewrite("b"), stop_processing=True), rule("two", "^b$", rewrite("c"))])],
         request={"url": "/a"}, expect={"matched_rules": ["one"], "final": {"rooted_url": "/b"}}),
    dict(id="continue-without-stop",
         source=RW1_EVAL + ": 'By default, this flag is turned off.'",
         levels=[("/", [rule("one", "(.*)"), rule("two", "(.*)")])],
         request={"url": "/a"}, expect={"matched_rules": ["one", "two"]}),
    dict(id="rewrite-then-redirect",
         source=(RW1_EVAL + ": the rewritten URL 'is used as input to the subsequent rule'; " + RW1_REDIRECT
                 + ": 'The Location field of the response contains the substitution string'"),
         levels=[("/", [rule("rw", "^old/(.*)", rewrite("new/{R:1}")),
                        rule("rd", "^new/(.*)", redirect("https://example.com/{R:1}", redirect_type="Found"))])],
         request={"url": "/old/page?q=1"},
         expect={"matched_rules": ["rw", "rd"],
                 "final": {"type": "Redirect", "status": 302, "url": "https://example.com/page?q=1"}}),
    dict(id="redirect-ends-evaluation",
         source=RW1_REDIRECT + ": 'Usage of a Redirect action implies that no subsequent rules evaluated'",
         levels=[("/", [rule("rd", "(.*)", redirect("/x")), rule("after", "(.*)")])],
         request={"url": "/a"}, expect={"matched_rules": ["rd"]}),
    dict(id="global-then-distributed",
         source=(GD + ": 'Global rule set is always evaluated first, and after that distributed rule set will be "
                 "evaluated by using a URL string produced by global rule set.'"),
         global_rules=[rule("Subdomain mapping", "(.*)", rewrite("{C:1}/{R:1}"),
                            conditions=[{"input": "{HTTP_HOST}", "pattern": "^([^_]+)_[^_]+"}])],
         levels=[("/", []), ("/blog", [rule("article", "^article/(\\d+)/([^/]+)/?$",
                                            rewrite("article.aspx?id={R:1}&title={R:2}"))])],
         request={"url": "/article/234/some-title", "host": "blog_localhost"},
         expect={"matched_rules": ["Subdomain mapping", "article"],
                 "final": {"rooted_url": "/blog/article.aspx?id=234&title=some-title"}}),
    dict(id="parent-rules-before-child",
         source=(RW1_INHERIT + ": 'parent rules are evaluated first and the rules defined on a last child level are "
                 "evaluated last.'"),
         levels=[("/", [rule("parent", "(.*)")]), ("/myApp", [rule("child", "(.*)")])],
         request={"url": "/myApp/x"}, expect={"matched_rules": ["parent", "child"]}),
    dict(id="child-level-not-for-other-folder",
         source=(RW1_INHERIT + ": 'distributed rules from parent configuration levels as well as rules from the "
                 "current configuration level'"),
         levels=[("/", [rule("parent", "(.*)")]), ("/myApp", [rule("child", "(.*)")])],
         request={"url": "/other/x"}, expect={"matched_rules": ["parent"]}),
    dict(id="folder-compare-case-insensitive",
         source=("RW1 'Rewrite Rules Scope': 'Distributed rules operate on the URL path, relative to the location "
                 "of the Web.config file' (IIS URL paths are case-insensitive)"),
         levels=[("/", []), ("/myApp", [rule("child", "^help$")])],
         request={"url": "/MYAPP/help"}, expect={"matched_rules": ["child"]}),
    # -- actions and the query string ----------------------------------------------------------------
    dict(id="append-query-string-default",
         source=(RW1_REWRITE + ": 'By default, if the value of the appendQueryString flag is not specified, it is "
                 "assumed to be TRUE. This means that the query string from the original URL is appended'"),
         levels=[("/", [rule("r", "^a$", rewrite("b"))])], request={"url": "/a?x=1"},
         expect={"final": {"url": "b?x=1", "rooted_url": "/b?x=1"}}),
    dict(id="append-query-string-off",
         source=(RW1_REWRITE + ": 'appendQueryString - Specifies whether the query string from the current URL is "
                 "preserved during substitution.'"),
         levels=[("/", [rule("r", "^a$", rewrite("b", append_query_string=False))])], request={"url": "/a?x=1"},
         expect={"final": {"url": "b"}}),
    dict(id="append-query-string-to-substitution-with-query",
         source=(RW1_REWRITE + ": 'the query string from the original URL is appended to the substituted URL.' "
                 "(joined with '&' when the substitution has one)"),
         levels=[("/", [rule("r", "^a$", rewrite("b?y=2"))])], request={"url": "/a?x=1"},
         expect={"final": {"url": "b?y=2&x=1"}}),
    dict(id="no-query-nothing-appended",
         source=RW1_REWRITE + ": 'the query string from the original URL is appended' (there is none)",
         levels=[("/", [rule("r", "^a$", rewrite("b"))])], request={"url": "/a"}, expect={"final": {"url": "b"}}),
    dict(id="rewrite-absolute-is-proxy",
         source=("RW1 'Rewrite action' with ARR (Microsoft, 'Reverse Proxy with URL Rewrite v2 and Application "
                 "Request Routing'): a Rewrite to http://host/ is forwarded by ARR"),
         levels=[("/", [rule("p", "(.*)", rewrite("http://backend:8080/{R:1}"))])], request={"url": "/x"},
         expect={"final": {"type": "Rewrite", "proxy": True, "rooted_url": "http://backend:8080/x"}}),
    dict(id="rewrite-rooted-path",
         source=RW1_REWRITE + ": 'A substitution string must always specify the URL path'",
         levels=[("/", []), ("/myApp", [rule("r", "^a$", rewrite("/top/b"))])], request={"url": "/myApp/a"},
         expect={"final": {"url": "/top/b", "rooted_url": "/top/b", "proxy": False}}),
    dict(id="redirect-permanent-default",
         source=RW1_REDIRECT + ": 'redirectType - 301 - Permanent' (schema default Permanent)",
         levels=[("/", [rule("rd", "^old$", redirect("new"))])], request={"url": "/old", "host": "example.com"},
         expect={"final": {"type": "Redirect", "status": 301, "rooted_url": "http://example.com/new"}}),
    dict(id="redirect-see-other",
         source=RW1_REDIRECT + ": '303 - See other'",
         levels=[("/", [rule("rd", "(.*)", redirect("/x", redirect_type="SeeOther"))])], request={"url": "/a"},
         expect={"final": {"status": 303}}),
    dict(id="redirect-temporary-https-relative",
         source=(RW1_REDIRECT + ": 'redirectType ... 307 - Temporary'; 'The Location field of the response "
                 "contains the substitution string specified in the rule' (url 'b', a 'Relative URL path'). "
                 "UNCONFIRMED: rooted_url, the absolute Location; IIS's IHttpResponse::Redirect: 'If the URL ... is "
                 "a relative path, the URL will be converted to an absolute URL within the request domain' (Microsoft, "
                 "'IHttpResponse::Redirect Method', Remarks), not documented for URL Rewrite, nor that the rule's "
                 "folder is its base"),
         levels=[("/", []), ("/app", [rule("rd", "^a$", redirect("b", redirect_type="Temporary"))])],
         request={"url": "/app/a", "host": "example.com", "https": True},
         expect={"final": {"status": 307, "url": "b", "rooted_url": "https://example.com/app/b"}}),
    dict(id="custom-response",
         source=("RW1 'CustomResponse action': 'respond to the HTTP client by using a user-specified status code, "
                 "subcode, and reason'"),
         levels=[("/", [rule("block", "^secret", {"type": "CustomResponse", "status_code": 403, "sub_status_code": 7,
                                                  "status_reason": "Forbidden", "status_description": "No"}),
                        rule("after", "(.*)")])],
         request={"url": "/secret/x"},
         expect={"matched_rules": ["block"],
                 "final": {"type": "CustomResponse", "status": 403, "sub_status": 7, "reason": "Forbidden",
                           "description": "No"}}),
    dict(id="abort-request",
         source="RW1 'AbortRequest action': 'drop the HTTP connection ... no subsequent rules are evaluated'",
         levels=[("/", [rule("drop", "^x", {"type": "AbortRequest"}), rule("after", "(.*)")])],
         request={"url": "/x"}, expect={"matched_rules": ["drop"], "final": {"type": "AbortRequest"}}),
    dict(id="none-action",
         source="RW1 'None action': 'A None action is used to specify that no action is performed.'",
         levels=[("/", [rule("noop", "(.*)")])], request={"url": "/x?y=1"},
         expect={"matched_rules": ["noop"], "final": {"type": "None", "rooted_url": "/x?y=1"}}),
    # -- server variables, maps, functions -------------------------------------------------------------
    dict(id="server-variables-of-request",
         source=(RW1_PARTS + ": 'The HTTP_HOST server variable contains www.mysite.com. The SERVER_PORT server "
                 "variable contains 80. ... HTTPS contains OFF.'"),
         levels=[("/", [rule("v", "(.*)", rewrite("{HTTP_HOST}|{SERVER_PORT}|{HTTPS}|{SERVER_PORT_SECURE}",
                                                  append_query_string=False))])],
         request={"url": "/content/default.aspx?tabid=2", "host": "www.mysite.com"},
         expect={"final": {"url": "www.mysite.com|80|OFF|0"}}),
    dict(id="request-uri-has-query",
         source=RW1_PARTS + ": 'The REQUEST_URI server variable contains /content/default.aspx?tabid=2&subtabid=3.'",
         levels=[("/", [rule("v", "(.*)", redirect("http://x{REQUEST_URI}", append_query_string=False))])],
         request={"url": "/content/default.aspx?tabid=2&subtabid=3"},
         expect={"final": {"url": "http://x/content/default.aspx?tabid=2&subtabid=3"}}),
    dict(id="header-as-server-variable",
         source=(RW1_VARS + ": 'in order to access the HTTP header \"user-agent\" ... use the {HTTP_USER_AGENT} server "
                 "variable.'"),
         levels=[("/", [rule("ua", conditions=[{"input": "{HTTP_USER_AGENT}", "pattern": "^curl/"}])])],
         request={"url": "/", "headers": {"user-agent": "curl/8.0"}}, expect={"matched_rules": ["ua"]}),
    dict(id="set-server-variable-produces-header",
         source=(RW2_HEADERS + ": 'If a server variable name in the <serverVariables> collection starts with "
                 "\"HTTP_\" then this results in an HTTP request header being set' (x-original-host)"),
         levels=[("/", [rule("s", "(.*)", server_variables=[{"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"},
                                                            {"name": "X_PLAIN", "value": "1"}])])],
         request={"url": "/", "host": "example.com"},
         expect={"server_variables": {"HTTP_X_ORIGINAL_HOST": "example.com", "X_PLAIN": "1"},
                 "request_headers": {"x-original-host": "example.com"}}),
    dict(id="set-server-variable-replace-false-keeps-existing",
         source=(RW2_SET + ": 'Replace flag - specifies whether to overwrite the value of the server variable if it "
                 "already exists.'"),
         levels=[("/", [rule("s", "(.*)", server_variables=[{"name": "HTTP_X_ORIGINAL_HOST", "value": "new",
                                                             "replace": False}])])],
         request={"url": "/", "headers": {"X-Original-Host": "old"}},
         expect={"server_variables": {}, "request_headers": {}}),
    dict(id="set-server-variable-replace-default-overwrites",
         source=RW2_SET + ": 'By default the replace functionality is enabled.'",
         levels=[("/", [rule("s", "(.*)", server_variables=[{"name": "HTTP_X_ORIGINAL_HOST", "value": "new"}])])],
         request={"url": "/", "headers": {"X-Original-Host": "old"}},
         expect={"request_headers": {"x-original-host": "new"}}),
    dict(id="variable-set-by-earlier-rule-seen-later",
         source=RW2_SET + ": server variables set by a rule; " + RW1_VARS + ": '{VARIABLE_NAME} syntax'",
         levels=[("/", [rule("s", "(.*)", server_variables=[{"name": "X_FLAG", "value": "on"}]),
                        rule("t", "(.*)", conditions=[{"input": "{X_FLAG}", "pattern": "^on$"}])])],
         request={"url": "/"}, expect={"matched_rules": ["s", "t"]}),
    dict(id="map-lookup",
         source=(RW1_MAPS + ": 'A reference to a rewrite map gets substituted with the value that was looked up by "
                 "using the key'"),
         maps=[MAP],
         levels=[("/", [rule("m", "(.*)", rewrite("{C:1}", append_query_string=False),
                             conditions=[{"input": "{Static:{REQUEST_URI}}", "pattern": "(.+)"}])])],
         request={"url": "/old"}, expect={"final": {"rooted_url": "/new"}}),
    dict(id="map-missing-key-empty-default",
         source=(RW1_MAPS + ": 'the rewrite map will return an empty string which will not match the condition "
                 "pattern, hence the rule action will not be performed.'"),
         maps=[MAP],
         levels=[("/", [rule("m", "(.*)", rewrite("{C:1}"),
                             conditions=[{"input": "{Static:{REQUEST_URI}}", "pattern": "(.+)"}])])],
         request={"url": "/default.aspx"}, expect={"matched_rules": []}),
    dict(id="map-ignore-case-default",
         source="RW1 'Rewrite maps' / schema rewriteMap ignoreCase default true",
         maps=[MAP],
         levels=[("/", [rule("m", "(.*)", rewrite("{Static:{REQUEST_URI}}"))])],
         request={"url": "/DOCS"}, expect={"final": {"rooted_url": "/manual"}}),
    dict(id="map-default-value-and-case-sensitive",
         source=RW1_MAPS + ": 'a rewrite map can specify the default value to use when a key is not found.'",
         maps={"Hosts": MAP_DEFAULT},
         levels=[("/", [rule("m", "(.*)", rewrite("{Hosts:{HTTP_HOST}}/{hosts:a.example}"))])],
         request={"url": "/", "host": "A.example"}, expect={"final": {"url": "fallback/alpha"}}),
    dict(id="to-lower",
         source=RW1_FUNCS + ": 'ToLower - returns the input string converted to lower case.'",
         levels=[("/", [rule("l", "(.*)", redirect("/{ToLower:{R:1}}"))])], request={"url": "/About/Us"},
         expect={"final": {"url": "/about/us"}}),
    dict(id="url-encode",
         source=(RW1_FUNCS + ": 'UrlEncode - returns the input string converted to URL-encoded format.' ('&' -> "
                 "'%26' in any URL encoding.) UNCONFIRMED: a space as '%20' (the engine) or '+' (.NET "
                 "HttpUtility.UrlEncode); the page does not say"),
         levels=[("/", [rule("e", "^go/(.*)", rewrite("x?to={UrlEncode:{R:1}}"))])], request={"url": "/go/a b&c"},
         expect={"final": {"url": "x?to=a%20b%26c"}}),
    dict(id="url-decode",
         source=(RW1_FUNCS + ": 'UrlDecode - decodes the URL-encoded input string. This function can be used to "
                 "decode a condition input'"),
         levels=[("/", [rule("d", "(.*)", conditions=[{"input": "{UrlDecode:{QUERY_STRING}}", "pattern": "a b"}])])],
         request={"url": "/?q=a%20b"}, expect={"matched_rules": ["d"]}),
    dict(id="escape-data-string",
         source=("UNCONFIRMED: no Microsoft URL Rewrite page in reach documents EscapeDataString; the engine "
                 "follows .NET System.Uri.EscapeDataString (RFC 3986 unreserved kept), docs/rewrite-engine.md"),
         levels=[("/", [rule("e", "^go/(.*)", rewrite("x?to={EscapeDataString:{R:1}}"))])],
         request={"url": "/go/a~b c/d"}, expect={"final": {"url": "x?to=a~b%20c%2Fd"}}),
    dict(id="condition-ignore-case-default",
         source=(RW1_COND + ": 'ignoreCase - Use this attribute to control whether pattern matching for the "
                 "condition should be case sensitive' (schema default true)"),
         levels=[("/", [rule("c", conditions=[{"input": "{HTTP_HOST}", "pattern": "^WWW\\."}])])],
         request={"url": "/", "host": "www.example.com"}, expect={"matched_rules": ["c"]}),
    dict(id="condition-ignore-case-false",
         source=(RW1_COND + ": 'ignoreCase - Use this attribute to control whether pattern matching for the "
                 "condition should be case sensitive'"),
         levels=[("/", [rule("c", conditions=[{"input": "{HTTP_HOST}", "pattern": "^WWW\\.",
                                              "ignore_case": False}])])],
         request={"url": "/", "host": "www.example.com"}, expect={"matched_rules": []}),
    dict(id="conditions-use-rule-wildcard-syntax",
         source=("RW1 'Rule pattern syntax': 'it applies to the current rule's pattern and to all patterns used "
                 "within conditions of that rule.'"),
         levels=[("/", [rule("w", "*", pattern_syntax="Wildcard",
                             conditions=[{"input": "{HTTP_HOST}", "pattern": "*.example.com"}])])],
         request={"url": "/a", "host": "shop.example.com"},
         expect={"captures": {"w": {"R": ["a", "a"], "C": ["shop.example.com", "shop"]}}}),
    dict(id="host-to-www-redirect-keeps-path",
         source=RW1_BACK + " (the rule example: {C:1} from the host condition and {R:0} in a Redirect url)",
         levels=[("/", [rule("www", "(.*)", redirect("http://www.{C:1}/{R:1}"),
                             conditions=[{"input": "{HTTP_HOST}", "pattern": "^(example\\.com)$"}])])],
         request={"url": "/a/b?x=1", "host": "example.com"},
         expect={"final": {"type": "Redirect", "status": 301, "url": "http://www.example.com/a/b?x=1"}}),
    dict(id="https-redirect-off-only",
         source=RW1_PARTS + ": 'SERVER_PORT_SECURE contains 0 and HTTPS contains OFF.'",
         levels=[("/", [rule("https", "(.*)", redirect("https://{HTTP_HOST}/{R:1}", append_query_string=False),
                             conditions=[{"input": "{HTTPS}", "pattern": "^OFF$"}])])],
         request={"url": "/x", "host": "example.com", "https": True}, expect={"matched_rules": []}),
    dict(id="server-port-explicit",
         source=RW1_PARTS + ": 'The <port> is available in the server variable SERVER_PORT'",
         levels=[("/", [rule("p", conditions=[{"input": "{SERVER_PORT}", "pattern": "^8080$"}])])],
         request={"url": "/", "port": 8080}, expect={"matched_rules": ["p"]}),
    dict(id="given-server-variable-wins",
         source=(RW1_VARS + ": 'Server variables provide additional information about current HTTP requests.' "
                 "(a request given with its own variable value)"),
         levels=[("/", [rule("v", conditions=[{"input": "{REMOTE_ADDR}", "pattern": "^10\\."}])])],
         request={"url": "/", "server_variables": {"REMOTE_ADDR": "10.1.2.3"}}, expect={"matched_rules": ["v"]}),
    dict(id="map-key-from-back-reference",
         source=(RW1_MAPS + ": 'the Key parameter can be any arbitrary string, and can include back-references to "
                 "rule or condition patterns.'"),
         maps=[MAP],
         levels=[("/", [rule("m", "^(.*)$", rewrite("{Static:/{R:1}}", append_query_string=False))])],
         request={"url": "/old?q=1"}, expect={"final": {"url": "/new"}}),
    dict(id="nested-functions",
         source=(RW1_FUNCS + ": '\"Any_string\" can be either a literal string or a string built by using server "
                 "variables or back-references.'"),
         levels=[("/", [rule("n", "^(.*)$", rewrite("{ToLower:{UrlDecode:{R:1}}}"))])],
         request={"url": "/A%42C"}, expect={"final": {"url": "abc"}}),
    dict(id="rewrite-then-stop-leaves-child-level",
         source=(RW1_EVAL + ": 'no more subsequent rules will be processed'; " + RW1_INHERIT
                 + " (parent and child rules are one rule set)"),
         levels=[("/", [rule("p", "^myApp/(.*)", rewrite("myApp/x/{R:1}"), stop_processing=True)]),
                 ("/myApp", [rule("child", "(.*)")])],
         request={"url": "/myApp/a"}, expect={"matched_rules": ["p"], "final": {"rooted_url": "/myApp/x/a"}}),
    # -- the reverse_proxy role's rule ---------------------------------------------------------------------
    dict(id="reverse-proxy-role-rule",
         source=("Microsoft, 'Reverse Proxy with URL Rewrite v2 and Application Request Routing' (the Rewrite to "
                 "http://localhost:8081/{R:1}); RW2_HEADERS for X-Original-Host"),
         levels=[("/", [PROXY_RULE])],
         request={"url": "/myApp/help?x=1", "host": "www.example.com"},
         expect={"matched_rules": ["ReverseProxy"],
                 "captures": {"ReverseProxy": {"R": ["myApp/help", "myApp/help"], "C": ["http://", "http"]}},
                 "final": {"type": "Rewrite", "url": "http://127.0.0.1:50100/myApp/help?x=1",
                           "rooted_url": "http://127.0.0.1:50100/myApp/help?x=1", "proxy": True},
                 "server_variables": {"HTTP_X_FORWARDED_PROTO": "http", "HTTP_X_ORIGINAL_HOST": "www.example.com"},
                 "request_headers": {"x-forwarded-proto": "http", "x-original-host": "www.example.com"}}),
    dict(id="reverse-proxy-role-rule-https",
         source=(RW1_PARTS + ": 'Server variables SERVER_PORT_SECURE and HTTPS can be used to determine if a secure "
                 "connection was used.' ({CACHE_URL} starts with https://)"),
         levels=[("/", [PROXY_RULE, rule("later", "(.*)")])],
         request={"url": "/", "host": "www.example.com", "https": True},
         expect={"matched_rules": ["ReverseProxy"], "request_headers": {"x-forwarded-proto": "https"}}),
    # -- allowedServerVariables -------------------------------------------------------------------
    dict(id="variable-not-allowed-gives-500-50",
         source=FACTS_ALLOWED,
         levels=[("/", [PROXY_RULE])], allowed=["HTTP_X_FORWARDED_PROTO"],
         request={"url": "/myApp/help", "host": "www.example.com"},
         expect={"matched_rules": ["ReverseProxy"],
                 "final": {"type": "Error", "status": 500, "sub_status": 50, "proxy": False,
                           "description": 'The server variable "HTTP_X_ORIGINAL_HOST" is not allowed to be set. '
                                          "Add the server variable name to the allowed server variable list."}}),
    dict(id="allowed-names-compare-case-insensitively",
         source=FACTS_ALLOWED + " (collection keys are case-insensitive)",
         levels=[("/", [PROXY_RULE])], allowed=["http_x_forwarded_proto", "Http_X_Original_Host"],
         request={"url": "/a", "host": "h.example"},
         expect={"final": {"type": "Rewrite", "url": "http://127.0.0.1:50100/a", "proxy": True},
                 "request_headers": {"x-original-host": "h.example"}}),
    dict(id="global-rule-sets-any-variable",
         source=FACTS_ALLOWED,
         global_rules=[rule("g", "(.*)", server_variables=[{"name": "HTTP_X_ANY", "value": "1"}])], allowed=[],
         request={"url": "/a"},
         expect={"final": {"type": "None"}, "request_headers": {"x-any": "1"}}),
]


def _subset(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r}"
        if not expected:
            assert actual == {}, f"{where}: {actual!r} should be empty"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing in {actual!r}"
            _subset(actual[key], value, f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_table(case):
    assert case["source"]
    ruleset = RuleSet(global_rules=case.get("global_rules", []), levels=case.get("levels", []),
                      maps=case.get("maps"), allowed_server_variables=case.get("allowed"))
    _subset(evaluate(ruleset, case["request"]), case["expect"], "result")


def test_case_table_size_and_unique_ids():
    assert len(CASES) >= 80
    assert len({c["id"] for c in CASES}) == len(CASES)


def test_unconfirmed_cases_are_listed_in_the_docs():
    # a case whose expectation is the engine's choice says UNCONFIRMED, and docs/rewrite-engine.md names it
    docs = (Path(__file__).parents[4] / "docs" / "rewrite-engine.md").read_text(encoding="utf-8")
    section = docs.split("## UNCONFIRMED", 1)[1].split("\n## ", 1)[0]
    unconfirmed = [c["id"] for c in CASES if "UNCONFIRMED" in c["source"]]
    assert {"exact-match", "url-encode", "negated-condition-keeps-previous-captures",
            "redirect-temporary-https-relative"} <= set(unconfirmed)
    assert [i for i in unconfirmed if f"`{i}`" not in section] == []


def test_patterns_compile_once_per_rule_set(monkeypatch):
    calls = []
    real = engine_patterns.to_python_regex

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_patterns, "to_python_regex", counting)
    ruleset = RuleSet(levels=[("/", [PROXY_RULE, rule("b", "^b$")])])
    assert len(calls) == 3  # two match patterns and one condition
    for n in range(5):
        evaluate(ruleset, {"url": f"/p{n}"})
    assert len(calls) == 3


def test_custom_provider_is_unsupported():
    ruleset = RuleSet(levels=[("/", [rule("p", "(.*)", rewrite("{MyProvider:{R:1}}"))])])
    with pytest.raises(Unsupported, match="MyProvider.*custom rewrite providers are not emulated"):
        evaluate(ruleset, {"url": "/x"})


def test_outbound_rules_unsupported():
    with pytest.raises(Unsupported, match="outbound"):
        RuleSet(outbound_rules=[{"name": "o"}])


@pytest.mark.parametrize("kwargs, message", [
    ({"levels": [("/", [rule("bad", "(")])]}, "match.url '\\(' is not a valid ECMAScript pattern"),
    ({"levels": [("myApp", [])]}, "levels\\[0\\] folder must be a URL path starting with '/'.*'myApp'"),
    ({"levels": [("/a", []), ("/b", [])]}, "levels\\[1\\] folder '/b' must lie below"),
    ({"global_rules": [rule("g", conditions=[{"input": "{REQUEST_FILENAME}", "match_type": "IsFile"}])]},
     "IsFile can be used only for distributed rules"),
    ({"levels": [("/", [rule("x", action={"type": "Bogus"})])]}, "action.type must be one of"),
    ({"levels": [("/", ["not a rule"])]}, "rules\\[0\\] must be a rule"),
    ({"allowed_server_variables": "HTTP_X"}, "allowed_server_variables must be a list"),
])
def test_bad_rule_sets_name_the_part(kwargs, message):
    with pytest.raises(EngineError, match=message):
        RuleSet(**kwargs)


@pytest.mark.parametrize("request_, message", [
    ({"url": "no-slash"}, "request.url must be a path starting with '/'"),
    ({"url": "/", "port": 0}, "request.port must be a TCP port"),
    ({"url": "/", "colour": "red"}, "request.colour is not a request option"),
    ({"url": "/", "files": "/a"}, "request.files must be a list"),
])
def test_bad_requests_name_the_option(request_, message):
    with pytest.raises(EngineError, match=message):
        evaluate(RuleSet(), request_)


# Speed (issue 10, section 5): what does not depend on the request is prepared once per rule set, and the
# per-request work is done only for rules whose pattern matched. Behaviour is the case table's; these tests
# pin the work itself (counted, not timed). tests/benchmark/rewrite_engine.py measures the time.

def _counting(monkeypatch, owner: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


HOST_RULES = [rule(f"host{n}", f"^section{n}/(.*)$", rewrite("/s.aspx?p={R:1}"),
                   conditions=[{"input": "{HTTP_HOST}", "pattern": "^www\\.example\\.com$"}]) for n in range(20)]


def test_server_variables_are_built_only_for_a_matched_rule_that_reads_them(monkeypatch):
    calls = _counting(monkeypatch, Request, "variables")
    ruleset = RuleSet(levels=[("/", HOST_RULES + [rule("plain", "^plain/(.*)$", rewrite("/p/{R:1}"))])])
    assert evaluate(ruleset, {"url": "/plain/x"})["final"]["url"] == "/p/x"
    assert evaluate(ruleset, {"url": "/nothing"})["matched_rules"] == []
    assert not calls  # twenty rules read {HTTP_HOST}, none of them matched: no variables built
    result = evaluate(ruleset, {"url": "/section7/y", "host": "www.example.com"})
    assert result["matched_rules"] == ["host7"] and result["final"]["url"] == "/s.aspx?p=y"
    assert len(calls) == 1


def test_substitutions_are_parsed_once_per_rule_set(monkeypatch):
    calls = _counting(monkeypatch, engine_expand, "parse")
    ruleset = RuleSet(levels=[("/", [PROXY_RULE])], maps=[MAP])
    built = len(calls)
    assert built  # the condition input, the action URL and the two server variable values
    for n in range(5):
        assert evaluate(ruleset, {"url": f"/p{n}"})["final"]["url"] == f"http://127.0.0.1:50100/p{n}"
    assert len(calls) == built


def test_no_context_for_a_rule_that_does_not_match(monkeypatch):
    calls = _counting(monkeypatch, engine_evaluate, "Context")
    ruleset = RuleSet(levels=[("/", HOST_RULES + [PROXY_RULE])])
    assert evaluate(ruleset, {"url": "/elsewhere"})["matched_rules"] == ["ReverseProxy"]
    assert len(calls) == 1


def test_bad_back_reference_fails_when_its_rule_runs_not_when_the_set_is_built():
    ruleset = RuleSet(levels=[("/", [rule("bad", "^bad$", rewrite("/x/{R:x}")), rule("ok", "^ok$")])])
    assert evaluate(ruleset, {"url": "/ok"})["matched_rules"] == ["ok"]
    with pytest.raises(EngineError, match="rule 'bad': action.url: \\{R:x\\} is not a back-reference"):
        evaluate(ruleset, {"url": "/bad"})


def test_pattern_subject_follows_a_rewrite_within_the_rule_list():
    # a Rewrite changes what the next rule's pattern sees; a Rewrite out of the level's folder ends that level
    ruleset = RuleSet(levels=[("/", [rule("a", "^a/(.*)$", rewrite("/app/b/{R:1}"))]),
                              ("/app", [rule("b", "^b/(.*)$", rewrite("c/{R:1}")),
                                        rule("c", "^c/(.*)$", rewrite("/out/{R:1}")),
                                        rule("after", "(.*)", rewrite("/never"))])])
    result = evaluate(ruleset, {"url": "/a/x%20y"})
    assert result["matched_rules"] == ["a", "b", "c"]
    assert result["captures"]["c"]["R"] == ["c/x y", "x y"]
    assert result["final"]["rooted_url"] == "/out/x y"


# Hooks a caller (the emulated IIS front end) gives in Python, never from module input: which physical paths
# exist and where a URL path lives on disk (docs/rewrite-engine.md, "Request hooks").

SPA = RuleSet(levels=[("/", [rule("spa", "(.*)", rewrite("index.html"), conditions=[
    {"match_type": "IsFile", "negate": True}, {"match_type": "IsDirectory", "negate": True}])])])


def test_exists_hook_decides_is_file_and_is_directory():
    asked: list[str] = []

    def exists(path: str) -> str | None:
        asked.append(path)
        return {"c:\\site\\app.css": "file", "c:\\site\\docs": "dir"}.get(path.lower())

    def physical(path: str) -> str:
        return "C:\\site" + path.replace("/", "\\")

    for url, matched in (("/app.css", []), ("/docs", []), ("/route", ["spa"])):
        result = evaluate(SPA, Request(url=url, exists=exists, physical=physical, files=["/route"]))
        assert result["matched_rules"] == matched, url
    assert "C:\\site\\route" in asked  # the files list is not consulted when the hook is given


def test_physical_hook_gives_request_filename_and_appl_physical_path():
    ruleset = RuleSet(levels=[("/", [rule("v", "(.*)", server_variables=[
        {"name": "X_FILE", "value": "{REQUEST_FILENAME}"}, {"name": "X_APP", "value": "{APPL_PHYSICAL_PATH}"}])])])

    def physical(path: str) -> str:
        return "D:\\vdir" + path.replace("/", "\\")

    result = evaluate(ruleset, Request(url="/a/b.txt?q=1", physical=physical))
    assert result["server_variables"] == {"X_FILE": "D:\\vdir\\a\\b.txt", "X_APP": "D:\\vdir\\"}
    plain = evaluate(ruleset, Request(url="/a/b.txt", physical_root="E:\\www"))
    assert plain["server_variables"] == {"X_FILE": "E:\\www\\a\\b.txt", "X_APP": "E:\\www\\"}


@pytest.mark.parametrize("hook", ["exists", "physical"])
def test_hooks_are_not_request_options(hook):
    with pytest.raises(EngineError, match=f"request.{hook} is not a request option"):
        evaluate(RuleSet(), {"url": "/", hook: "x"})
