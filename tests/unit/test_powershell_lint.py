"""The Windows PowerShell 5.1 static check, tests/powershell/lint.mjs (docs/powershell.md "Static check").

Every fixture under tests/powershell/fixtures/bad/ is named after the one rule it breaks
(``<rule-id>.ps1`` or ``<rule-id>--<variant>.ps1``) and must be reported with exactly that rule;
every fixture under good/ must pass. fixtures/regression/ holds the nssm scripts as they were at
commit f3d6875 (before issue 9): the check must report their defects. The collection's scripts
are checked as the transport sends them (includes inlined), as the ``powershell`` stage does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_DIR = ROOT / "tests" / "powershell"
LINT = LINT_DIR / "lint.mjs"
PARSER = LINT_DIR / "parse.mjs"
FIXTURES = LINT_DIR / "fixtures"
BAD = sorted((FIXTURES / "bad").glob("*.ps1"))
GOOD = sorted((FIXTURES / "good").glob("*.ps1"))
# "<file>:<line>:<col> <rule-id> <message> (<source>)"
FINDING = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+) (?P<rule>[a-z0-9-]+) (?P<message>.+) \((?P<source>https://[^)]+.*)\)$")


def run_node(script: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the PowerShell static check needs Node.js")
    if not (LINT_DIR / "node_modules" / "tree-sitter-powershell" / "tree-sitter-powershell.wasm").is_file():
        pytest.fail("tree-sitter packages are not installed; run: cd tests/powershell && npm ci --ignore-scripts")
    return subprocess.run([node, str(script), *map(str, files)], capture_output=True, text=True, timeout=120,
                          check=False, cwd=ROOT)


def findings(result: subprocess.CompletedProcess[str]) -> list[re.Match[str]]:
    out = []
    for line in result.stdout.splitlines():
        if line.startswith("ok "):
            continue
        match = FINDING.match(line)
        assert match, f"finding not in the 'file:line:col rule message (source)' form: {line!r}"
        out.append(match)
    return out


def rule_ids() -> set[str]:
    """The rule ids lint.mjs declares (its RULES table)."""
    text = LINT.read_text(encoding="utf-8")
    table = text[text.index("export const RULES = {"):text.index("\n};", text.index("export const RULES = {"))]
    return set(re.findall(r'^  "([a-z0-9-]+)": \[', table, re.MULTILINE))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def bad_run() -> subprocess.CompletedProcess[str]:
    return run_node(LINT, *(p.relative_to(ROOT) for p in BAD))


@pytest.fixture(scope="module")
def good_run() -> subprocess.CompletedProcess[str]:
    return run_node(LINT, *(p.relative_to(ROOT) for p in GOOD))


def test_every_rule_has_a_bad_fixture_and_a_documented_source() -> None:
    rules = rule_ids()
    assert len(rules) >= 20, rules
    named = {p.name.split("--")[0].removesuffix(".ps1") for p in BAD}
    assert named == rules, f"rules without a bad fixture: {rules - named}; fixtures without a rule: {named - rules}"
    docs = (ROOT / "docs" / "powershell.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Static check"):]
    for rule in rules:
        assert f"`{rule}`" in section, f"docs/powershell.md 'Static check' does not list {rule}"


@pytest.mark.parametrize("fixture", BAD, ids=lambda p: p.name)
def test_bad_fixture_gets_exactly_its_rule(bad_run: subprocess.CompletedProcess[str], fixture: Path) -> None:
    expected = fixture.name.split("--")[0].removesuffix(".ps1")
    included = {rel(p) for p in (FIXTURES / "include").glob("*.ps1")} if "include" in fixture.name else set()
    mine = [m for m in findings(bad_run) if m["file"] == rel(fixture) or m["file"] in included]
    assert mine, f"{fixture.name} is not flagged:\n{bad_run.stdout}"
    assert {m["rule"] for m in mine} == {expected}, "\n".join(m.group(0) for m in mine)
    assert f"ok {rel(fixture)}" not in bad_run.stdout.splitlines()


def test_bad_run_fails(bad_run: subprocess.CompletedProcess[str]) -> None:
    assert bad_run.returncode == 1, bad_run.stdout + bad_run.stderr


def test_include_finding_is_reported_in_the_included_file(bad_run: subprocess.CompletedProcess[str]) -> None:
    include = rel(FIXTURES / "include" / "servicecontroller.ps1")
    lines = [m for m in findings(bad_run) if m["file"] == include]
    assert [(m["line"], m["rule"]) for m in lines] == [("3", "type-not-loaded")], bad_run.stdout


@pytest.mark.parametrize("fixture", GOOD, ids=lambda p: p.name)
def test_good_fixture_passes(good_run: subprocess.CompletedProcess[str], fixture: Path) -> None:
    assert f"ok {rel(fixture)}" in good_run.stdout.splitlines(), good_run.stdout + good_run.stderr


def test_good_run_succeeds_and_good_fixtures_parse(good_run: subprocess.CompletedProcess[str]) -> None:
    assert good_run.returncode == 0, good_run.stdout + good_run.stderr
    parsed = run_node(PARSER, *GOOD, *(FIXTURES / "include").glob("*.ps1"))
    assert parsed.returncode == 0, parsed.stdout


def test_pre_issue_9_nssm_scripts_are_flagged() -> None:
    """nssm_read.ps1 + common/nssm.ps1 as of f3d6875: items 1-4, 6, 7 and 8 of issue 9."""
    regression = FIXTURES / "regression"
    result = run_node(LINT, (regression / "nssm_read-f3d6875.ps1").relative_to(ROOT))
    assert result.returncode == 1
    got = {(Path(m["file"]).name, int(m["line"]), m["rule"]) for m in findings(result)}
    common = "nssm-f3d6875.ps1"
    assert (common, 70, "type-not-loaded") in got  # [System.ServiceProcess.ServiceController]::GetServices()
    assert (common, 27, "unsigned-cast") in got  # [uint64]$raw
    script = "nssm_read-f3d6875.ps1"
    for line, rule in [(16, "should-process-changed"), (27, "should-process-whatif"), (43, "join-path-over-path"),
                       (40, "path-lookup-without-pathext"), (67, "ntaccount-dot-user")]:
        assert (script, line, rule) in got, result.stdout
    text = (regression / common).read_text(encoding="utf-8").splitlines()
    assert "[System.ServiceProcess.ServiceController]::GetServices()" in text[69]
    assert "[uint64]$raw" in text[26]


def test_a_load_after_the_common_file_does_not_count(tmp_path: Path) -> None:
    """Loading System.ServiceProcess in the script after the include line is too late."""
    common = tmp_path / "common.ps1"
    common.write_text((FIXTURES / "regression" / "nssm-f3d6875.ps1").read_text(encoding="utf-8"), encoding="utf-8")
    late = tmp_path / "late.ps1"
    late.write_text("# winflask-include: common.ps1\nAdd-Type -AssemblyName System.ServiceProcess\n", encoding="utf-8")
    early = tmp_path / "early.ps1"
    early.write_text("Add-Type -AssemblyName System.ServiceProcess\n# winflask-include: common.ps1\n", encoding="utf-8")
    late_rules = {m["rule"] for m in findings(run_node(LINT, late))}
    early_rules = {m["rule"] for m in findings(run_node(LINT, early))}
    assert "type-not-loaded" in late_rules
    assert "type-not-loaded" not in early_rules


def test_usage() -> None:
    result = run_node(LINT)
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_collection_scripts_run_through_the_check() -> None:
    """The stage's command runs on the scripts as sent; its findings (if any) are well-formed and name real files.

    Whether the collection's scripts are clean is the ``powershell`` stage's verdict (scripts/test.sh), not
    this test's: the scripts are being fixed while this check lands.
    """
    scripts = sorted((ROOT / "powershell").glob("*.ps1"))
    result = run_node(LINT, *(p.relative_to(ROOT) for p in scripts))
    assert result.returncode in (0, 1), result.stderr
    for match in findings(result):
        assert (ROOT / match["file"]).is_file(), match.group(0)
        assert match["rule"] in rule_ids()


def test_every_common_file_is_checked_through_a_script() -> None:
    """The stage checks powershell/*.ps1 as sent; a common file no script includes would escape it."""
    included = set()
    for script in (ROOT / "powershell").glob("*.ps1"):
        included |= set(re.findall(r"^# winflask-include: (\S+)$", script.read_text(encoding="utf-8"), re.MULTILINE))
    common = {f"common/{p.name}" for p in (ROOT / "powershell" / "common").glob("*.ps1")}
    assert common <= included, common - included
