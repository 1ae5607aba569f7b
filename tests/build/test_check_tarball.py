"""tests/build/check_tarball.py: a clean build passes, any stray or missing file fails.

Each test builds a scratch copy of the collection with ansible-galaxy (about a second).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import check_tarball  # pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parents[2]
GALAXY = Path(sys.executable).parent / "ansible-galaxy"

# What a test run, a build or an editor leaves behind in a checkout.
STRAY = (
    ".ruff_cache/0.1/x",
    ".pytest_cache/v/cache/nodeids",
    "tests/emulator/winhost.egg-info/PKG-INFO",
    "tests/emulator/collections/ansible_collections/ansible/windows/plugins/modules/win_x.py",
    "tests/unit/test_x.py",
    "tests/integration/test_x.py",
    "roles/nssm/tasks/__pycache__/x.cpython-313.pyc",
    "plugins/modules/host_info.py.orig",
    "scripts/x.sh",
    "requirements-x.txt",
    "importer_result.json",
)


def scratch_copy(target: Path) -> Path:
    """The checkout's files (what git would commit) copied to ``target``, with a git repository."""
    for name in check_tarball.checkout_files(ROOT):
        if name.startswith(("tests/unit/", "tests/emulator/", "tests/powershell/", "tests/benchmark/")):
            continue  # not needed to build; the stray files below stand for them
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    return target


def build(checkout: Path, output: Path) -> Path:
    subprocess.run([str(GALAXY), "collection", "build", "--output-path", str(output), str(checkout)],
                   check=True, capture_output=True)
    return next(output.glob("winflask-iis-*.tar.gz"))


@pytest.fixture(name="checkout")
def fixture_checkout(tmp_path: Path) -> Path:
    checkout = scratch_copy(tmp_path / "checkout")
    for name in STRAY:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        (checkout / name).write_text("stray\n")
    # Leftovers git ignores (.gitignore) must stay out too.
    (checkout / ".gitignore").write_text((ROOT / ".gitignore").read_text() + "importer_result.json\n")
    return checkout


def test_clean_build_passes_whatever_ran_before(checkout: Path, tmp_path: Path) -> None:
    tarball = build(checkout, tmp_path / "dist")
    shipped = check_tarball.tarball_files(tarball)
    assert not shipped & set(STRAY)
    assert check_tarball.problems(shipped, check_tarball.checkout_files(checkout)) == []
    assert check_tarball.main([str(tarball), "--checkout", str(checkout)]) == 0
    # What users run is there, the integration targets as ansible.windows ships them.
    assert {"LICENSE", "README.md", "roles/nssm/README.md", "roles/nssm/meta/main.yml",
            "meta/execution-environment.yml", "tests/integration/targets/host_info/tasks/main.yml"} <= shipped


def test_build_without_build_ignore_fails_naming_each_stray_file(checkout: Path, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    galaxy = checkout / "galaxy.yml"
    text = galaxy.read_text()
    galaxy.write_text(text[:text.index("build_ignore:")] + "build_ignore: [.git]\n")
    tarball = build(checkout, tmp_path / "dist")
    assert check_tarball.main([str(tarball), "--checkout", str(checkout)]) == 1
    err = capsys.readouterr().err
    for name in (".ruff_cache/0.1/x", "tests/emulator/winhost.egg-info/PKG-INFO", "tests/unit/test_x.py",
                 "tests/integration/test_x.py", "plugins/modules/host_info.py.orig", "scripts/x.sh",
                 "requirements-x.txt", "importer_result.json", "ruff.toml", ".yamllint"):
        assert f"must not ship: {name} " in err


def test_missing_files_fail(checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tarball = build(checkout, tmp_path / "dist")
    (checkout / "LICENSE").unlink()
    (checkout / "roles/nssm/README.md").unlink()
    # A file of a shipped area that the build left out (a build_ignore pattern too wide).
    (checkout / "docs/new-page.md").write_text("# new\n")
    assert check_tarball.main([str(tarball), "--checkout", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "missing from the checkout: LICENSE" in err
    assert "missing from the checkout: roles/nssm/README.md" in err
    assert "missing from the tarball: docs/new-page.md" in err


def test_forbidden_names_at_any_depth() -> None:
    assert check_tarball.forbidden("plugins/module_utils/__pycache__/x.pyc")
    assert check_tarball.forbidden("tests/integration/targets/x/.pytest_cache/y")
    assert check_tarball.forbidden("docs/x.md~")
    assert not check_tarball.forbidden("plugins/module_utils/checks.py")
    found = check_tarball.problems({"MANIFEST.json", "FILES.json", "plugins/cache.json"}, {"plugins/x.py"})
    assert "must not ship: plugins/cache.json (not a file of the checkout: git ignores it)" in found
    assert "missing from the tarball: plugins/x.py" in found
