"""Syntax check of every PowerShell script in the collection, without PowerShell.

tests/powershell/parse.mjs parses each file with tree-sitter-powershell (web-tree-sitter under
node) and fails on the first ERROR/MISSING node. The node packages are pinned in
tests/powershell/package.json + package-lock.json; install them with
``npm ci --ignore-scripts`` in tests/powershell before running this test.

Each file is parsed as it is (scripts with their ``# winflask-include:`` comment lines, and the
powershell/common/ files), and each script again as the transport sends it: expanded by
transport.load_script, so a common file that breaks the script it is inlined into is caught.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import transport

ROOT = Path(__file__).resolve().parents[2]
PARSER_DIR = ROOT / "tests" / "powershell"
PARSER = PARSER_DIR / "parse.mjs"
INSTALL_HINT = "cd tests/powershell && npm ci --ignore-scripts"
# tests/powershell/fixtures: lint.mjs fixtures, some PowerShell 7 syntax on purpose (test_powershell_lint.py).
SKIP_DIRS = {"node_modules", ".venv", ".git", "output", ".tox", ".ansible", ".build", "fixtures"}


def all_scripts() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.ps1") if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts))


def run_parser(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the PowerShell syntax check needs Node.js")
    wasm = PARSER_DIR / "node_modules" / "tree-sitter-powershell" / "tree-sitter-powershell.wasm"
    runtime = PARSER_DIR / "node_modules" / "web-tree-sitter" / "tree-sitter.js"
    if not wasm.is_file() or not runtime.is_file():
        pytest.fail(f"tree-sitter packages are not installed for the PowerShell syntax check; run: {INSTALL_HINT}")
    return subprocess.run(
        [node, str(PARSER), *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )


def test_collection_scripts_are_found() -> None:
    names = {p.name for p in all_scripts()}
    assert {"config_read.ps1", "config_apply.ps1", "host_facts.ps1"} <= names


@pytest.fixture(scope="module")
def parsed_all() -> subprocess.CompletedProcess[str]:
    """One node run over every script (node start-up and grammar load dominate the cost)."""
    return run_parser(*all_scripts())


@pytest.mark.parametrize("script", all_scripts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_script_parses_cleanly(parsed_all: subprocess.CompletedProcess[str], script: Path) -> None:
    report = [line for line in parsed_all.stdout.splitlines() if line.startswith((f"ok {script}", f"{script}:"))]
    assert report == [f"ok {script}"], f"syntax error in {script}:\n{parsed_all.stdout}{parsed_all.stderr}"


def target_scripts() -> list[Path]:
    return sorted((ROOT / "powershell").glob("*.ps1"))


def write_expanded(folder: Path) -> list[Path]:
    """Each target script as transport.load_script sends it, written to ``folder``."""
    written = []
    for script in target_scripts():
        path = folder / script.name
        path.write_text(transport.load_script(script.stem), encoding="utf-8")
        written.append(path)
    return written


@pytest.fixture(scope="module")
def parsed_expanded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("expanded")
    return folder, run_parser(*write_expanded(folder))


@pytest.mark.parametrize("script", target_scripts(), ids=lambda p: p.name)
def test_expanded_script_parses_cleanly(parsed_expanded: tuple[Path, subprocess.CompletedProcess[str]],
                                        script: Path) -> None:
    folder, result = parsed_expanded
    sent = folder / script.name
    assert transport.INCLUDE.search(sent.read_text(encoding="utf-8")) is None, "every include is expanded"
    report = [line for line in result.stdout.splitlines() if line.startswith((f"ok {sent}", f"{sent}:"))]
    assert report == [f"ok {sent}"], f"syntax error in {script.name} as sent:\n{result.stdout}{result.stderr}"
    assert result.returncode == 0, result.stdout + result.stderr


def test_broken_include_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A common file whose text breaks the script it is inlined into fails the expanded check."""
    scripts = tmp_path / "powershell"
    shutil.copytree(ROOT / "powershell", scripts)
    iis = scripts / "common" / "iis.ps1"
    # An unclosed here-string breaks every script that includes iis.ps1, and only those.
    iis.write_text(iis.read_text(encoding="utf-8") + "$text = @'\n", encoding="utf-8")
    monkeypatch.setattr(transport, "SCRIPTS_DIR", str(scripts))
    out = tmp_path / "out"
    out.mkdir()
    result = run_parser(*write_expanded(out))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in ("config_read.ps1", "config_apply.ps1"):
        assert any(line.startswith(f"{out / name}:") for line in lines), result.stdout
    assert f"ok {out / 'nssm_read.ps1'}" in lines


def test_parser_run_succeeds_for_all(parsed_all: subprocess.CompletedProcess[str]) -> None:
    assert parsed_all.returncode == 0, parsed_all.stdout + parsed_all.stderr


def broken_variants(text: str) -> dict[str, str]:
    """Copies of a real script with one classic mistake each."""
    param_end = "[string]$Request\n)"
    assert param_end in text, "the script no longer has the param block this test breaks"
    anchor = text.index("function Get-Fingerprint") if "function Get-Fingerprint" in text else text.index("try {")
    return {
        "unclosed_param": text.replace(param_end, "[string]$Request\n", 1),
        "unclosed_hashtable": text[:anchor] + "$broken = @{\n    a = 1\n\n" + text[anchor:],
        "unclosed_brace": text.replace("try {", "try {\n    if ($true) {", 1),
    }


@pytest.mark.parametrize("variant", ["unclosed_param", "unclosed_hashtable", "unclosed_brace"])
def test_parser_catches_breakage(tmp_path: Path, variant: str) -> None:
    source = ROOT / "powershell" / "config_read.ps1"
    broken = tmp_path / f"{variant}.ps1"
    broken.write_text(broken_variants(source.read_text(encoding="utf-8"))[variant], encoding="utf-8")
    good = tmp_path / "good.ps1"
    shutil.copy(source, good)

    result = run_parser(good, broken)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert f"ok {good}" in lines
    bad_lines = [line for line in lines if line.startswith(f"{broken}:")]
    assert len(bad_lines) == 1, result.stdout
    # "<file>:<line>:<column>: ERROR ..." names the file and a position.
    position = bad_lines[0][len(str(broken)) + 1 :].split(":", 2)
    assert position[0].isdigit() and position[1].isdigit(), bad_lines[0]
    assert "ERROR" in bad_lines[0] or "MISSING" in bad_lines[0]


def test_parser_rejects_no_arguments() -> None:
    result = run_parser()
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_missing_packages_fail_with_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "PARSER_DIR", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="npm ci --ignore-scripts"):
        run_parser(ROOT / "powershell" / "config_read.ps1")
