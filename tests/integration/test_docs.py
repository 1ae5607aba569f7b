"""ansible-doc renders every module of plugins/modules and every role's argument spec; the docs
site's pages, the modules' and the roles' docs name no file the built collection does not hold.

ansible-doc exits 0 even for a plugin it cannot find (it only warns), so these tests read the
output: the JSON form must carry the plugin with its documentation, examples and return values.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
import tempfile
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
    # The page's heading names the module: "> MODULE winflask.iis.x (path)" (with bold escapes) on newer
    # cores, "> WINFLASK.IIS.X    (path)" on 2.16; a mention elsewhere (EXAMPLES) does not count.
    headings = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in text.stdout.splitlines() if line.startswith("> ")]
    assert any(re.search(rf"(?<![\w.]){re.escape(fqcn)}\s", line, re.IGNORECASE) for line in headings), \
        f"{fqcn} has no page in ansible-doc's text output: {headings}"


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


# --- The docs site's pages refer only to what the built collection holds (issue 11) ---------------

DOCSITE_RST = REPO / "docs" / "docsite" / "rst"
# A path inside the repository: one of its top-level entries, a slash, more. URLs are taken out first.
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def repo_path_pattern(top_level: list[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(top_level, key=len, reverse=True))
    return re.compile(rf"(?<![\w\\:/.$%-])((?:{names})/[\w./-]*[\w/])")


def outside_references(text: str, shipped: set[str], top_level: list[str]) -> list[str]:
    """The repository paths named in text that the built collection does not hold (file or folder)."""
    folders = {str(Path(name).parent) for name in shipped} | {
        str(parent) for name in shipped for parent in Path(name).parents}
    found = []
    for match in repo_path_pattern(top_level).finditer(URL.sub(" ", text)):
        path = match.group(1).rstrip("/.")
        if path not in shipped and path not in folders:
            found.append(path)
    return sorted(set(found))


@cache
def shipped_files() -> frozenset[str]:
    """The files of the tarball ansible-galaxy builds from this checkout (what a user installs)."""
    venv = VENV_LIST[0]
    out = Path(tempfile.mkdtemp(prefix="winflask-docs-build."))
    try:
        subprocess.run([str(venv_bin(venv, "ansible-galaxy")), "collection", "build", "--output-path",
                        str(out), str(REPO)], check=True, capture_output=True, text=True)
        (tarball,) = out.glob("winflask-iis-*.tar.gz")
        with tarfile.open(tarball) as archive:
            return frozenset(m.name.removeprefix("./") for m in archive.getmembers() if m.isfile())
    finally:
        shutil.rmtree(out, ignore_errors=True)


def repo_top_level() -> list[str]:
    done = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True)
    return sorted({line.split("/", 1)[0] for line in done.stdout.splitlines() if "/" in line})


def test_outside_references_are_found() -> None:
    shipped = {"roles/nssm/tasks/main.yml", "plugins/modules/host_info.py", "README.md"}
    top = ["docs", "plugins", "roles", "scripts", "tests"]
    text = ("Run scripts/site.sh, see docs/testing.md and tests/unit/test_x.py; the role is in roles/nssm "
            "(roles/nssm/tasks/main.yml), the module plugins/modules/host_info.py. Not paths: "
            "system.webServer/rewrite/rules, C:\\apps\\docs/x, https://example.org/docs/y.md, $HOME/tests/z.")
    assert outside_references(text, shipped, top) == ["docs/testing.md", "scripts/site.sh", "tests/unit/test_x.py"]


def test_docsite_pages_exist_and_are_listed() -> None:
    pages = sorted(p.stem for p in DOCSITE_RST.glob("*.rst"))
    assert {"guide_user", "guide_troubleshooting"} <= set(pages), pages
    listed = re.findall(r"^\s*-\s+([A-Za-z0-9_]+)\s*$",
                        (REPO / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(listed) == pages, f"extra-docs.yml lists {listed}, docs/docsite/rst has {pages}"


def documentation_texts() -> dict[str, str]:
    """What the docs site renders from the collection: the extra docs, the modules' and roles' docs."""
    texts = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in sorted(DOCSITE_RST.glob("*.rst"))}
    for path in sorted((REPO / "plugins" / "modules").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        texts[str(path.relative_to(REPO))] = "\n".join(
            re.findall(r'^(?:DOCUMENTATION|EXAMPLES|RETURN) = r?"""(.*?)^"""', source, re.MULTILINE | re.DOTALL))
    for path in sorted((REPO / "roles").glob("*/meta/argument_specs.yml")):
        texts[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    return texts


@pytest.mark.parametrize("name", sorted(documentation_texts()))
def test_docs_refer_only_to_shipped_files(name: str) -> None:
    outside = outside_references(documentation_texts()[name], set(shipped_files()), repo_top_level())
    assert not outside, f"{name} refers to {outside}, which the built collection does not hold"
