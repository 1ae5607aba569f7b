"""ansible-doc renders every module of plugins/modules and every role's argument spec.

ansible-doc exits 0 even for a plugin it cannot find (it only warns), so these tests read the
output: the JSON form must carry the plugin with its documentation, examples and return values.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import pytest
from playbook_run import REPO, ansible_env, venv_bin, venvs

MODULES: list[str | None] = sorted(p.stem for p in (REPO / "plugins" / "modules").glob("*.py")
                                   if p.stem != "__init__") or [None]
ROLES: list[str | None] = sorted(p.name for p in (REPO / "roles").iterdir() if p.is_dir()) or [None]
VENV_LIST = venvs()


@cache
def ansible_doc(venv: Path, kind: str, as_json: bool) -> subprocess.CompletedProcess:
    """One ansible-doc call per venv and plugin type, for every plugin of that type (it is slow)."""
    names = MODULES if kind == "module" else ROLES
    command = [str(venv_bin(venv, "ansible-doc")), "-t", kind, *(f"winflask.iis.{n}" for n in names if n)]
    if as_json:
        command.insert(1, "--json")
    work = Path(f"/tmp/winflask-ansible-doc-{venv.name}")
    return subprocess.run(command, capture_output=True, text=True, check=False,
                          env=ansible_env(venv, None, work, emulated=False))


def not_found(done: subprocess.CompletedProcess, fqcn: str) -> bool:
    return any(fqcn in line and "not found" in line for line in done.stderr.splitlines())


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
@pytest.mark.parametrize("module", MODULES, ids=[m or "none" for m in MODULES])
def test_module_doc_renders(module: str | None, venv: Path) -> None:
    assert module is not None, "no modules in plugins/modules"
    fqcn = f"winflask.iis.{module}"
    done = ansible_doc(venv, "module", as_json=True)
    assert done.returncode == 0 and not not_found(done, fqcn), done.stderr
    data = json.loads(done.stdout)
    assert fqcn in data, f"ansible-doc did not return {fqcn}: {done.stdout[:500]} {done.stderr}"
    entry = data[fqcn]
    doc = entry["doc"]
    assert doc["module"] == module
    assert doc["short_description"].strip()
    assert doc.get("author"), f"{fqcn} has no author"
    for name, option in (doc.get("options") or {}).items():
        assert option.get("description"), f"{fqcn} option {name} has no description"
    assert (entry.get("examples") or "").strip(), f"{fqcn} has no EXAMPLES"
    assert "return" in entry, f"{fqcn} has no RETURN"

    text = ansible_doc(venv, "module", as_json=False)
    assert text.returncode == 0 and not not_found(text, fqcn), text.stderr
    assert f"winflask.iis.{module} " in text.stdout or f"winflask.iis.{module}\n" in text.stdout, \
        f"{fqcn} missing from ansible-doc's text output"


@pytest.mark.parametrize("venv", VENV_LIST, ids=[v.name for v in VENV_LIST])
@pytest.mark.parametrize("role", ROLES, ids=[r or "none" for r in ROLES])
def test_role_argument_spec_renders(role: str | None, venv: Path) -> None:
    assert role is not None, "no roles in roles/"
    spec = REPO / "roles" / role / "meta" / "argument_specs.yml"
    assert spec.is_file(), f"role {role} has no meta/argument_specs.yml"
    fqcn = f"winflask.iis.{role}"
    done = ansible_doc(venv, "role", as_json=True)
    assert done.returncode == 0 and not not_found(done, fqcn), done.stderr
    data = json.loads(done.stdout)
    assert fqcn in data, f"ansible-doc did not return {fqcn}: {done.stdout[:500]}"
    entry_points = data[fqcn]["entry_points"]
    assert "main" in entry_points, f"{fqcn} has no 'main' entry point"
    assert entry_points["main"].get("short_description"), f"{fqcn} main entry point has no short_description"
