"""Benchmark: the URL Rewrite engine, and HTTP through the emulated IIS (issue 10, section 5).

    .venv/main/bin/python tests/benchmark/rewrite_engine.py               # 10,000 requests x 200 rules
    .venv/main/bin/python tests/benchmark/rewrite_engine.py --profile     # the same under cProfile
    .venv/main/bin/python tests/benchmark/rewrite_engine.py --http        # requests/s via emulated IIS vs direct

The engine part evaluates 10,000 requests against a 200-rule set (global rules, prefix rules with captures,
conditions on HTTP_HOST / HTTPS / QUERY_STRING, a rewrite map lookup, redirects, and the reverse-proxy rule
the reverse_proxy role writes at the end), requests that hit early, late and no rule, and prints the time,
the microseconds per request and the target (2 s) with PASS or FAIL. It is a figure, not a test: it is not
run by scripts/test.sh, and no test asserts a time.

``--http`` starts a fresh emulated host with IIS, the reverse-proxy rule, its allowed server variables and
ARR's proxy enabled, a waitress app on a free loopback port, and the emulated IIS front end
(``winhost.front.ensure_running``); it sends a bounded number of requests (a few threads, loopback only,
an overall time cap) through IIS and straight to the app, prints both requests/s and their ratio, and
stops every process it started (``winhost.processes.stop_all``), pass or fail.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from collection_path import make_importable  # tests/benchmark/collection_path.py

make_importable()

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import (  # noqa: E402
    RuleSet, evaluate)

TARGET_SECONDS = 2.0
REQUESTS = 10_000
RULES = 200
BACKEND = "http://127.0.0.1:50100"

# The rule the reverse_proxy role writes (roles/reverse_proxy; tests/unit/.../test_rewrite_engine.py PROXY_RULE).
PROXY_RULE = {"name": "ReverseProxy", "match": {"url": "(.*)"}, "stop_processing": True,
              "conditions": [{"input": "{CACHE_URL}", "pattern": "^(https?)://"}],
              "server_variables": [{"name": "HTTP_X_FORWARDED_PROTO", "value": "{C:1}"},
                                   {"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}],
              "action": {"type": "Rewrite", "url": BACKEND + "/{R:1}"}}
ALLOWED = ["HTTP_X_FORWARDED_PROTO", "HTTP_X_ORIGINAL_HOST"]
MAP = {"name": "Moved", "default_value": "", "ignore_case": True,
       "entries": [{"key": f"/old/{n}", "value": f"/new/{n}"} for n in range(100)]}


def _rule(n: int) -> dict[str, Any]:
    """Rule n of the distributed set: a mix of what real rule sets do, cycling over six shapes."""
    kind = n % 6
    name = f"r{n:03d}"
    if kind == 0:  # prefix rule with captures
        return {"name": name, "match": {"url": f"^shop{n}/(\\d+)/(.*)$"},
                "action": {"type": "Rewrite", "url": f"/shop.aspx?s={n}&id={{R:1}}&p={{R:2}}"}}
    if kind == 1:  # host condition
        return {"name": name, "match": {"url": f"^site{n}/(.*)$"},
                "conditions": [{"input": "{HTTP_HOST}", "pattern": "^(www\\.)?example\\.com$"}],
                "action": {"type": "Rewrite", "url": f"/sites/{n}/{{R:1}}"}}
    if kind == 2:  # HTTP to HTTPS redirect for one area
        return {"name": name, "match": {"url": f"^secure{n}/(.*)$"},
                "conditions": [{"input": "{HTTPS}", "pattern": "^OFF$"}],
                "action": {"type": "Redirect", "url": f"https://{{HTTP_HOST}}/secure{n}/{{R:1}}",
                           "redirect_type": "Found"}}
    if kind == 3:  # query string condition, trackAllCaptures
        return {"name": name, "match": {"url": f"^search{n}$"},
                "conditions": [{"input": "{QUERY_STRING}", "pattern": "(?:^|&)q=([^&]+)"}],
                "action": {"type": "Rewrite", "url": f"/find.aspx?area={n}&term={{C:1}}", "append_query_string": False}}
    if kind == 4:  # a rewrite map lookup
        return {"name": name, "match": {"url": f"^old{n}/(.*)$"},
                "conditions": [{"input": "{Moved:/old/{R:1}}", "pattern": "(.+)"}],
                "action": {"type": "Redirect", "url": "{C:1}"}}
    return {"name": name, "match": {"url": f"^legacy{n}/(.*)\\.php$", "ignore_case": False},
            "action": {"type": "Rewrite", "url": f"/legacy/{n}/{{ToLower:{{R:1}}}}.aspx"}}


def ruleset() -> RuleSet:
    """Two global rules, then 198 distributed rules at the site root ending with the reverse-proxy rule."""
    global_rules = [{"name": "block-bad-bots", "match": {"url": ".*"},
                     "conditions": [{"input": "{HTTP_USER_AGENT}", "pattern": "BadBot"}],
                     "action": {"type": "AbortRequest"}},
                    {"name": "strip-www-index", "match": {"url": "^index\\.html$"},
                     "action": {"type": "Rewrite", "url": "/"}}]
    rules = [_rule(n) for n in range(RULES - len(global_rules) - 1)] + [PROXY_RULE]
    return RuleSet(global_rules=global_rules, levels=[("/", rules)], maps=[MAP], allowed_server_variables=ALLOWED)


def requests(count: int = REQUESTS) -> list[dict[str, Any]]:
    """Requests that hit an early rule, a late rule, each shape, or only the reverse-proxy rule at the end."""
    out = []
    for i in range(count):
        n = (i * 37) % (RULES - 3)
        kind = n % 6
        path = {0: f"/shop{n}/{i}/item", 1: f"/site{n}/page{i}", 2: f"/secure{n}/account",
                3: f"/search{n}?q=term{i}&page=2", 4: f"/old{n}/{i % 120}", 5: f"/legacy{n}/Page{i}.php"}[kind]
        if i % 4 == 3:
            path = f"/api/items/{i}?x={i}"  # no rule but the reverse proxy: every pattern is tried
        out.append({"url": path, "host": "www.example.com", "https": i % 5 == 0,
                    "headers": {"user-agent": "bench/1.0"}})
    return out


def engine(profile: bool) -> bool:
    start = time.perf_counter()
    rules = ruleset()
    compiled = time.perf_counter() - start
    batch = requests()
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    finals: dict[str, int] = {}
    for request in batch:
        final = evaluate(rules, request)["final"]["type"]
        finals[final] = finals.get(final, 0) + 1
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    passed = seconds <= TARGET_SECONDS
    print(f"rule set: {RULES} rules (2 global, {RULES - 2} distributed), built and compiled in {compiled:.3f} s")
    print(f"engine:   {len(batch)} requests in {seconds:.3f} s, {seconds / len(batch) * 1e6:.1f} us per request"
          f"  (target {TARGET_SECONDS:.0f} s: {'PASS' if passed else 'FAIL'}{', under cProfile' if profile else ''})")
    print("          outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(finals.items())))
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    return passed


APP = """import sys
from waitress import serve


