"""Options, MSI locations and plans of iis_extension."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import iis_extension as x
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

REWRITE_SECTIONS = ["system.webServer/rewrite/rules", "system.webServer/rewrite/globalRules",
                    "system.webServer/rewrite/allowedServerVariables"]


def facts(iis=True, rewrite=False, arr=False):
    sections, modules = [], []
    if rewrite:
        sections += REWRITE_SECTIONS
        modules.append("RewriteModule")
    if arr:
        sections.append("system.webServer/proxy")
        modules.append("ApplicationRequestRouting")
    return {"os": {"product_type": 3, "caption": "Microsoft Windows Server 2022 Datacenter"},
            "iis": {"installed": iis}, "sections": sections, "global_modules": modules, "sites": []}


def args(**kw):
    base = {"name": ["url_rewrite", "arr"], "state": "present", "source": None, "checksum": None,
            "product_id": None}
    base.update(kw)
    return base


def test_names_come_back_in_install_order():
    assert x.validate(args(name=["arr", "url_rewrite"])) == ["url_rewrite", "arr"]


@pytest.mark.parametrize("kw, fragment", [
    ({"source": "ftp://example.com/x.msi"}, "source must be an http(s) URL"),
    ({"source": "relative\\dir"}, "got 'relative\\\\dir'"),
    ({"source": "C:\\msi\\rewrite.msi"}, "names one MSI file but name lists"),
    ({"checksum": "ab" * 32}, "checksum applies to one MSI"),
    ({"name": ["arr"], "checksum": "abc"}, "checksum must be a SHA-256 hash (64 hex digits), got 'abc'"),
    ({"name": ["arr"], "product_id": "78FD26A2"}, "product_id must be an MSI ProductCode"),
])
def test_bad_options(kw, fragment):
    with pytest.raises(ModuleError) as err:
        x.validate(args(**kw))
    assert fragment in str(err.value)


def test_msi_locations():
    rewrite = x.EXTENSIONS["url_rewrite"]
    assert x.msi_location(rewrite, None).startswith("https://download.microsoft.com/")
    assert x.msi_location(rewrite, "\\\\fs\\share\\iis\\") == "\\\\fs\\share\\iis\\rewrite_amd64_en-US.msi"
    assert x.msi_location(rewrite, "C:\\msi") == "C:\\msi\\rewrite_amd64_en-US.msi"
    assert x.msi_location(rewrite, "https://mirror.example/iis/") == "https://mirror.example/iis/rewrite_amd64_en-US.msi"
    assert x.msi_location(rewrite, "C:\\other\\custom.MSI") == "C:\\other\\custom.MSI"


def test_plan_installs_missing_in_order_and_nothing_when_present():
    assert x.plan(facts(), ["url_rewrite", "arr"], "present") == ["url_rewrite", "arr"]
    assert x.plan(facts(rewrite=True), ["url_rewrite", "arr"], "present") == ["arr"]
    assert x.plan(facts(rewrite=True, arr=True), ["url_rewrite", "arr"], "present") == []


def test_arr_alone_needs_url_rewrite():
    with pytest.raises(ModuleError, match="needs IIS URL Rewrite Module 2 installed first: add url_rewrite"):
        x.plan(facts(), ["arr"], "present")
    assert x.plan(facts(rewrite=True), ["arr"], "present") == ["arr"]


def test_no_iis_is_a_clear_error_only_when_something_is_to_install():
    with pytest.raises(ModuleError, match="IIS is not installed.*iis_features"):
        x.plan(facts(iis=False), ["url_rewrite"], "present")
    assert x.plan(facts(iis=False), ["url_rewrite"], "absent") == []
    assert x.plan(facts(iis=False), ["url_rewrite"], "present", check_mode=True) == ["url_rewrite"]


def test_removal_is_arr_first_and_refuses_to_orphan_arr():
    assert x.plan(facts(rewrite=True, arr=True), ["url_rewrite", "arr"], "absent") == ["arr", "url_rewrite"]
    with pytest.raises(ModuleError, match="remove arr too"):
        x.plan(facts(rewrite=True, arr=True), ["url_rewrite"], "absent")
    assert x.plan(facts(rewrite=True, arr=True), ["arr"], "absent") == ["arr"]


def test_package_args():
    present = x.package_args("arr", "present", args(name=["arr"], checksum="ab" * 32, source="\\\\fs\\s"))
    assert present == {"product_id": "{78FD26A2-9214-48CD-AF71-7F33D1A78892}", "state": "present",
                       "path": "\\\\fs\\s\\requestRouter_amd64.msi", "checksum": "AB" * 32,
                       "checksum_algorithm": "sha256"}
    absent = x.package_args("url_rewrite", "absent", args(state="absent"))
    assert absent == {"product_id": "{9BCA2118-F753-4A1E-BCF3-5A820729965C}", "state": "absent"}
    custom = x.package_args("url_rewrite", "present", args(name=["url_rewrite"],
                                                           product_id="{11111111-2222-3333-4444-555555555555}"))
    assert custom["product_id"] == "{11111111-2222-3333-4444-555555555555}" and "checksum" not in custom
