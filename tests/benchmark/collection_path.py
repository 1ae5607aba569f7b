"""Make ``ansible_collections.winflask.iis`` this checkout for a benchmark run as a script (as
tests/unit/conftest.py does for the tests): call ``make_importable()`` before importing the collection."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def make_importable() -> Path:
    """A temporary ``ansible_collections/winflask/iis`` link to the checkout, first on sys.path; returns its root."""
    root = Path(tempfile.mkdtemp(prefix="winflask-collections-"))
    (root / "ansible_collections" / "winflask").mkdir(parents=True)
    os.symlink(REPO, root / "ansible_collections" / "winflask" / "iis")
    sys.path.insert(0, str(root))
    return root
