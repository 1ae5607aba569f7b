"""Benchmark: the emulated host's config system with 1, 100 and 1000 URL Rewrite rules.

    .venv/main/bin/python tests/benchmark/emulator_config.py                  # 1, 100, 1000 rules
    .venv/main/bin/python tests/benchmark/emulator_config.py --sizes 1000 --profile

For each size, a fresh emulated Server 2022 host gets ONE config_apply with that many ``add``
operations (simple rules, Default Web Site's web.config), then ONE config_read of the section.
The seconds are the emulator's own work (no ansible-playbook); the read must return every rule in
order. ``--profile`` prints the top functions by cumulative time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from winhost import Host
from winhost.scripts import SCRIPTS

SIZES = (1, 100, 1000)
RULES = "system.webServer/rewrite/rules"
SITE = "MACHINE/WEBROOT/APPHOST/Default Web Site"


def rule(n: int) -> dict[str, Any]:
    return {"name": "rule", "attributes": {"name": f"rule{n:04d}", "stopProcessing": n % 2 == 0},
            "children": {"match": {"attributes": {"url": f"^section{n}/(.*)"}},
                         "action": {"attributes": {"type": "Rewrite", "url": f"/app/{n}/{{R:1}}"}}},
            "items": []}


def add_ops(count: int) -> list[dict[str, Any]]:
    return [{"op": "add", "section": RULES, "pspath": SITE, "location": "", "path": [], "element": rule(n)}
            for n in range(count)]


def run(count: int, root: Path) -> tuple[float, float]:
    host = Host.create(root, "server2022")
    request = {"fingerprint": {}, "backup": True, "operations": add_ops(count)}
    start = time.perf_counter()
    result = SCRIPTS["config_apply"](host, request, False)
    applied = time.perf_counter() - start
    assert result["changed"] is True
    start = time.perf_counter()
    read = SCRIPTS["config_read"](host, {"reads": [{"section": RULES, "pspath": SITE, "location": ""}]}, False)
    seconds = time.perf_counter() - start
    names = [i["attributes"]["name"]["value"] for i in read["sections"][0]["element"]["items"]]
    assert names == [f"rule{n:04d}" for n in range(count)], "rules missing or out of order"
    return applied, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated rule counts")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary per size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="winflask-bench-") as tmp:
        for count in (int(s) for s in args.sizes.split(",") if s.strip()):
            root = Path(tmp) / f"host{count}"
            if args.profile:
                profiler = cProfile.Profile()
                applied, read = profiler.runcall(run, count, root)
            else:
                applied, read = run(count, root)
            print(f"{count:>5} rules  apply {applied:8.3f} s  read {read:8.3f} s  total {applied + read:8.3f} s",
                  flush=True)
            if args.profile:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
