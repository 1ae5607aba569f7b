"""The self-test playbook winflask.iis.check_host (playbooks/check_host.yml) on emulated hosts.

- a full Windows Server 2022 host (IIS, URL Rewrite, ARR, nssm.exe in %ProgramFiles%\\nssm) and a
  bare one (no IIS): rc 0 and no failed task either way; the report names the versions, the
  sections found, each read's script and its summary or its error code (IISNotInstalled on the
  bare host);
- normal run and --check give the same report; the host only received reads (calls.jsonl) and
  its files are byte-identical; the only change is the report file on the controller;
- a site asked for that does not exist is an error in the report, not a failed play.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from playbook_run import EMULATED_INVENTORY, REPO, ansible_env, create_host, read_calls, run_playbook, venvs
from test_site import snapshot

HOST = "emulated-server2022"
VENV_LIST = venvs()
APPHOST = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"
SITE_CONFIG = "C:\\inetpub\\wwwroot\\web.config"
USED_SECTIONS = [
    "system.webServer/proxy",
    "system.webServer/rewrite/rules",
    "system.webServer/rewrite/globalRules",
    "system.webServer/rewrite/outboundRules",
    "system.webServer/rewrite/allowedServerVariables",
    "system.webServer/rewrite/rewriteMaps",
]
# (read, scope) -> script, in the report's order
FULL_READS = {
    ("host_info", "host"): "host_facts",
    ("arr_proxy_info", "server"): "config_read",
    ("server_variable_info", "server"): "config_read",
    ("rewrite_rule_info", "server inbound"): "config_read",
    ("rewrite_rule_info", "server outbound"): "config_read",
    ("rewrite_rule_info", "site Default Web Site, inbound"): "config_read",
    ("rewrite_rule_info", "site Default Web Site, outbound"): "config_read",
    ("server_variable_info", "site Default Web Site"): "config_read",
    ("nssm_service_info", "service winflask-myapp"): "nssm_read",
}
SERVER_LEVEL_READS = [("arr_proxy_info", "server"), ("server_variable_info", "server"),
                      ("rewrite_rule_info", "server inbound"), ("rewrite_rule_info", "server outbound")]


def venv_output(venv: Path, code: str) -> str:
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def put_nssm(venv: Path, root: Path) -> None:
    """nssm.exe where the nssm role puts it (the emulator reads its version from the file)."""
    target = root / "C" / "Program Files" / "nssm" / "nssm.exe"
    target.parent.mkdir(parents=True, exist_ok=True)
    venv_output(venv, f"import winhost.nssm as n; open({str(target)!r}, 'wb').write(n.fake_exe())")


def check_host(venv: Path, root: Path, work: Path, *extra: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the playbook; return the report file it wrote and the calls the host received during the run."""
    reports = work / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    calls_before = len(read_calls(root))
    before = snapshot(root)
    run = run_playbook(venv, "winflask.iis.check_host", EMULATED_INVENTORY, ansible_env(venv, root, work),
                       ["-e", f"check_host_report_dir={reports}", *extra])
    assert run.rc == 0, run.failure_report()
    recap = run.recap[HOST]
    assert recap["failed"] == 0 and recap["unreachable"] == 0 and recap["ignored"] == 0, run.failure_report()
    assert recap["changed"] == 1, f"only the report file on the controller may change\n{run.failure_report()}"
    assert "check_host_report" in run.stdout, "the report is not shown"
    assert snapshot(root) == before, "check_host changed files on the host"
    calls = read_calls(root)[calls_before:]
    assert calls, "check_host sent nothing to the host"
    assert {c["kind"] for c in calls} == {"read"}, [(c["script"], c["kind"]) for c in calls]
    assert all(c["module"] == "ansible.windows.win_powershell" for c in calls), calls
    assert {c["check_mode"] for c in calls} == {"--check" in extra}
    report_file = reports / f"check_host-{HOST}.yml"
    report = yaml.safe_load(report_file.read_text(encoding="utf-8"))
    report_file.unlink()
    assert report["check_mode"] is ("--check" in extra)
    return report, calls


def reads_by_key(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(read["read"], read["scope"]): read for read in report["reads"]}


