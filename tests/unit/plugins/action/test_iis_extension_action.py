"""winflask.iis.iis_extension's action plugin: host_facts read, win_package per missing MSI, verification read."""

import re


from ansible_collections.winflask.iis.plugins.action.iis_extension import ActionModule

from replay import FakeHost, make_action

REWRITE = ["system.webServer/rewrite/rules", "system.webServer/rewrite/globalRules",
           "system.webServer/rewrite/allowedServerVariables"]
REWRITE_URL = ("https://download.microsoft.com/download/1/2/8/128E2E22-C1B9-44A4-BE2A-5859ED1D4592/"
               "rewrite_amd64_en-US.msi")


def facts(iis=True, rewrite=False, arr=False):
    sections, modules = ["system.webServer/defaultDocument"], ["StaticFileModule"]
    if rewrite:
        sections += REWRITE
        modules.append("RewriteModule")
    if arr:
        sections.append("system.webServer/proxy")
        modules.append("ApplicationRequestRouting")
    return FakeHost.ok({"os": {"product_type": 3, "caption": "Microsoft Windows Server 2022 Datacenter"},
                        "iis": {"installed": iis}, "sections": sections, "global_modules": modules, "sites": []})


class Host(FakeHost):
    def __call__(self, module_name, module_args, task_vars=None):
        if module_name == "ansible.windows.win_powershell":
            return super().__call__(module_name, module_args, task_vars)
        self.calls.append({"module": module_name, "args": module_args})
        return self.replies.pop(0)


def kinds(host):
    return [c.get("script") or c["module"].rsplit(".", 1)[1] for c in host.calls]


PKG_OK = {"changed": True, "failed": False, "reboot_required": False, "rc": 0}


def test_bare_iis_installs_rewrite_then_arr_then_verifies():
    host = Host([facts(), PKG_OK, PKG_OK, facts(rewrite=True, arr=True)])
    result = make_action(ActionModule, {"name": ["arr", "url_rewrite"]}, host, diff=True).run(task_vars={})
    assert kinds(host) == ["host_facts", "win_package", "win_package", "host_facts"]
    assert host.calls[1]["args"] == {"product_id": "{9BCA2118-F753-4A1E-BCF3-5A820729965C}", "state": "present",
                                     "path": REWRITE_URL}
    assert host.calls[2]["args"]["path"].endswith("/requestRouter_amd64.msi")
    assert result["changed"] is True and result["installed"] == ["url_rewrite", "arr"]
    assert result["extensions"]["arr"]["installed"] is True
    assert "system.webServer/proxy" in result["sections"]
    assert result["diff"]["before"] == "url_rewrite: absent\narr: absent\n"
    assert result["diff"]["after"] == "url_rewrite: present\narr: present\n"


def test_installed_host_makes_no_package_call():
    host = Host([facts(rewrite=True, arr=True)])
    result = make_action(ActionModule, {"name": ["url_rewrite", "arr"]}, host).run(task_vars={})
    assert kinds(host) == ["host_facts"]
    assert result["changed"] is False and result["installed"] == []


def test_check_mode_downloads_nothing():
    host = Host([facts(rewrite=True)])
    action = make_action(ActionModule, {"name": ["url_rewrite", "arr"]}, host, check_mode=True)
    result = action.run(task_vars={})
    assert kinds(host) == ["host_facts"]
    assert result["changed"] is True and result["installed"] == ["arr"]
    assert result["extensions"]["arr"]["installed"] is True


def test_checksum_and_source_go_to_win_package_as_sha256():
    host = Host([facts(rewrite=True), PKG_OK, facts(rewrite=True, arr=True)])
    args = {"name": ["arr"], "source": "\\\\fs\\msi\\requestRouter_amd64.msi", "checksum": "ab" * 32}
    make_action(ActionModule, args, host).run(task_vars={})
    assert host.calls[1]["args"] == {"product_id": "{78FD26A2-9214-48CD-AF71-7F33D1A78892}", "state": "present",
                                     "path": "\\\\fs\\msi\\requestRouter_amd64.msi", "checksum": "AB" * 32,
                                     "checksum_algorithm": "sha256"}


