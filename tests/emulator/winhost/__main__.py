"""python -m winhost create|calls|show|ports|serve|processes|stop-all --root DIR (docs/emulator.md)."""

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
        "http": _port_lines(host),
    }
    print(json.dumps(summary, indent=2))
    return 0


def _port_lines(host: Host) -> list[str]:
    from .front.ports import listing

    return [f"{e['site']}\t{e['protocol']} {e['binding']}\t{e['url'] or 'not served'}"
            for e in listing(host)]


def cmd_ports(args: argparse.Namespace) -> int:
    host = Host(_root(args))
    if not host.iis_installed:
        print("IIS is not installed on this host: no site serves HTTP", file=sys.stderr)
        return 1
    if args.start:
        from .front import ensure_running

        ensure_running(host)
    for line in _port_lines(host):
        print(line)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .front.server import main as serve

    return serve(_root(args))


def cmd_processes(args: argparse.Namespace) -> int:
    from .processes import forget_dead, stop_all

    host = Host(_root(args))
    if args.command == "stop-all":
        stopped = stop_all(host)
        print(f"stopped {len(stopped)} process(es) of {host.root}" + (f": {stopped}" if stopped else ""))
        return 0
    for entry in forget_dead(host):
        print(f"{entry['pid']:>8} {entry.get('service') or '-':20} {' '.join(entry['argv'])}")
    return 0


def cmd_extra_vars(args: argparse.Namespace) -> int:
    """Ansible extra vars a playbook needs on the emulated host: the emulated nssm.cc serves a stand-in zip,
    so the nssm role must expect its checksums (docs/emulator.md)."""
    import hashlib

    from . import nssm

    print(json.dumps({"nssm_checksum": hashlib.sha256(nssm.fake_zip()).hexdigest(),
                      "nssm_exe_checksum": hashlib.sha256(nssm.fake_exe()).hexdigest()}))
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
    for name, func, text in (("ports", cmd_ports, "print each site binding and the loopback URL that serves it"),
                             ("serve", cmd_serve, "run the emulated IIS front end (started by winhost.front)")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--root")
        command.set_defaults(func=func)
        if name == "ports":
            command.add_argument("--start", action="store_true",
                                 help="start the emulated W3SVC first when it is not running (as IIS would be)")
    for name, text in (("processes", "list the host's live processes (forgets ended ones)"),
                       ("stop-all", "stop every process of the host")):
        command = sub.add_parser(name, help=text)
        command.add_argument("--root")
        command.set_defaults(func=cmd_processes)
    extra = sub.add_parser("extra-vars", help="JSON extra vars for playbooks run against an emulated host")
    extra.set_defaults(func=cmd_extra_vars)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
