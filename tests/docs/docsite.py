"""Lint the collection's docs and build its docs site with antsibull-docs and Sphinx, offline.

    python tests/docs/docsite.py [--collection DIR] [--dest DIR]

1. ``antsibull-docs lint-collection-docs --plugin-docs DIR`` (extra docs, links.yml, every plugin's and
   role's documentation); DIR is the collection (default: the checkout's link
   .build/collections/ansible_collections/winflask/iis, or an installed copy).
2. ``antsibull-docs sphinx-init --use-current --fail-on-error`` writes a site skeleton into a temporary
   folder (or --dest); its ``build.sh`` runs ``antsibull-docs collection`` and ``sphinx-build -W``.
3. The generated conf.py maps intersphinx to docs.ansible.com, which Sphinx would download: it is
   replaced by ONE local inventory (``ansible_devel.inv``, written here) holding the docs.ansible.com
   labels the generated pages refer to (module pages of the collections we link to, a few core labels),
   so links still point at docs.ansible.com and nothing is fetched. A label missing from it is an
   undefined reference, which ``-W`` turns into a failed build.
4. build.sh runs in a network namespace of its own (``unshare -rn``) when the kernel allows it, so a
   download attempt fails the build instead of passing quietly.
5. The built site must have a page for every module, every role and every extra doc of
   docs/docsite/extra-docs.yml, and the collection's index must link to each extra doc.

Exit status 0 when all of it holds; otherwise the failing step's output and a line starting FAIL.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "winflask.iis"
DEFAULT_COLLECTION_DIR = REPO / ".build" / "collections" / "ansible_collections" / "winflask" / "iis"
DOCS_BASE = "https://docs.ansible.com/projects/ansible/devel/"

# docs.ansible.com labels the generated plugin pages use, besides other collections' module pages:
# label -> (page, title). Pages and anchors as in the ansible-documentation repository
# (docs/docsite/rst/plugins/action.rst, reference_appendices/common_return_values.rst,
# reference_appendices/config.rst).
CORE_LABELS: dict[str, tuple[str, str]] = {
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
}
# Collections whose module pages the winflask.iis pages link to (its dependencies and ansible-core).
LINKED_COLLECTIONS = ("ansible.windows", "microsoft.iis", "ansible.builtin")


class DocsiteError(Exception):
    """A step failed; the message says which and why."""


def anchor(label: str) -> str:
    """The HTML id Sphinx gives a label (docutils.nodes.make_id, for the characters labels use)."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def module_names(collection: str) -> list[str]:
    """Module names of an installed collection (ansible.builtin: ansible-core's own modules)."""
    if collection == "ansible.builtin":
        spec = importlib.util.find_spec("ansible.modules")
    else:
        spec = importlib.util.find_spec(f"ansible_collections.{collection}.plugins.modules")
    if spec is None or not spec.submodule_search_locations:
        return []
    names: set[str] = set()
    for folder in spec.submodule_search_locations:
        for path in Path(folder).iterdir():
            if path.suffix in (".py", ".ps1") and not path.name.startswith("_"):
                names.add(path.stem)
    return sorted(names)


def inventory_entries() -> list[tuple[str, str, str]]:
    """(label, uri, title) of every docs.ansible.com label the site may refer to."""
    entries = [(label, f"{page}#{anchor(label)}", title) for label, (page, title) in CORE_LABELS.items()]
    for collection in LINKED_COLLECTIONS:
        namespace, name = collection.split(".")
        for module in module_names(collection):
            label = f"ansible_collections.{collection}.{module}_module"
            entries.append((label, f"collections/{namespace}/{name}/{module}_module.html#{anchor(label)}",
                            f"{collection}.{module} module"))
    return entries


def write_inventory(path: Path, entries: list[tuple[str, str, str]]) -> None:
    """A Sphinx objects.inv (version 2: four header lines, then zlib-compressed entries)."""
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    body = "".join(f"{label} std:label -1 {uri} {title}\n" for label, uri, title in entries)
    path.write_bytes(header.encode() + zlib.compress(body.encode()))


OFFLINE_INTERSPHINX = f"""
# winflask.iis (tests/docs/docsite.py): no download. The only inventory is a local one with the
# docs.ansible.com labels the generated pages use (next to this file; a relative path would be read
# from the source folder); links still go to {DOCS_BASE}.
import os as _winflask_os  # noqa: E402
intersphinx_mapping = {{
    'ansible_devel': ('{DOCS_BASE}',
                      _winflask_os.path.join(_winflask_os.path.dirname(__file__), 'ansible_devel.inv')),
}}
intersphinx_timeout = 1
"""