def app(environ, start_response):
    body = ("%s %s proto=%s host=%s" % (environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                        environ.get("HTTP_X_FORWARDED_PROTO", "-"),
                                        environ.get("HTTP_X_ORIGINAL_HOST", "-"))).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


# a bench app: keep the X-Forwarded-* headers the rule sets (waitress drops them from untrusted peers)
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=8, clear_untrusted_proxy_headers=False, _quiet=True)
"""
HTTP_THREADS = 4
HTTP_CAP_SECONDS = 60.0  # per side: whatever is not sent by then is not sent


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, seconds: float = 15.0) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def _get(port: int, path: str) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "localhost", "Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _load(port: int, count: int) -> tuple[int, float, int]:
    """``count`` GETs from HTTP_THREADS threads, one connection each; (sent, seconds, not 200)."""
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.monotonic() + HTTP_CAP_SECONDS

    def worker(share: int) -> tuple[int, int]:
        sent = bad = 0
        for n in range(share):
            if time.monotonic() > deadline:
                break
            status, _body = _get(port, f"/items/{n}?page=2")
            sent += 1
            bad += status != 200
        return sent, bad

    shares = [count // HTTP_THREADS + (n < count % HTTP_THREADS) for n in range(HTTP_THREADS)]
    start = time.perf_counter()
    with ThreadPoolExecutor(HTTP_THREADS) as pool:
        results = list(pool.map(worker, shares))
    return sum(r[0] for r in results), time.perf_counter() - start, sum(r[1] for r in results)


def _configure(host: Any, backend: str) -> None:
    """ARR proxy on, the rule's server variables allowed for the site, the reverse-proxy rule in its web.config,
    in one emulated config_apply (what the reverse_proxy role's tasks write)."""
    from winhost.scripts import SCRIPTS

    from ansible_collections.winflask.iis.plugins.module_utils.config import op_add, op_set, site_address
    from ansible_collections.winflask.iis.plugins.module_utils.rewrite.model import (
        ALLOWED_SECTION, INBOUND, normalise_rule, rule_element)

    site = "Default Web Site"
    rule = normalise_rule({**PROXY_RULE, "action": {"type": "Rewrite", "url": backend + "/{R:1}"}}, INBOUND)
    operations = [op_set(site_address("system.webServer/proxy", None), [], {"enabled": True})]
    operations += [op_add(site_address(ALLOWED_SECTION, site, in_apphost=True), [], {
        "name": "add", "attributes": {"name": name}, "children": {}}) for name in ALLOWED]
    operations.append(op_add(site_address("system.webServer/rewrite/rules", site), [], rule_element(rule, INBOUND)))
    result = SCRIPTS["config_apply"](host, {"fingerprint": {}, "backup": False, "operations": operations}, False)
    assert result["changed"], result


def http(count: int) -> None:
    from winhost import Host, processes
    from winhost.front import ensure_running

    with tempfile.TemporaryDirectory(prefix="winflask-bench-") as tmp:
        host = Host.create(Path(tmp) / "host", "server2022")
        try:
            app_port = _free_port()
            script = Path(tmp) / "bench_app.py"
            script.write_text(APP, encoding="utf-8")
            processes.spawn(host, [sys.executable, str(script), str(app_port)], Path(tmp), dict(os.environ),
                            Path(tmp) / "app.log", Path(tmp) / "app.log")
            _configure(host, f"http://127.0.0.1:{app_port}")
            ports = ensure_running(host)
            iis_port = ports["*:80:"]
            _wait_for(app_port)
            status, body = _get(iis_port, "/check")
            if status != 200 or b"GET /check proto=http host=localhost" not in body:
                raise RuntimeError(f"the request through the emulated IIS did not reach the app: {status} {body!r}")
            print(f"http:     {count} GETs per side, {HTTP_THREADS} threads, a new connection each, loopback only")
            figures = {}
            for label, port in (("straight to the app", app_port), ("through emulated IIS", iis_port)):
                sent, seconds, bad = _load(port, count)
                figures[label] = sent / seconds
                print(f"          {label:<21} {sent:>5} requests in {seconds:6.2f} s = {sent / seconds:8.1f} req/s"
                      + (f"  ({bad} not 200)" if bad else "") + ("  (time cap hit)" if sent < count else ""))
            ratio = figures["through emulated IIS"] / figures["straight to the app"]
            print(f"          through IIS / straight: {ratio:.2f}")
        finally:
            stopped = processes.stop_all(host)
            print(f"          stopped {len(stopped)} process(es): {stopped}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", action="store_true", help="run the engine part under cProfile")
    parser.add_argument("--http", action="store_true", help="also measure requests/s through the emulated IIS")
    parser.add_argument("--http-requests", type=int, default=2000, help="requests per side for --http")
    args = parser.parse_args()
    engine(args.profile)
    if args.http:
        http(args.http_requests)


if __name__ == "__main__":
    main()
