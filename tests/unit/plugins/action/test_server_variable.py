"""winflask.iis.server_variable and server_variable_info against replayed win_powershell results."""

import pytest

from ansible_collections.winflask.iis.plugins.action.server_variable import ActionModule
from ansible_collections.winflask.iis.plugins.action.server_variable_info import ActionModule as InfoModule

from replay import FakeHost, make_action
from rewrite_host import allowed_section, applied, read_reply, rules_section

SITE = "Default Web Site"
FACT = "winflask_iis_allowed_server_variables"


def run(module, args, replies, task_vars=None, **kwargs):
    host = FakeHost(replies)
    return make_action(module, args, host, **kwargs).run(task_vars=task_vars or {}), host


def test_site_variable_goes_to_a_location_in_applicationhost_config():
    result, host = run(ActionModule, {"name": ["HTTP_X_ORIGINAL_HOST"], "site": SITE},
                       [read_reply(allowed_section([]), rules_section([])), applied()])
    assert result["changed"] is True
    reads = host.calls[0]["request"]["reads"]
    assert reads[0] == {"section": "system.webServer/rewrite/allowedServerVariables",
                        "pspath": "MACHINE/WEBROOT/APPHOST", "location": SITE}
    assert reads[1]["pspath"] == f"MACHINE/WEBROOT/APPHOST/{SITE}"  # proves the site exists
    assert host.calls[1]["request"]["operations"] == [{
        "op": "add", "section": "system.webServer/rewrite/allowedServerVariables",
        "pspath": "MACHINE/WEBROOT/APPHOST", "location": SITE, "path": [], "index": None,
        "element": {"name": "add", "attributes": {"name": "HTTP_X_ORIGINAL_HOST"}}}]
    assert result["allowed_server_variables"] == ["HTTP_X_ORIGINAL_HOST"]
    assert result["ansible_facts"] == {FACT: {SITE: ["HTTP_X_ORIGINAL_HOST"]}}


def test_server_level_and_idempotence_case_insensitive():
    result, host = run(ActionModule, {"name": ["http_x_original_host", "HTTP_X_FORWARDED_PROTO"]},
                       [read_reply(allowed_section(["HTTP_X_ORIGINAL_HOST", "HTTP_X_FORWARDED_PROTO"], location=""))])
    assert result["changed"] is False and len(host.calls) == 1
    assert host.calls[0]["request"]["reads"] == [{"section": "system.webServer/rewrite/allowedServerVariables",
                                                  "pspath": "MACHINE/WEBROOT/APPHOST", "location": ""}]


def test_absent_removes_local_entries_and_refuses_inherited():
    result, host = run(ActionModule, {"name": "HTTP_A", "site": SITE, "state": "absent"},
                       [read_reply(allowed_section(["HTTP_A"]), rules_section([])), applied()])
    assert result["changed"] is True and result["allowed_server_variables"] == []
    assert host.calls[1]["request"]["operations"][0]["op"] == "remove"
    result, host = run(ActionModule, {"name": "HTTP_A", "site": SITE, "state": "absent"},
                       [read_reply(allowed_section([], inherited=["HTTP_A"]), rules_section([]))])
    assert result["failed"] is True and "by a parent level" in result["msg"] and len(host.calls) == 1


def test_check_mode_publishes_the_fact_without_writing():
    facts = {"ansible_facts": {FACT: {"": ["HTTP_Z"]}}}
    result, host = run(ActionModule, {"name": "HTTP_X_ORIGINAL_HOST", "site": SITE},
                       [read_reply(allowed_section([]), rules_section([]))], task_vars=facts, check_mode=True,
                       diff=True)
    assert result["changed"] is True and len(host.calls) == 1
    assert result["ansible_facts"][FACT] == {"": ["HTTP_Z"], SITE: ["HTTP_X_ORIGINAL_HOST"]}
    assert "HTTP_X_ORIGINAL_HOST" in result["diff"]["after"] and "HTTP_X_ORIGINAL_HOST" not in result["diff"]["before"]


@pytest.mark.parametrize("name", ["HTTP-X", "X Y", "", "{HTTP_HOST}"])
def test_bad_names_fail_before_any_call(name):
    result, host = run(ActionModule, {"name": [name]}, [])
    assert result["failed"] is True and "server variable name" in result["msg"] and host.calls == []


def test_missing_site_is_a_clear_error():
    result, _host = run(ActionModule, {"name": "HTTP_A", "site": "Nope"}, [FakeHost.error("SiteNotFound", "no site")])
    assert result["failed"] is True and "site 'Nope' does not exist" in result["msg"]


def test_url_rewrite_missing_is_a_clear_error():
    result, _host = run(ActionModule, {"name": "HTTP_A"}, [FakeHost.error("SectionNotRegistered", "missing")])
    assert result["failed"] is True and "URL Rewrite is not installed" in result["msg"]


def test_info_lists_effective_and_local():
    result, _host = run(InfoModule, {"site": SITE},
                        [read_reply(allowed_section(["HTTP_B"], inherited=["HTTP_A"]), rules_section([]))])
    assert result["allowed_server_variables"] == ["HTTP_A", "HTTP_B"] and result["local"] == ["HTTP_B"]


def test_duplicate_entry_across_levels_is_explained():
    result, _host = run(ActionModule, {"name": "HTTP_A", "site": SITE},
                        [FakeHost.error("DuplicateKey", "Cannot add duplicate collection entry of type 'add'")])
    assert result["failed"] is True and "holds an entry twice" in result["msg"] and "500.19" in result["msg"]
