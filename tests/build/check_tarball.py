"""Check what a built winflask.iis tarball holds: exactly what users run, nothing that ran before.

    python tests/build/check_tarball.py DIST/winflask-iis-X.Y.Z.tar.gz [--checkout DIR]

The tarball must hold, besides MANIFEST.json and FILES.json (ansible-galaxy writes them), every
file of the checkout (``git ls-files --cached --others --exclude-standard``: the files git would
commit) that is in a shipped area, and nothing else:

- a file outside the shipped areas (the emulated host, unit tests, scripts, dev configs ...),
- a file git ignores (caches, virtual environments, build output, ``*.egg-info``),
- a cache or leftover name at any depth (``__pycache__``, ``*.pyc``, ``.ruff_cache`` ...),
- a file of a shipped area that the tarball lacks, or a required file the checkout lacks,

is reported, one line each, and the exit status is 1. Standard library only.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
import tarfile
from collections.abc import Iterable
from pathlib import Path

# Written by ansible-galaxy collection build, not files of the checkout.
GENERATED = frozenset({"MANIFEST.json", "FILES.json"})

# Top-level files users get; CHANGELOG.rst once a release has generated it.
SHIPPED_FILES = frozenset({
    "README.md",
    "LICENSE",
    "CHANGELOG.rst",
    "tests/config.yml",
    "tests/integration/inventory.winrm.template",
})

# Shipped trees. tests/integration/targets and tests/sanity as ansible.windows ships them (for
# ansible-test windows-integration and sanity on the installed copy).
SHIPPED_TREES = (
    "plugins/",
    "powershell/",
    "roles/",
    "playbooks/",
    "meta/",
    "docs/",
    "changelogs/",
    "tests/integration/targets/",
    "tests/sanity/",
)

# Names that must not ship at any depth, whatever git thinks of them.
FORBIDDEN_PARTS = frozenset({
    "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".tox", "node_modules",
    ".venv", ".build", ".ansible", ".git", ".cache",
})
FORBIDDEN_NAMES = ("*.pyc", "*.pyo", "*.retry", "*.tar.gz", "*.egg-info", "*.orig", "*.rej", "*.swp",
                   "*~", ".DS_Store", ".coverage*")

# Files the checkout itself must have (Galaxy's importer, the license, the execution environment).
REQUIRED = (
    "README.md",
    "LICENSE",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "meta/ee-requirements.txt",
    "meta/ee-bindep.txt",
    "playbooks/site.yml",
)
REQUIRED_PER_ROLE = ("README.md", "meta/main.yml", "meta/argument_specs.yml", "tasks/main.yml")


def forbidden(path: str) -> bool:
    """Whether a cache or leftover name appears anywhere in ``path``."""
    parts = path.split("/")
    return any(part in FORBIDDEN_PARTS for part in parts) or any(
        fnmatch.fnmatchcase(part, pattern) for part in parts for pattern in FORBIDDEN_NAMES)


def shipped(path: str) -> bool:
    """Whether ``path`` (a file, relative to the collection root) belongs in the tarball."""
    if forbidden(path):
        return False
    return path in SHIPPED_FILES or path.startswith(SHIPPED_TREES)


def tarball_files(tarball: Path) -> set[str]:
    """The regular files (and links) of the tarball, relative to the collection root."""
    with tarfile.open(tarball) as archive:
        return {member.name.removeprefix("./") for member in archive.getmembers() if not member.isdir()}


def checkout_files(checkout: Path) -> set[str]:
    """The files git would commit in ``checkout``: tracked, or untracked and not ignored."""
    result = subprocess.run(
        ["git", "-C", str(checkout), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True, text=True)
    # A file deleted in the working tree but still in the index is not there to ship.
    return {name for name in result.stdout.split("\0") if name and (checkout / name).is_file()}


def problems(in_tarball: Iterable[str], in_checkout: Iterable[str]) -> list[str]:
    """One message per file that must not ship, is missing from the tarball or from the checkout."""
    in_tarball = set(in_tarball)
    in_checkout = set(in_checkout)
    found: list[str] = []
    for name in sorted(GENERATED - in_tarball):
        found.append(f"missing from the tarball: {name} (written by ansible-galaxy collection build)")
    for name in sorted(in_tarball - GENERATED):
        if forbidden(name):
            found.append(f"must not ship: {name} (a cache or leftover of an earlier run)")
        elif not shipped(name):
            found.append(f"must not ship: {name} (not in a shipped area: galaxy.yml build_ignore)")
        elif name not in in_checkout:
            found.append(f"must not ship: {name} (not a file of the checkout: git ignores it)")
    for name in sorted(name for name in in_checkout - in_tarball if shipped(name)):
        found.append(f"missing from the tarball: {name}")
    roles = sorted({name.split("/")[1] for name in in_checkout if name.startswith("roles/") and name.count("/") > 1})
    required = list(REQUIRED) + [f"roles/{role}/{name}" for role in roles for name in REQUIRED_PER_ROLE]
    for name in required:
        if name not in in_checkout:
            found.append(f"missing from the checkout: {name}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path)
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parents[2],
                        help="the collection's git checkout the tarball was built from (default: this one)")
    args = parser.parse_args(argv)
    in_tarball = tarball_files(args.tarball)
    found = problems(in_tarball, checkout_files(args.checkout))
    for message in found:
        print(f"FAIL: {message}", file=sys.stderr)
    if found:
        print(f"FAIL: {args.tarball.name}: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print(f"{args.tarball.name}: {len(in_tarball)} files, each one a shipped file of the checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