def assert_controller(report: dict[str, Any], venv: Path) -> None:
    controller = report["controller"]
    assert controller["ansible_core"] == venv_output(venv, "import ansible.release as r; print(r.__version__)")
    assert controller["python"] == venv_output(venv, "import sys; print(sys.version.split()[0])")
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    assert controller["winflask.iis"]["version"] == galaxy["version"]
    assert Path(controller["winflask.iis"]["path"]).resolve() == REPO
    # the copy ansible-core uses: the emulator's stand-in comes first on ANSIBLE_COLLECTIONS_PATH
    assert controller["ansible.windows"] == {
        "version": "3.99.0",
        "path": str(REPO / "tests/emulator/collections/ansible_collections/ansible/windows")}


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_full_host(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host")
    put_nssm(venv, root)
    report, calls = check_host(venv, root, tmp_path)

    assert report["host"] == HOST
    assert_controller(report, venv)
    windows = report["windows"]
    assert windows["os"] == "Microsoft Windows Server 2022 Datacenter"
    assert windows["os_version"].startswith("10.0.20348")
    assert (windows["product_type"], windows["sku"], windows["installation_type"]) == (3, "server", "Server")
    assert windows["powershell"].startswith("5.1.")
    assert (windows["iis"], windows["iis_config_file"]) == ("10.0", APPHOST)
    assert windows["url_rewrite"] is True and windows["arr"] is True
    assert (windows["sections_found"], windows["sections_missing"]) == (USED_SECTIONS, [])
    assert windows["global_modules_found"] == ["RewriteModule", "ApplicationRequestRouting"]
    assert windows["sites"] == ["Default Web Site"]

    reads = reads_by_key(report)
    assert {key: read["script"] for key, read in reads.items()} == FULL_READS
    assert all(read["ok"] for read in reads.values()), report["reads"]
    assert report["failed_reads"] == []
    assert reads[("host_info", "host")]["summary"]["iis_installed"] is True
    assert reads[("arr_proxy_info", "server")]["summary"] == {"enabled": False}
    assert reads[("rewrite_rule_info", "server inbound")]["summary"]["file"] == APPHOST
    assert reads[("rewrite_rule_info", "site Default Web Site, inbound")]["summary"] == {
        "rules": [], "inherited_rules": 0, "file": SITE_CONFIG}
    assert reads[("server_variable_info", "site Default Web Site")]["summary"]["file"] == APPHOST
    assert reads[("nssm_service_info", "service winflask-myapp")]["summary"] == {
        "nssm": {"path": "C:\\Program Files\\nssm\\nssm.exe", "version": "2.24.101.0"},
        "service_exists": False, "is_nssm": False, "status": None}
    # one call per read: the three read scripts, nothing else
    assert sorted({c["script"] for c in calls}) == ["config_read", "host_facts", "nssm_read"]
    assert len(calls) == len(FULL_READS)

    checked, check_calls = check_host(venv, root, tmp_path, "--check")
    assert {**checked, "check_mode": False} == report
    assert [c["script"] for c in check_calls] == [c["script"] for c in calls]


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
def test_bare_host(venv: Path, tmp_path: Path) -> None:
    root = create_host(venv, tmp_path / "host", bare=True)
    report, calls = check_host(venv, root, tmp_path, "--check")

    assert_controller(report, venv)
    windows = report["windows"]
    assert (windows["iis"], windows["iis_config_file"]) == ("not installed", None)
    assert windows["url_rewrite"] is False and windows["arr"] is False
    assert (windows["sections_found"], windows["sections_missing"]) == ([], USED_SECTIONS)
    assert windows["global_modules_missing"] == ["RewriteModule", "ApplicationRequestRouting"]
    assert windows["sites"] == []

    reads = reads_by_key(report)
    # no site, so no site read; every server-level config read is an error in the report
    assert list(reads) == [("host_info", "host"), *SERVER_LEVEL_READS, ("nssm_service_info", "service winflask-myapp")]
    for key in SERVER_LEVEL_READS:
        read = reads[key]
        assert (read["ok"], read["error_code"], read["script"]) == (False, "IISNotInstalled", "config_read"), read
        assert "IIS is not installed" in read["message"] and "summary" not in read
    assert report["failed_reads"] == [f"{name} ({scope}): IISNotInstalled" for name, scope in SERVER_LEVEL_READS]
    assert reads[("host_info", "host")]["ok"] and reads[("nssm_service_info", "service winflask-myapp")]["ok"]
    assert reads[("nssm_service_info", "service winflask-myapp")]["summary"]["nssm"] is None
    failed_calls = [c for c in calls if c["failed"]]
    assert [c["error"] for c in failed_calls] == ["IISNotInstalled"] * 4

    ran = check_host(venv, root, tmp_path)[0]
    assert {**ran, "check_mode": True} == report


MISSING_SITE_CASES = [(venv, '["No Such Site"]') for venv in VENV_LIST] + [(VENV_LIST[0], '"No Such Site"')]


@pytest.mark.parametrize(("venv", "sites"), MISSING_SITE_CASES,
                         ids=[f"{v.name}-{'list' if s.startswith('[') else 'string'}" for v, s in MISSING_SITE_CASES])
def test_a_missing_site_is_reported(venv: Path, sites: str, tmp_path: Path) -> None:
    """check_host_sites as a list or as one name (-e check_host_sites='No Such Site')."""
    root = create_host(venv, tmp_path / "host")
    report = check_host(venv, root, tmp_path, "-e", f'{{"check_host_sites": {sites}}}')[0]
    assert [read["scope"] for read in report["reads"] if "No Such Site" in read["scope"]] == [
        "site No Such Site, inbound", "site No Such Site, outbound", "site No Such Site"]
    reads = reads_by_key(report)
    missing = [reads[("rewrite_rule_info", "site No Such Site, inbound")],
               reads[("rewrite_rule_info", "site No Such Site, outbound")],
               reads[("server_variable_info", "site No Such Site")]]
    for read in missing:
        assert read["ok"] is False and "No Such Site" in read["message"], read
    assert len(report["failed_reads"]) == 3 and all("No Such Site" in text for text in report["failed_reads"])
    assert reads[("arr_proxy_info", "server")]["ok"]
