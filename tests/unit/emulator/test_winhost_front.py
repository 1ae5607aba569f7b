"""Real HTTP through the emulated IIS front end (winhost.front): bindings to loopback ports, the site's rules
through the URL Rewrite engine, ARR's proxying to a real back end, IIS's own answers."""

from __future__ import annotations

import http.client
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from winhost import Host
from winhost.front import SERVICE, ensure_running, server_entry
from winhost.processes import alive, listing, stop_all
from winhost.webrequest import win_uri
from winhost.winfiles import ModuleFailure
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, op

RULES = "system.webServer/rewrite/rules"
ALLOWED = "system.webServer/rewrite/allowedServerVariables"
PROXY = "system.webServer/proxy"
WWWROOT = "C:\\inetpub\\wwwroot"


class Echo(http.server.BaseHTTPRequestHandler):
    """A back end that answers with what it received (method, path, headers, body) as JSON."""

    protocol_version = "HTTP/1.1"

    def _any(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size).decode() if size else ""
        if self.path.endswith("/slow"):
            time.sleep(2)
        if self.path.endswith("/go"):
            self.send_response(302)
            self.send_header("Location", f"http://{self.headers['Host']}/landed")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps({"method": self.command, "path": self.path, "body": body,
                           "headers": [[k, v] for k, v in self.headers.items()]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _any

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def backend() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    host = Host.create(tmp_path_factory.mktemp("front") / "host")
    host.write_bytes(f"{WWWROOT}\\index.html", b"<p>home</p>")
    host.write_bytes(f"{WWWROOT}\\static\\app.css", b"body{}")
    host.local_path(f"{WWWROOT}\\empty").mkdir(parents=True)
    try:
        yield host
    finally:
        stop_all(host)


@pytest.fixture
def front(served: Host) -> Iterator[Host]:
    """The module's host with its config files as created: each test writes its own rules."""
    saved = {f: served.read_bytes(f) for f in (APPHOST_FILE, SITE_WEB_CONFIG)}
    yield served
    for win_path, data in saved.items():
        if data is None:
            served.local_path(win_path).unlink(missing_ok=True)
        else:
            served.write_bytes(win_path, data)


def rule(name: str, url: str, action: dict[str, Any], variables: dict[str, str] | None = None) -> dict[str, Any]:
    return {"name": "rule", "attributes": {"name": name, "stopProcessing": True},
            "children": {"match": {"attributes": {"url": url}}, "action": {"attributes": action},
                         "serverVariables": {"items": [{"name": "set", "attributes": {"name": k, "value": v}}
                                                       for k, v in (variables or {}).items()]}},
            "items": []}


def configure(host: Host, *rules: dict[str, Any], allowed: tuple[str, ...] = (), proxy: dict[str, Any] | None = None
              ) -> None:
    ops = [op("add", RULES, SITE, element=r) for r in rules]
    ops += [op("add", ALLOWED, APPHOST, "Default Web Site", element={"name": "add", "attributes": {"name": n}})
            for n in allowed]
    if proxy is not None:
        ops.append(op("set", PROXY, attributes=proxy))
    apply(host, *ops, backup=False)


def reverse_proxy(host: Host, port: int, proxy: dict[str, Any] | None = None,
                  allowed: tuple[str, ...] = ("HTTP_X_ORIGINAL_HOST",)) -> None:
    target = {"type": "Rewrite", "url": f"http://127.0.0.1:{port}/myApp/{{R:1}}"}
    configure(host, rule("ReverseProxy", "^myApp/(.*)", target, {"HTTP_X_ORIGINAL_HOST": "{HTTP_HOST}"}),
              allowed=allowed, proxy={"enabled": True, **(proxy or {})})


def request(host: Host, method: str, target: str, headers: dict[str, str] | None = None, body: bytes | None = None
            ) -> http.client.HTTPResponse:
    port = ensure_running(host)["*:80:"]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, target, body=body, headers={"Host": "localhost", **(headers or {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def echoed(host: Host, target: str, headers: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    result = win_uri(host, {"url": f"http://localhost{target}", "headers": headers or {}, "return_content": True},
                     False)
    seen = result["json"]
    return seen, {k.lower(): v for k, v in seen["headers"]}


def test_ports_are_recorded_printed_and_served_by_one_w3svc_process(front: Host) -> None:
    ports = ensure_running(front)
    assert set(ports) == {"*:80:"} and front.load_state()["iis_http"]["ports"] == ports
    entry = server_entry(front)
    assert entry is not None and alive(entry)
    assert [e["pid"] for e in listing(front) if e["service"] == SERVICE] == [entry["pid"]]
    assert ensure_running(front) == ports and server_entry(front)["pid"] == entry["pid"]  # reused
    printed = subprocess.run([sys.executable, "-m", "winhost", "ports", "--root", str(front.root)],
                             capture_output=True, text=True, check=True).stdout
    assert printed == f"Default Web Site\thttp *:80:\thttp://127.0.0.1:{ports['*:80:']}/\n"


def test_static_files_default_document_and_iis_errors(front: Host) -> None:
    response = request(front, "GET", "/static/app.css")
    assert (response.status, response.getheader("Content-Type")) == (200, "text/css")
    assert response.getheader("Server") == "Microsoft-IIS/10.0"
    home = win_uri(front, {"url": "http://localhost/", "return_content": True}, False)
    assert home["content"] == "<p>home</p>" and home["server"] == "Microsoft-IIS/10.0"
    missing = win_uri(front, {"url": "http://localhost/nope.html", "status_code": [404], "return_content": True}, False)
    assert "HTTP Error 404.0 - Not Found" in missing["content"] and missing["server"] == "Microsoft-IIS/10.0"
    assert request(front, "GET", "/empty/").status == 403
    assert request(front, "GET", "/web.config").status == 404
    assert request(front, "POST", "/index.html", body=b"x").status == 405


def test_reverse_proxy_forwards_path_query_host_and_forwarded_for(front: Host, backend: int) -> None:
    reverse_proxy(front, backend)
    seen, headers = echoed(front, "/myApp/help?x=1")
    assert seen["path"] == "/myApp/help?x=1" and seen["method"] == "GET"
    assert headers["host"] == f"127.0.0.1:{backend}"
    assert headers["x-original-host"] == "localhost"
    ip, _sep, port = headers["x-forwarded-for"].partition(":")
    assert ip == "127.0.0.1" and port.isdigit()


def test_forwarded_for_without_port_appended_and_produced_headers_replace(front: Host, backend: int) -> None:
    reverse_proxy(front, backend, {"includePortInXForwardedFor": False, "preserveHostHeader": True})
    seen, headers = echoed(front, "/myApp/x", {"X-Forwarded-For": "203.0.113.9", "X-Original-Host": "evil"})
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert headers["x-original-host"] == "localhost" and headers["host"] == "localhost"
    assert [k.lower() for k, _v in seen["headers"]].count("x-original-host") == 1


def test_post_body_and_location_rewritten_back_to_the_clients_host(front: Host, backend: int) -> None:
    reverse_proxy(front, backend)
    seen, _headers = echoed(front, "/myApp/x")
    posted = win_uri(front, {"url": "http://localhost/myApp/form", "method": "POST", "body": "a=1",
                             "return_content": True}, False)["json"]
    assert (posted["method"], posted["body"]) == ("POST", "a=1") and seen["method"] == "GET"
    moved = request(front, "GET", "/myApp/go")
    assert moved.status == 302 and moved.getheader("Location") == "http://localhost/landed"


def test_proxy_disabled_gives_404(front: Host, backend: int) -> None:
    reverse_proxy(front, backend, {"enabled": False})
    assert request(front, "GET", "/myApp/help").status == 404


def test_backend_down_gives_502_3_and_other_hosts_are_never_reached(front: Host) -> None:
    from winhost.front.ports import free_port

    reverse_proxy(front, free_port())
    down = win_uri(front, {"url": "http://localhost/myApp/help", "status_code": [502], "return_content": True}, False)
    assert "HTTP Error 502.3 - Bad Gateway" in down["content"] and "0x80072efd" in down["content"]
    configure(front, rule("Out", "^out/(.*)", {"type": "Rewrite", "url": "http://192.0.2.1/{R:1}"}))
    assert request(front, "GET", "/out/x").status == 502


def test_backend_slower_than_arr_timeout_gives_502_3_timeout(front: Host, backend: int) -> None:
    reverse_proxy(front, backend, {"timeout": "00:00:01"})
    slow = win_uri(front, {"url": "http://localhost/myApp/slow", "status_code": [502], "return_content": True}, False)
    assert "HTTP Error 502.3 - Bad Gateway" in slow["content"] and "0x80072ee2" in slow["content"]


def test_rules_are_read_once_until_a_config_file_changes(front: Host, backend: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from winhost import config as config_system
    from winhost.front.server import Front

    reads: list[Any] = []
    real = config_system.read
    monkeypatch.setattr(config_system, "read", lambda host, req: reads.append(req) or real(host, req))
    reverse_proxy(front, backend, {"enabled": False})
    pipeline = Front(front)
    answers = [pipeline.answer("GET", "/myApp/a", [("Host", "localhost")], b"", ("127.0.0.1", 5), 80).status
               for _n in range(3)]
    assert answers == [404, 404, 404] and len(reads) == 2  # the proxy section and the rules, once each
    apply(front, op("set", PROXY, attributes={"enabled": True}), backup=False)
    assert pipeline.answer("GET", "/myApp/a", [("Host", "localhost")], b"", ("127.0.0.1", 5), 80).status == 200
    assert len(reads) == 4


def test_variable_not_allowed_gives_500_50(front: Host, backend: int) -> None:
    reverse_proxy(front, backend, allowed=())
    failed = win_uri(front, {"url": "http://localhost/myApp/help", "status_code": [500], "return_content": True},
                     False)
    assert "HTTP Error 500.50 - URL Rewrite Module Error." in failed["content"]
    assert "HTTP_X_ORIGINAL_HOST" in failed["content"]


def test_redirect_custom_response_and_abort(front: Host) -> None:
    configure(front, rule("Moved", "^old/(.*)", {"type": "Redirect", "url": "/new/{R:1}", "redirectType": "Found"}),
              rule("Gone", "^gone$", {"type": "CustomResponse", "statusCode": 410, "subStatusCode": 2,
                                      "statusReason": "Gone Away", "statusDescription": "Not here any more"}),
              rule("Drop", "^drop$", {"type": "AbortRequest"}))
    moved = request(front, "GET", "/old/a?b=1")
    assert moved.status == 302 and moved.getheader("Location") == "http://localhost/new/a?b=1"
    gone = win_uri(front, {"url": "http://localhost/gone", "status_code": [410], "return_content": True}, False)
    assert gone["msg"] == "Gone Away" and "HTTP Error 410.2 - Gone Away" in gone["content"]
    assert "Not here any more" in gone["content"]
    with pytest.raises(http.client.RemoteDisconnected):
        request(front, "GET", "/drop")


def test_local_rewrite_serves_the_rewritten_file(front: Host) -> None:
    configure(front, rule("Css", "^style$", {"type": "Rewrite", "url": "static/app.css"}))
    response = request(front, "GET", "/style")
    assert (response.status, response.getheader("Content-Type")) == (200, "text/css")


def test_a_dead_server_is_restarted_and_stop_all_stops_it(tmp_path: Path) -> None:
    host = Host.create(tmp_path / "host")
    try:
        first = ensure_running(host)
        pid = server_entry(host)["pid"]
        assert pid in stop_all(host) and not alive(server_entry(host))
        assert ensure_running(host) == first and server_entry(host)["pid"] != pid
        assert win_uri(host, {"url": "http://127.0.0.1/iisstart.htm"}, False)["status_code"] == 200
    finally:
        stop_all(host)
    with pytest.raises(ModuleFailure, match="Unable to connect"):
        win_uri(host, {"url": f"http://127.0.0.1:{first['*:80:']}/iisstart.htm"}, False)


def test_no_iis_no_front_end(bare_host: Host) -> None:
    assert ensure_running(bare_host) == {} and server_entry(bare_host) is None


def raw_echo(host: Host, target: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """What the Echo back end received for ``target`` sent byte for byte to the front end (no client encoding)."""
    port = ensure_running(host)["*:80:"]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", target, headers={"Host": "localhost", **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.status == 200, data[:300]
    return json.loads(data)


def test_proxied_path_is_percent_encoded_again_and_the_query_passes_as_sent(front: Host, backend: int) -> None:
    reverse_proxy(front, backend)
    assert raw_echo(front, "/myApp/a%20b")["path"] == "/myApp/a%20b"
    assert raw_echo(front, "/myApp/a%3Fb?x=%41&y=1")["path"] == "/myApp/a%3Fb?x=%41&y=1"
    assert raw_echo(front, "/myApp/caf%C3%A9/100%25")["path"] == "/myApp/caf%C3%A9/100%25"
    assert raw_echo(front, "/myApp/a;b=c,d:e@f~g")["path"] == "/myApp/a;b=c,d:e@f~g"


def test_proxied_target_splits_a_literal_query_of_the_substitution() -> None:
    from winhost.front.proxy import encode_target

    assert encode_target("http://h:1/a b?c", "http://h:1/{R:1}", "") == "http://h:1/a%20b%3Fc"
    assert encode_target("http://h:1/a b?c?x=1", "http://h:1/{R:1}", "x=1") == "http://h:1/a%20b%3Fc?x=1"
    assert encode_target("http://h:1/a?b?id=3&x=1", "http://h:1/{R:1}?id={R:2}", "x=1") \
        == "http://h:1/a%3Fb?id=3&x=1"
    assert encode_target("http://h:1/p?id=a b", "http://h:1/p?id={R:1}", "") == "http://h:1/p?id=a%20b"
    assert encode_target("http://h:1?x=%41", "http://h:1", "x=%41") == "http://h:1?x=%41"


def test_backend_gets_the_original_url_not_the_clients_x_original_url(front: Host, backend: int) -> None:
    reverse_proxy(front, backend)
    seen = raw_echo(front, "/myApp/a%20b?x=1", {"X-Original-URL": "/admin"})
    sent = [v for k, v in seen["headers"] if k.lower() == "x-original-url"]
    assert sent == ["/myApp/a b?x=1"]


def test_a_rule_the_engine_cannot_evaluate_gives_500_50(front: Host) -> None:
    configure(front, rule("Broken", "^broken$", {"type": "Rewrite", "url": "/x/{R:x}"}))
    failed = win_uri(front, {"url": "http://localhost/broken", "status_code": [500], "return_content": True}, False)
    assert "HTTP Error 500.50 - URL Rewrite Module Error." in failed["content"]
    assert "R:x" in failed["content"]


def test_a_request_costs_a_few_stat_calls_once_the_rules_are_cached(
        front: Host, backend: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from winhost.front.server import Front

    reverse_proxy(front, backend, {"enabled": False})
    pipeline = Front(front)
    assert pipeline.answer("GET", "/myApp/a", [("Host", "localhost")], b"", ("127.0.0.1", 5), 80).status == 404
    time.sleep(0.2)  # folders changed within the last 0.1 s are not trusted (winhost.front.site.FRESH_NS)
    assert pipeline.answer("GET", "/myApp/a", [("Host", "localhost")], b"", ("127.0.0.1", 5), 80).status == 404
    calls: list[Any] = []
    real = os.stat
    monkeypatch.setattr(os, "stat", lambda *args, **kwargs: calls.append(args[0]) or real(*args, **kwargs))
    assert pipeline.answer("GET", "/myApp/a", [("Host", "localhost")], b"", ("127.0.0.1", 5), 80).status == 404
    assert len(calls) <= 8, calls


def html_if_file(name: str, pattern: str, url: str) -> dict[str, Any]:
    """The classic extensionless rule: rewrite to <path>.html when {REQUEST_FILENAME}.html is a file."""
    element = rule(name, pattern, {"type": "Rewrite", "url": url})
    element["children"]["conditions"] = {"items": [{"name": "add", "attributes": {
        "input": "{REQUEST_FILENAME}.html", "matchType": "IsFile"}}]}
    return element


def test_is_file_sees_the_disk_and_the_applications_own_physical_path(front: Host) -> None:
    front.write_bytes(f"{WWWROOT}\\page.html", b"<p>page</p>")
    front.write_bytes("C:\\docs\\guide.html", b"<p>guide</p>")
    application = {"name": "application", "attributes": {"path": "/docs"}, "items": [
        {"name": "virtualDirectory", "attributes": {"path": "/", "physicalPath": "C:\\docs"}}]}
    apply(front, op("add", "system.applicationHost/sites", path=[{"item": {"name": "Default Web Site"}}],
                    element=application), backup=False)
    configure(front, html_if_file("Docs", "^docs/(\\w+)$", "docs/{R:1}.html"),
              html_if_file("Pages", "^(\\w+)$", "{R:1}.html"))
    assert win_uri(front, {"url": "http://localhost/page", "return_content": True}, False)["content"] == "<p>page</p>"
    assert win_uri(front, {"url": "http://localhost/docs/guide", "return_content": True},
                   False)["content"] == "<p>guide</p>"
    assert request(front, "GET", "/nothing").status == 404


def test_web_config_rules_of_an_ordinary_subfolder_apply_and_follow_its_changes(front: Host) -> None:
    front.local_path(f"{WWWROOT}\\blog").mkdir(parents=True, exist_ok=True)
    blog = f"{WWWROOT}\\blog\\web.config"
    try:
        apply(front, op("add", RULES, SITE + "/blog", element=rule("Old", "^old$", {
            "type": "Redirect", "url": "/blog/new", "redirectType": "Found"})), backup=False)
        moved = request(front, "GET", "/blog/old")
        assert moved.status == 302 and moved.getheader("Location") == "http://localhost/blog/new"
        assert request(front, "GET", "/old").status == 404  # the folder's rule sees paths below it only
        apply(front, op("clear", RULES, SITE + "/blog"), backup=False)
        assert request(front, "GET", "/blog/old").status == 404
    finally:
        front.local_path(blog).unlink(missing_ok=True)


def test_local_paths_see_a_file_created_after_it_was_found_missing(front: Host) -> None:
    import os

    from winhost.front.site import LocalPaths

    folder = front.local_path(WWWROOT) / "Later"
    folder.mkdir(exist_ok=True)
    os.utime(folder, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    paths = LocalPaths(front)
    assert paths.kind(f"{WWWROOT}\\later\\web.config") is None and paths.kind(f"{WWWROOT}\\LATER") == "dir"
    front.write_bytes(f"{WWWROOT}\\later\\web.config", b"<configuration/>")  # the folder's mtime moves
    assert paths.kind(f"{WWWROOT}\\later\\web.config") == "file"
    (folder / "web.config").unlink()
    assert paths.kind(f"{WWWROOT}\\later\\web.config") is None


def test_static_content_mime_maps_of_the_web_config_files_down_to_the_folder(front: Host) -> None:
    # Microsoft, "Adding Static Content MIME Mappings <mimeMap>": a web.config adds (fileExtension "." is a file
    # without an extension, as win-acme writes it for ACME tokens) and removes mappings below its folder only.
    folder = SITE_WEB_CONFIG.rsplit("\\", 1)[0] + "\\static"
    front.write_bytes(folder + "\\token", b"t0k3n")
    assert request(front, "GET", "/static/token").status == 404  # 404.3: no mimeMap for "."
    front.write_bytes(folder + "\\web.config", b'<configuration><system.webServer><staticContent>'
                      b'<mimeMap fileExtension="." mimeType="text/plain" /><remove fileExtension=".css" />'
                      b'</staticContent></system.webServer></configuration>')
    token = request(front, "GET", "/static/token")
    assert (token.status, token.getheader("Content-Type")) == (200, "text/plain")
    assert request(front, "GET", "/static/app.css").status == 404
    assert request(front, "GET", "/index.html").getheader("Content-Type") == "text/html"  # the parent keeps its own


def test_an_invalid_content_length_gets_400_and_the_connection_closed(front: Host) -> None:
    # RFC 9112 6.3: an invalid Content-Length is unrecoverable framing, 400 and close (HTTP.sys, before IIS).
    connection = http.client.HTTPConnection("127.0.0.1", ensure_running(front)["*:80:"], timeout=10)
    connection.putrequest("POST", "/index.html")
    connection.putheader("Host", "localhost")
    connection.putheader("Content-Length", "ten")
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert (response.status, response.getheader("Connection")) == (400, "close")
