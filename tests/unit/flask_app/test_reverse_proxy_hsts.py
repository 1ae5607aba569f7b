"""reverse_proxy's HSTS (docs/https.md "HSTS"), rendered by Ansible's own templar from tasks/https.yml: the
site's native <hsts> element where host_info says native_hsts, the outbound rule everywhere else, never both;
redirectHttpToHttps stays off."""

from __future__ import annotations

import pytest
from role_vars import load, render, resolved, truth

NATIVE = "Native HSTS on the site"
OUTBOUND = "Add Strict-Transport-Security to https responses (IIS without native HSTS)"


def task(name: str) -> dict:
    """A task of tasks/https.yml by name, also inside a block (its block, rescue and always lists)."""
    found = {}
    todo = list(load("reverse_proxy", "tasks/https.yml"))
    while todo:
        entry = todo.pop(0)
        found[entry["name"]] = entry
        todo += [t for key in ("block", "rescue", "always") for t in entry.get(key) or []]
    return found[name]


def scope(native: bool, **overrides) -> dict:
    return {**resolved("reverse_proxy", **overrides), "reverse_proxy_hsts_host": {"native_hsts": native}}


def runs(name: str, variables: dict) -> bool:
    when = task(name).get("when")
    return when is None or truth(render("{{ " + when + " }}", variables))


@pytest.mark.parametrize(("native", "hsts", "native_task", "rule_state"), [
    (True, True, True, "absent"),      # Server 2019/2022: the element, no rule (an old rule is removed)
    (True, False, True, "absent"),     # switched off: enabled false, no rule
    (False, True, False, "present"),   # Server 2016: the rule
    (False, "false", False, "absent"),  # switched off (a string, as from -e): no rule
])
def test_native_element_or_outbound_rule_never_both(native, hsts, native_task, rule_state):
    variables = scope(native, reverse_proxy_hsts=hsts)
    assert runs(NATIVE, variables) is native_task
    assert runs(OUTBOUND, variables) is True  # it always runs: present, or absent to take an old rule away
    assert render(task(OUTBOUND)["winflask.iis.rewrite_rule"]["state"], variables) == rule_state


def test_the_native_element_gets_the_role_settings_and_no_redirect():
    module = task(NATIVE)["winflask.iis.config_property"]
    assert (module["section"], module["element"]) == ("system.applicationHost/sites", "hsts")
    variables = scope(True, reverse_proxy_site="Contoso", reverse_proxy_hsts_max_age="600",
                      reverse_proxy_hsts_include_subdomains="yes", reverse_proxy_hsts_preload=False)
    assert {k: render(v, variables) for k, v in module["item"].items()} == {"name": "Contoso"}
    values = {k: render(v, variables) for k, v in module["attributes"].items()}
    assert {k: str(v) for k, v in values.items()} == {
        "enabled": "True", "max-age": "600", "includeSubDomains": "True", "preload": "False",
        "redirectHttpToHttps": "False"}
    off = {k: str(render(v, scope(True, reverse_proxy_hsts="no"))) for k, v in module["attributes"].items()}
    assert off["enabled"] == "False"


def test_the_decision_is_read_from_the_host_first():
    tasks = load("reverse_proxy", "tasks/https.yml")
    names = [t["name"] for t in tasks]
    read = names.index("Read whether IIS has native HSTS")
    assert read < names.index(NATIVE) < names.index(OUTBOUND)
    assert "winflask.iis.host_info" in tasks[read] and tasks[read]["register"] == "reverse_proxy_hsts_host"


def test_the_pfx_key_is_stored_for_the_machine():
    """A key in a user profile (win_certificate_store's default key_storage) is unreadable to HTTP.sys and the
    app pool identities, which prevents the https binding (ansible.windows win_certificate_store notes)."""
    imported = task("Import the PFX into LocalMachine\\My")["ansible.windows.win_certificate_store"]
    assert imported["key_storage"] == "machine"
    assert imported["store_location"] == "LocalMachine" and imported["key_exportable"] is False
