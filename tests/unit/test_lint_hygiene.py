"""What ansible-test sanity on ansible-core 2.16 and ansible-lint read, checked in a second (issue 11).

- Every module file's DOCUMENTATION, EXAMPLES and RETURN is YAML that parses to the right shape: the
  collection's plugins/modules and the emulator's stand-in ``ansible.windows`` modules, which ansible-lint
  reads because they are in the tree ("Unable to parse documentation" otherwise).
- Every ``__init__.py`` under plugins/module_utils and plugins/modules is empty: ansible-test 2.16's
  ``empty-init`` test covers ``plugins/module_utils/`` (later cores only ``plugins/modules/``).
- No YAML file Ansible loads has a duplicate mapping key, merge keys (``<<: *anchor``) included: ansible-core
  2.19+ warns "Found duplicate mapping key" (ansible-lint and every playbook run print it).
- scripts/quiet_check.py, which the lint stages run their linter through, fails on a warning.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
STAND_IN = REPO / "tests/emulator/collections/ansible_collections/ansible/windows/plugins/modules"
MODULE_FILES = sorted((REPO / "plugins/modules").glob("*.py")) + sorted(STAND_IN.glob("*.py"))
DOC_SHAPES = {"DOCUMENTATION": dict, "EXAMPLES": list, "RETURN": dict}


def doc_strings(path: Path) -> dict[str, str]:
    strings = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in DOC_SHAPES:
                    strings[target.id] = node.value.value
    return strings


def test_module_files_found() -> None:
    assert len(list(STAND_IN.glob("*.py"))) >= 10
    assert len(list((REPO / "plugins/modules").glob("*.py"))) >= 10


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_module_docs_parse(path: Path) -> None:
    strings = doc_strings(path)
    assert "DOCUMENTATION" in strings, f"{path.name}: no DOCUMENTATION"
    for name, text in strings.items():
        if name == "RETURN" and not text.strip():
            continue
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as error:
            pytest.fail(f"{path.relative_to(REPO)}: {name} is not YAML: {error}")
        assert isinstance(value, DOC_SHAPES[name]), f"{path.name}: {name} parses to {type(value).__name__}"
    assert strings["DOCUMENTATION"] and yaml.safe_load(strings["DOCUMENTATION"])["module"] == path.stem


class DuplicateKeyLoader(yaml.SafeLoader):
    """SafeLoader that raises on a duplicate key, after merge keys are flattened as ansible-core does."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep)
        keys: set = set()
        for key_node in (pair[0] for pair in node.value):
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate mapping key {key!r}",
                                                        key_node.start_mark)
            keys.add(key)
        return mapping


ANSIBLE_YAML = sorted(path for folder in ("roles", "playbooks", "extensions", "tests/integration/targets")
                      for suffix in ("*.yml", "*.yaml") for path in (REPO / folder).rglob(suffix))


def test_duplicate_key_loader_sees_a_merge_override() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate mapping key 'b'"):
        yaml.load("base: &base {a: 1, b: 2}\ntask:\n  <<: *base\n  b: 3\n", Loader=DuplicateKeyLoader)


@pytest.mark.parametrize("path", ANSIBLE_YAML, ids=lambda p: str(p.relative_to(REPO)))
def test_no_duplicate_mapping_keys(path: Path) -> None:
    try:
        list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=DuplicateKeyLoader))
    except yaml.constructor.ConstructorError as error:
        pytest.fail(f"{path.relative_to(REPO)}: {error}")


def test_plugin_package_inits_are_empty() -> None:
    inits = sorted((REPO / "plugins/module_utils").rglob("__init__.py"))
    inits += sorted((REPO / "plugins/modules").rglob("__init__.py"))
    assert inits, "no package under plugins/module_utils"
    not_empty = [str(path.relative_to(REPO)) for path in inits if path.stat().st_size]
    assert not_empty == [], f"empty __init__.py required (ansible-test 2.16 empty-init): {not_empty}"


def quiet_check(*args: str, output: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", f"import sys; sys.stdout.write({output!r})"]
    return subprocess.run([sys.executable, str(REPO / "scripts/quiet_check.py"), *args, "--", *command],
                          capture_output=True, text=True, check=False)


@pytest.mark.parametrize("line", [
    "WARNING  Listing 1 violation(s) that are fatal",
    "[WARNING]: Found duplicate mapping key 'rotate_bytes'.",
    "[ERROR]: Unable to parse documentation in python file 'x.py'",
    "WARNING: PATH altered to include /venv/bin",
    "warning: The top-level linter settings are deprecated",
    "\x1b[2mWARNING  something\x1b[0m",
])
def test_quiet_check_fails_on_a_warning(line: str) -> None:
    result = quiet_check(output=f"fine\n{line}\nPassed\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "printed 1 warning or error line(s)" in result.stderr
    assert line in result.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", line) in result.stderr


def test_quiet_check_passes_clean_output_and_allowed_warnings() -> None:
    allowed = 'WARNING: Required program "shellcheck" not found.'
    result = quiet_check("--allow", 'Required program "shellcheck"', output=f"all fine\n{allowed}\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert allowed in result.stdout


def test_quiet_check_keeps_the_command_status() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts/quiet_check.py"), "--", sys.executable, "-c",
                             "raise SystemExit(3)"], capture_output=True, text=True, check=False)
    assert result.returncode == 3


def test_quiet_check_fail_on_adds_a_pattern() -> None:
    summary = "Passed: 0 failure(s), 2 warning(s) in 332 files processed"
    assert quiet_check(output=summary + "\n").returncode == 0
    result = quiet_check("--fail-on", r" [1-9][0-9]* warning\(s\)", output=summary + "\n")
    assert result.returncode == 1 and summary in result.stderr
    clean = "Passed: 0 failure(s), 0 warning(s) in 332 files processed\n"
    assert quiet_check("--fail-on", r" [1-9][0-9]* warning\(s\)", output=clean).returncode == 0
