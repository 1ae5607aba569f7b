"""reverse_proxy's HTTPS gaps (issue 12 part 1) on an emulated Server 2022 host: the role alone (no app), TWO
playbook runs on the main venv (nothing here depends on the core).

Run 1: the role with HTTPS on and a PFX, a mark, the role again. IIS serves the ACME http-01 challenge path from the
site's folder over http (200 with the token file, not the 301, not proxied: no back end listens, a proxied request
gets 502); no PFX is left on the host; the binding holds the PFX's certificate; the second role run copies nothing and
writes nothing. Run 2 (--check): the role with the thumbprint of a second certificate already in LocalMachine\\My;
the stand-in microsoft.iis.website rebinds HTTP.sys in check mode as website.ps1 1.x does, so HTTP.sys still holding
the first certificate proves the role did not call it, and the role reports the change it would make.
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from pathlib import Path

from playbook_run import (
    ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory, write_play)
from test_https import PASSWORD, make_certificates, request
from winhost import Host, certstore
from winhost.front import ensure_running
from winhost.processes import stop_all

HOST = "emulated-server2022"
VENV = venvs()[0]
DEST = "C:\\ProgramData\\winflask.iis\\https.pfx"
MARK = "C:\\winflask-second-run.mark"
CHALLENGE = "C:\\inetpub\\wwwroot\\.well-known\\acme-challenge\\"
# What win-acme can place next to the token (docs/https.md "ACME"): a mimeMap for files without an extension.
WIN_ACME_WEB_CONFIG = (b'<configuration><system.webServer><staticContent>'
                       b'<mimeMap fileExtension="." mimeType="text/plain" /></staticContent></system.webServer>'
                       b'</configuration>')
TOKEN = b"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"


def role(name: str, **extra: object) -> dict:
    return {"name": name, "ansible.builtin.include_role": {"name": "winflask.iis.reverse_proxy"},
            "vars": {"reverse_proxy_https": True, **extra}}


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    return request(http.client.HTTPConnection("127.0.0.1", port, timeout=10), path, {"Host": "www.example.com"})


def test_acme_path_pfx_removed_and_check_mode_does_not_rebind(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    host = Host(root)
    first = tmp_path / "first"
    second = tmp_path / "second"
    first.mkdir()
    second.mkdir()
    _ca, pfx, thumb = make_certificates(first)
    _ca2, other_pfx, other = make_certificates(second)
    # An ACME client's filesystem validation (win-acme) writes the token into the site's folder; a .txt file too. IIS
    # without a mimeMap for "." answers an extensionless file with 404.3, with win-acme's web.config beside it 200.
    host.write_bytes(CHALLENGE + "ping.txt", TOKEN)
    host.write_bytes(CHALLENGE + "tok3n", TOKEN)
    host.write_bytes("C:\\Windows\\Temp\\other.pfx", other_pfx.read_bytes())
    certstore.win_certificate_store(host, {"path": "C:\\Windows\\Temp\\other.pfx", "password": PASSWORD,
                                           "store_name": "My"}, False)
    inventory = write_inventory(tmp_path / "inventory.yml", HOST)
    env = ansible_env(VENV, root, tmp_path)
    pfx_vars = {"reverse_proxy_https_pfx": str(pfx), "reverse_proxy_https_pfx_password": PASSWORD}
    try:
        tasks = [role("The role", **pfx_vars),
                 {"name": "Second run from here", "ansible.windows.win_file": {"path": MARK, "state": "touch"}},
                 role("The role again", **pfx_vars)]
        run = run_playbook(VENV, write_play(tmp_path / "https.yml", tasks), inventory, env)
        assert run.rc == 0, run.failure_report()

        problems = []
        # 1. ACME: over http, IIS's static handler answers from the site's folder, before the redirect and the proxy.
        port = ensure_running(host)["*:80:"]
        status, headers, body = get(port, "/.well-known/acme-challenge/ping.txt")
        if (status, body) != (200, TOKEN.decode()):
            problems.append(f"ACME token: {status} {headers.get('location')} {body[:200]!r}")
        status, _headers, body = get(port, "/.well-known/acme-challenge/tok3n")
        if status != 404 or "404.3" not in body:
            problems.append(f"extensionless token without a mimeMap: {status} {body[:200]!r}")
        host.write_bytes(CHALLENGE + "web.config", WIN_ACME_WEB_CONFIG)
        status, headers, body = get(port, "/.well-known/acme-challenge/tok3n")
        if (status, body, headers.get("content-type")) != (200, TOKEN.decode(), "text/plain"):
            problems.append(f"extensionless token with win-acme's web.config: {status} {headers} {body[:200]!r}")
        status, headers, _body = get(port, "/myApp/health")
        if (status, headers.get("location")) != (301, "https://www.example.com/myApp/health"):
            problems.append(f"http is not redirected: {status} {headers}")
        rules = ET.fromstring(host.read_bytes("C:\\inetpub\\wwwroot\\web.config")).findall(
            "system.webServer/rewrite/rules/rule")
        proxy = next(r for r in rules if r.get("name") == "ReverseProxyInboundRule1")
        if [c.attrib for c in proxy.findall("conditions/add")][0].get("negate") != "true":
            problems.append("the proxy rule has no ACME exemption")
        # 2. The PFX is not left on the host; the binding holds its certificate.
        if host.local_path(DEST).exists():
            problems.append(f"the PFX stayed at {DEST}")
        if certstore.sslcerts(host) != {"0.0.0.0:443": {"hash": thumb, "store": "My"}}:
            problems.append(f"HTTP.sys: {certstore.sslcerts(host)}")
        calls = read_calls(root)
        mark = next(i for i, c in enumerate(calls) if c["module"].endswith("win_file") and c["request"].get("path")
                    == MARK)
        again = calls[mark + 1:]
        if [c for c in again if c["kind"] == "write"] or any(c["module"].endswith("win_copy") for c in again):
            problems.append(f"the second role run copied or wrote: {[(c['module'], c['kind']) for c in again]}")
        logged = run.stdout + run.stderr + (root / "calls.jsonl").read_text(encoding="utf-8")
        if PASSWORD in logged:
            problems.append("the PFX password was logged")

        # 3. Check mode with another certificate for the present binding: reported, HTTP.sys untouched.
        before = snapshot(root)
        calls_before = len(read_calls(root))
        checking = write_play(tmp_path / "check.yml", [role("Check", reverse_proxy_https_thumbprint=other)])
        check = run_playbook(VENV, checking, inventory, env, ["--check"])
        assert check.rc == 0, check.failure_report()
        if certstore.sslcerts(host) != {"0.0.0.0:443": {"hash": thumb, "store": "My"}}:
            problems.append(f"check mode rebound HTTP.sys: {certstore.sslcerts(host)}")
        said = " ".join(check.stdout.split())  # the callback folds long messages
        if f"would change its certificate from {thumb} to {other};" not in said:
            problems.append(f"check mode did not report the certificate change: {check.stdout[-3000:]}")
        if check.recap[HOST]["changed"] < 1:
            problems.append(f"check mode reported no change: {check.recap}")
        if any(c["module"] == "microsoft.iis.website" for c in read_calls(root)[calls_before:]):
            problems.append("check mode called microsoft.iis.website")
        if snapshot(root) != {**before, **{k: v for k, v in snapshot(root).items() if k.endswith("calls.jsonl")}}:
            problems.append("check mode changed a file of the host")
        assert problems == []
    finally:
        stop_all(host)