def test_checksum_mismatch_fails_clearly_and_stops():
    mismatch = {"failed": True, "changed": False, "rc": 0,
                "msg": "The checksum for C:\\t\\rewrite_amd64_en-US.msi did not match 'AA', it was 'BB'"}
    host = Host([facts(), mismatch])
    args = {"name": ["url_rewrite"], "checksum": "aa" * 32}
    result = make_action(ActionModule, args, host).run(task_vars={})
    assert result["failed"] is True and result["changed"] is False
    assert "installing IIS URL Rewrite Module 2 from https://download.microsoft.com" in result["msg"]
    assert "did not match" in result["msg"]
    assert kinds(host) == ["host_facts", "win_package"]


def test_failure_of_the_second_msi_reports_the_first_as_installed():
    failed = {"failed": True, "changed": False, "rc": 1603, "msg": "unexpected rc from 'msiexec.exe'",
              "stderr": "Fatal error during installation."}
    host = Host([facts(), PKG_OK, failed])
    result = make_action(ActionModule, {"name": ["url_rewrite", "arr"]}, host).run(task_vars={})
    assert result["failed"] is True and result["changed"] is True and result["installed"] == ["url_rewrite"]
    assert "rc=1603" in result["msg"] and "Application Request Routing" in result["msg"]


def test_sections_missing_after_install_is_an_error():
    host = Host([facts(), {"changed": False, "rc": 0, "reboot_required": False}, facts()])
    result = make_action(ActionModule, {"name": ["url_rewrite"]}, host).run(task_vars={})
    assert result["failed"] is True
    assert "{9BCA2118-F753-4A1E-BCF3-5A820729965C}" in result["msg"] and "not have its sections" in result["msg"]


def test_reboot_required_is_passed_on():
    host = Host([facts(), dict(PKG_OK, rc=3010, reboot_required=True), facts(rewrite=True)])
    result = make_action(ActionModule, {"name": ["url_rewrite"]}, host).run(task_vars={})
    assert result["reboot_required"] is True and result["changed"] is True


def test_absent_removes_arr_then_rewrite_by_product_id():
    host = Host([facts(rewrite=True, arr=True), PKG_OK, PKG_OK, facts()])
    result = make_action(ActionModule, {"name": ["url_rewrite", "arr"], "state": "absent"}, host).run(task_vars={})
    assert [c["args"] for c in host.calls[1:3]] == [
        {"product_id": "{78FD26A2-9214-48CD-AF71-7F33D1A78892}", "state": "absent"},
        {"product_id": "{9BCA2118-F753-4A1E-BCF3-5A820729965C}", "state": "absent"}]
    assert result["removed"] == ["arr", "url_rewrite"] and result["changed"] is True


def test_bad_input_never_reaches_the_host():
    for args in ({"name": ["arr"], "checksum": "nothex"}, {"name": ["arr"], "source": "ftp://x/y.msi"},
                 {"name": ["url_rewrite", "arr"], "product_id": "{11111111-2222-3333-4444-555555555555}"}):
        host = Host([])
        result = make_action(ActionModule, args, host).run(task_vars={})
        assert result["failed"] is True, args
        assert host.calls == [], args


def test_unknown_extension_name_lists_the_choices_without_a_call():
    host = Host([])
    result = make_action(ActionModule, {"name": ["mod_rewrite"]}, host).run(task_vars={})
    assert result["failed"] is True
    assert re.search("one or more of: url_rewrite, arr. Got no match for: mod_rewrite", result["msg"])
    assert host.calls == []


def test_no_iis_is_refused_after_the_read():
    host = Host([facts(iis=False)])
    result = make_action(ActionModule, {"name": ["url_rewrite", "arr"]}, host).run(task_vars={})
    assert result["failed"] is True and "iis_features" in result["msg"]
    assert kinds(host) == ["host_facts"]


def test_check_mode_without_iis_predicts_with_a_warning():
    host = Host([facts(iis=False)])
    result = make_action(ActionModule, {"name": ["url_rewrite", "arr"]}, host, check_mode=True).run(task_vars={})
    assert "failed" not in result and result["changed"] is True
    assert result["installed"] == ["url_rewrite", "arr"]
    assert "IIS is not installed" in result["warnings"][0] and "check mode" in result["warnings"][0]