def offline_conf(conf: Path) -> None:
    text = conf.read_text(encoding="utf-8")
    if "intersphinx_mapping" not in text:
        raise DocsiteError(f"{conf} has no intersphinx_mapping: sphinx-init changed, check what it fetches")
    conf.write_text(text + OFFLINE_INTERSPHINX, encoding="utf-8")


def run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise DocsiteError(f"{' '.join(command)} exited {done.returncode}:\n{output}")
    return output


def offline_prefix() -> list[str]:
    """``unshare -rn`` when this kernel lets us make a network namespace, else nothing."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-rn"]
    return []


def extra_doc_names(collection_dir: Path) -> list[str]:
    """The toctree entries of docs/docsite/extra-docs.yml (the guides' file names)."""
    text = (collection_dir / "docs" / "docsite" / "extra-docs.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*-\s+(?:ref:\s*)?([A-Za-z0-9_]+)\s*$", text, flags=re.MULTILINE)


def check_site(html: Path, collection_dir: Path) -> list[str]:
    """Pages the site must have; returns what is missing."""
    site = html / "collections" / "winflask" / "iis"
    expected = [f"{p.stem}_module.html" for p in (collection_dir / "plugins" / "modules").glob("*.py")
                if p.stem != "__init__"]
    expected += [f"{p.name}_role.html" for p in (collection_dir / "roles").iterdir() if p.is_dir()]
    guides = extra_doc_names(collection_dir)
    if not guides:
        return ["docs/docsite/extra-docs.yml lists no guide"]
    expected += [f"docsite/{name}.html" for name in guides]
    missing = [name for name in expected if not (site / name).is_file()]
    index = (site / "index.html").read_text(encoding="utf-8") if (site / "index.html").is_file() else ""
    missing += [f"link to docsite/{name}.html in index.html" for name in guides
                if f'href="docsite/{name}.html"' not in index]
    return missing


def build(collection_dir: Path, dest: Path) -> str:
    bin_dir = Path(sys.executable).parent
    collections_root = collection_dir.parents[2]
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               ANSIBLE_COLLECTIONS_PATH=str(collections_root), ANSIBLE_NOCOLOR="1")
    log = [run([str(bin_dir / "antsibull-docs"), "lint-collection-docs", "--plugin-docs", str(collection_dir)], env)]
    run([str(bin_dir / "antsibull-docs"), "sphinx-init", "--use-current", "--fail-on-error",
         "--no-add-antsibull-docs-version", "--dest-dir", str(dest), COLLECTION], env)
    offline_conf(dest / "conf.py")
    write_inventory(dest / "ansible_devel.inv", inventory_entries())
    prefix = offline_prefix()
    log.append(f"building offline ({'unshare -rn' if prefix else 'no network namespace available'})")
    log.append(run([*prefix, "bash", str(dest / "build.sh")], env, cwd=dest))
    missing = check_site(dest / "build" / "html", collection_dir)
    if missing:
        raise DocsiteError("the site lacks: " + ", ".join(missing))
    return "\n".join(log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION_DIR,
                        help="the collection's folder, .../ansible_collections/winflask/iis")
    parser.add_argument("--dest", type=Path, help="keep the site here (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    collection_dir = args.collection.absolute()
    if collection_dir.parts[-3:-2] != ("ansible_collections",):
        print(f"FAIL: {collection_dir} is not .../ansible_collections/<namespace>/<name>", file=sys.stderr)
        return 2
    start = time.monotonic()
    work = args.dest or Path(tempfile.mkdtemp(prefix="winflask-docsite."))
    # sphinx-init wants an existing folder only its owner may write to.
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    work.chmod(0o700)
    try:
        output = build(collection_dir, work)
    except DocsiteError as error:
        print(f"{error}\nFAIL: docs site of {COLLECTION}", file=sys.stderr)
        return 1
    finally:
        if args.dest is None:
            shutil.rmtree(work, ignore_errors=True)
    for line in output.splitlines():
        if line.startswith(("build succeeded", "building offline")):
            print(line)
    print(f"docs site of {COLLECTION} built in {time.monotonic() - start:.0f}s"
          + (f": {work / 'build' / 'html' / 'index.html'}" if args.dest else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
