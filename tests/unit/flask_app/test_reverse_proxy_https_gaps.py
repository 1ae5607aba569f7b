"""reverse_proxy's HTTPS gaps (issue 12 part 1), rendered by Ansible's own templar from the role's files: the ACME
challenge path kept away from the back end, the PFX not left on the host, the check-mode guard of the binding."""

from __future__ import annotations

import re

import pytest
from role_vars import load, render, resolved, truth

ACME = "^/\\.well-known/acme-challenge/"
PROXY = "Hand every request of the site to the back end"


def proxy_rule() -> dict:
    block = next(t for t in load("reverse_proxy", "tasks/main.yml") if "block" in t)
    return next(t for t in block["block"] if t["name"] == PROXY)["winflask.iis.rewrite_rule"]


def https_task(name: str) -> dict:
    return next(t for t in load("reverse_proxy", "tasks/https.yml") if t["name"] == name)


def conditions(**overrides: object) -> list[dict]:
    return render(proxy_rule()["conditions"], resolved("reverse_proxy", **overrides))


@pytest.mark.parametrize(("https", "acme", "exempt"), [
    (True, True, True),        # the default with HTTPS on: IIS serves the challenge from the site's folder
    ("yes", "true", True),     # strings, as from -e or an inventory
    (True, False, False),      # off: the path goes to the app (a renewal client in the app, or HTTP.sys)
    (False, True, False),      # no HTTPS: the proxy rule is as it always was
])
def test_the_proxy_rule_leaves_the_acme_challenge_to_iis_when_https_is_on(https, acme, exempt) -> None:
    got = conditions(reverse_proxy_https=https, reverse_proxy_https_acme_static=acme)
    scheme = {"input": "{CACHE_URL}", "pattern": "^(https?)://"}
    if exempt:
        # negated first, the scheme capture last: {C:1} is the last matched condition's capture
        assert got == [{"input": "{REQUEST_URI}", "pattern": ACME, "negate": True}, scheme]
    else:
        assert got == [scheme]


def test_the_exemption_is_the_redirects_own_path() -> None:
    """What the redirect leaves on http is exactly what the proxy rule leaves to IIS: one condition for both."""
    redirect = https_task("Redirect http to https, first of the site's rules")["winflask.iis.rewrite_rule"]
    variables = resolved("reverse_proxy", reverse_proxy_https=True)
    acme = [c for c in (render(c, variables) for c in redirect["conditions"]) if c.get("negate")]
    assert acme == [conditions(reverse_proxy_https=True)[0]]
    assert re.match(acme[0]["pattern"], "/.well-known/acme-challenge/tok3n_-x")
    assert not re.match(acme[0]["pattern"], "/.well-known/acme-challengex")
    assert not re.match(acme[0]["pattern"], "/myApp/.well-known/acme-challenge/x")


def test_the_default_is_documented_in_the_argument_spec() -> None:
    spec = load("reverse_proxy", "meta/argument_specs.yml")["argument_specs"]["main"]["options"]
    option = spec["reverse_proxy_https_acme_static"]
    assert option["type"] == "bool" and option["default"] is True
    assert truth(render("{{ reverse_proxy_https_acme_static | bool }}", resolved("reverse_proxy")))


THUMB = "A" * 40
OTHER = "B" * 40


def site(*bindings: dict) -> dict:
    """microsoft.iis.website_info's answer for the site (website_info.ps1's keys)."""
    http = {"ip": "*", "port": 80, "hostname": "", "protocol": "http", "certificate_hash": ""}
    return {"exists": True, "site": [{"name": "Default Web Site", "bindings": [http, *bindings]}]}


def https(hostname: str = "", port: int = 443, thumb: str = THUMB) -> dict:
    return {"ip": "*", "port": port, "hostname": hostname, "protocol": "https", "certificate_hash": thumb.lower()}


def decide(read: dict, pfx: str = "site.pfx", **overrides: object) -> tuple[bool, bool, str]:
    variables = resolved("reverse_proxy", reverse_proxy_https=True, reverse_proxy_https_pfx=pfx,
                         reverse_proxy_https_site=read, reverse_proxy_https_certificate=THUMB, **overrides)
    return (truth(render("{{ reverse_proxy_https_import | bool }}", variables)),
            truth(render("{{ reverse_proxy_https_binding_unsafe | bool }}", variables)),
            render("{{ reverse_proxy_https_bound }}", variables))


@pytest.mark.parametrize(("read", "pfx", "overrides", "want"), [
    (site(), "site.pfx", {}, (True, True, "")),                        # new host: ship the PFX; check mode: report
    (site(https()), "site.pfx", {}, (False, False, THUMB)),            # bound already (lower-case hash): nothing
    (site(https(thumb=OTHER)), "site.pfx", {}, (True, True, OTHER)),   # renewed PFX: ship it; check mode: report
    (site(https(thumb=OTHER)), "", {}, (False, True, OTHER)),          # thumbprint only, another one bound
    (site(https()), "", {}, (False, False, THUMB)),
    (site(https(thumb=OTHER, port=8443)), "", {}, (False, False, "")),  # another port's binding is not this one
    (site(https("WWW.Example.com")), "", {"reverse_proxy_https_host_name": "www.example.com"},
     (False, False, THUMB)),                                           # host names compare case-insensitively
    (site(https("www.example.org")), "", {"reverse_proxy_https_host_name": "www.example.com"},
     (False, False, "")),
])
def test_the_pfx_is_shipped_and_website_called_in_check_mode_only_when_safe(read, pfx, overrides, want) -> None:
    assert decide(read, pfx, **overrides) == want


def test_the_copy_is_removed_and_website_skipped_in_check_mode_when_unsafe() -> None:
    tasks = {t["name"]: t for t in load("reverse_proxy", "tasks/https.yml")}
    names = list(tasks)
    assert names.index("Read the site's bindings") < names.index("Ship the PFX and import it")
    ship = tasks["Ship the PFX and import it"]
    assert ship["when"] == "reverse_proxy_https_import | bool"
    assert [t["name"] for t in ship["block"]] == [
        "Make the folder of the PFX", "Copy the PFX to the host", "Import the PFX into LocalMachine\\My"]
    # removed even when the copy or the import fails: no PFX stays on the host
    assert [(t["name"], t["ansible.windows.win_file"]["state"]) for t in ship["always"]] == [
        ("Remove the PFX from the host", "absent")]
    assert tasks["Bind the certificate to the site over https"]["when"] == \
        "not (ansible_check_mode and reverse_proxy_https_binding_unsafe | bool)"
    report = tasks["Say what the https binding would become"]
    assert report["when"] == "ansible_check_mode and reverse_proxy_https_binding_unsafe | bool"
    assert report["changed_when"] is True
