"""Make the collection importable as ansible_collections.winflask.iis for the plugin unit tests."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
_ROOT = Path(tempfile.mkdtemp(prefix="winflask-collections-"))
(_ROOT / "ansible_collections" / "winflask").mkdir(parents=True)
os.symlink(REPO, _ROOT / "ansible_collections" / "winflask" / "iis")
sys.path.insert(0, str(_ROOT))
