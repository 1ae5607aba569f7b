"""Copy a collection tarball with a stand-in ``repository`` in MANIFEST.json, for galaxy-importer.

    python tests/build/with_repository.py TARBALL COPY

Galaxy's importer refuses a collection without ``repository`` before it checks anything else.
winflask.iis has no public repository yet, so galaxy.yml leaves it out (docs/testing.md,
"Releasing") rather than name a fake one; the build stage checks that this is the importer's only
objection on the real tarball, then runs the importer's other checks on this copy. The copy is
never shipped. Standard library only.
"""

from __future__ import annotations

import io
import json
import sys
import tarfile

STAND_IN = "https://repository.invalid/winflask/iis"


def main(argv: list[str]) -> int:
    source, target = argv
    with tarfile.open(source) as archive, tarfile.open(target, "w:gz") as copy:
        for member in archive.getmembers():
            data = archive.extractfile(member) if member.isfile() else None
            if member.name == "MANIFEST.json" and data is not None:
                manifest = json.load(data)
                manifest["collection_info"]["repository"] = STAND_IN
                content = json.dumps(manifest, indent=1).encode()
                member.size = len(content)
                data = io.BytesIO(content)
            copy.addfile(member, data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
