"""python -m winhost create|calls|show --root DIR (docs/emulator.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .host import ENV_ROOT, Host
from .profiles import PROFILES


def _root(args: argparse.Namespace) -> str:
    root = args.root or os.environ.get(ENV_ROOT)
    if not root:
        sys.exit(f"--root is required (or set {ENV_ROOT})")
    return root


def cmd_create(args: argparse.Namespace) -> int:
    try:
        host = Host.create(_root(args), profile=args.profile, bare=args.bare, force=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"created {args.profile} host{' (bare)' if args.bare else ''} at {host.root}")
    return 0


def cmd_calls(args: argparse.Namespace) -> int:
    for call in Host(_root(args)).calls():
        if args.json:
            print(json.dumps(call, sort_keys=True))
        else:
            flags = "".join(f" {k}" for k in ("check_mode", "changed", "failed") if call.get(k))
            print(f"{call.get('kind', '?'):7} {call.get('module')} {call.get('script') or ''}{flags}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .config_scripts import host_facts

    host = Host(_root(args))
    state = host.load_state()
    facts = host_facts(host, {}, False)
    summary = {
        "root": str(host.root),
        "profile": state.get("profile"),
        "os": state.get("os"),
        "iis": facts["iis"],
        "sites": facts["sites"],
        "global_modules": facts["global_modules"],
        "sections": facts["sections"],
        "features": state.get("features"),
        "products": state.get("products"),
        "services": sorted(state.get("services", {})),
        "calls": len(host.calls()),
    }
    print(json.dumps(summary, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winhost", description="emulated Windows host for tests")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="lay out a new emulated host")
    create.add_argument("--profile", choices=sorted(PROFILES), default="server2022")
    create.add_argument("--root")
    create.add_argument("--bare", action="store_true", help="no IIS at all")
    create.add_argument("--force", action="store_true", help="replace an existing emulated host")
    create.set_defaults(func=cmd_create)
    calls = sub.add_parser("calls", help="print the call log")
    calls.add_argument("--root")
    calls.add_argument("--json", action="store_true", help="one JSON object per line")
    calls.set_defaults(func=cmd_calls)
    show = sub.add_parser("show", help="print a summary of the host state")
    show.add_argument("--root")
    show.set_defaults(func=cmd_show)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
