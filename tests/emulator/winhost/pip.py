"""``python -m pip`` on the emulated host: install, list, freeze, --version.

There is no package index here: the controller's interpreter stands in for it. A requirement can be
installed when the controller has a distribution of that name whose version satisfies it
(``importlib.metadata``); its dependencies (``Requires-Dist``, markers evaluated for a Windows host)
are resolved the same way. Otherwise pip's own failure is printed: "Could not find a version that
satisfies the requirement ... / No matching distribution found for ...", exit code 1. Index options
(``--no-index``, ``--find-links``, ``--index-url``...) are accepted and change nothing.

What an install leaves on the host: ``<prefix>\\Lib\\site-packages\\<name>-<version>.dist-info\\METADATA``
(the controller distribution's headers) and ``INSTALLER`` (``pip``), read back as the installed set on the
next run ("Requirement already satisfied: ..."), and ``state.json`` ``python.environments.<prefix>``:
the package versions and the requirements last asked for. Output follows pip 24's wording, with CRLF.
"""

from __future__ import annotations

from importlib import metadata
import ntpath
import re
from dataclasses import dataclass, field
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .host import Host
from .programs import Completed
from .python import Interpreter, crlf

VALUE_OPTIONS = {"-r", "--requirement", "-f", "--find-links", "-i", "--index-url", "--extra-index-url", "-c",
                 "--constraint", "--only-binary", "--no-binary", "--cache-dir", "--timeout", "--retries", "--proxy",
                 "--trusted-host", "--platform", "--python-version", "--progress-bar", "--log"}
FLAG_OPTIONS = {"--disable-pip-version-check", "--no-input", "--no-index", "-q", "--quiet", "-v", "--verbose",
                "-U", "--upgrade", "--no-cache-dir", "--prefer-binary", "--no-deps", "--isolated", "--pre",
                "--no-warn-script-location", "--no-color", "--require-virtualenv"}
INSTALL_USAGE = ("\nUsage:   \n  {exe} -m pip install [options] <requirement specifier> [package-index-options] ...\n"
                 "  {exe} -m pip install [options] -r <requirements file> [package-index-options] ...\n\n")


def controller_pip_version() -> str:
    try:
        return metadata.version("pip")
    except metadata.PackageNotFoundError:
        return "24.0"


def dist_folder(name: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', name)}-{version}.dist-info"


def write_dist(host: Host, site: str, name: str, version: str, requires: list[str]) -> None:
    headers = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
               *(f"Requires-Dist: {r}" for r in requires)]
    folder = f"{site}\\{dist_folder(name, version)}"
    host.write_bytes(f"{folder}\\METADATA", ("\r\n".join(headers) + "\r\n").encode())
    host.write_bytes(f"{folder}\\INSTALLER", b"pip\r\n")


Installed = tuple[str, str, str, list[str]]  # name, version, dist-info folder, Requires-Dist


def installed(host: Host, site: str) -> dict[str, Installed]:
    """canonical name -> (name, version, dist-info folder, requires) of what is in ``site``."""
    found: dict[str, Installed] = {}
    local = host.local_path(site)
    if not local.is_dir():
        return found
    for entry in local.iterdir():
        meta = entry / "METADATA"
        if not entry.name.endswith(".dist-info") or not meta.is_file():
            continue
        pairs = [line.split(": ", 1) for line in meta.read_text(encoding="utf-8").splitlines() if ": " in line]
        fields = dict(pairs)
        if "Name" in fields and "Version" in fields:
            requires = [value for key, value in pairs if key == "Requires-Dist"]
            found[canonicalize_name(fields["Name"])] = (fields["Name"], fields["Version"], entry.name, requires)
    return found


def windows_markers(version: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update(os_name="nt", sys_platform="win32", platform_system="Windows", platform_machine="AMD64",
               python_version=".".join(version.split(".")[:2]), python_full_version=version,
               implementation_name="cpython", platform_python_implementation="CPython", platform_release="10")
    return env


@dataclass
class Wanted:
    req: Requirement
    origin: str  # what pip prints in "(from ...)"; "" for a command-line requirement
    top: bool = True  # asked for (not a dependency): --upgrade applies to it


@dataclass
class Plan:
    lines: list[str] = field(default_factory=list)
    install: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)  # canon -> name, version, requires
    satisfied: dict[str, str] = field(default_factory=dict)
    error: str = ""


def read_requirements(host: Host, path: str, cwd: str) -> tuple[list[Wanted], str]:
    full = path if ntpath.isabs(path) else ntpath.join(cwd, path)
    data = host.read_bytes(full)
    if data is None:
        return [], f"ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{path}'\n"
    wanted: list[Wanted] = []
    text = re.sub(r"\\\r?\n", "", data.decode("utf-8-sig", "replace"))
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            nested, error = read_requirements(host, line.split(None, 1)[1], ntpath.dirname(full))
            if error:
                return [], error
            wanted.extend(nested)
            continue
        if line.startswith("-"):
            continue  # index options inside the file
        try:
            wanted.append(Wanted(Requirement(line), f"-r {path} (line {number})"))
        except InvalidRequirement as exc:
            return [], f"ERROR: Invalid requirement: '{line}': {exc} (from line {number} of {path})\n"
    return wanted, ""


def resolve(who: Interpreter, wanted: list[Wanted], have: dict[str, Installed], upgrade: bool,
            no_deps: bool, site: str) -> Plan:
    plan = Plan()
    env = windows_markers(who.version)
    queue = list(wanted)
    while queue:
        item = queue.pop(0)
        req = item.req
        if req.marker is not None and not req.marker.evaluate(env):
            plan.lines.append(f"Ignoring {req.name}: markers '{req.marker}' don't match your environment")
            continue
        canon = canonicalize_name(req.name)
        origin = f" (from {item.origin})" if item.origin else ""
        if canon in plan.install or canon in plan.satisfied:
            continue
        current = have.get(canon)
        newer = _controller(req) if upgrade and item.top else None
        if isinstance(newer, tuple) and current and newer[1] == current[1]:
            newer = None
        if current and req.specifier.contains(current[1], prereleases=True) and not isinstance(newer, tuple):
            plan.satisfied[canon] = current[1]
            plan.lines.append(f"Requirement already satisfied: {req} in {site.lower()}{origin} ({current[1]})")
            requires = current[3]
        else:
            found = _controller(req)
            plan.lines.append(f"Collecting {req}{origin}")
            if isinstance(found, str):
                plan.error = (f"ERROR: Could not find a version that satisfies the requirement {req} "
                              f"(from versions: {found})\nERROR: No matching distribution found for {req}\n")
                return plan
            name, version, requires = found
            plan.lines.append(f"  Using {name}-{version} from the controller's interpreter (winhost)")
            plan.install[canon] = (name, version, requires)
        if no_deps:
            continue
        for spec in requires:
            dep = Requirement(spec)
            extras = req.extras or {""}
            if dep.marker is None or any(dep.marker.evaluate({**env, "extra": e}) for e in extras):
                dep.marker = None
                queue.append(Wanted(dep, f"{req}->{item.origin}" if item.origin else str(req), top=False))
    return plan


def _controller(req: Requirement) -> tuple[str, str, list[str]] | str:
    """The controller's distribution for ``req``, or the "from versions" text pip prints when none fits."""
    try:
        dist = metadata.distribution(req.name)
    except metadata.PackageNotFoundError:
        return "none"
    version = dist.version
    try:
        ok = req.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        ok = False
    if not ok:
        return version
    return str(dist.metadata["Name"]), version, list(dist.requires or [])


def install(host: Host, who: Interpreter, args: list[str], cwd: str) -> Completed:
    wanted: list[Wanted] = []
    upgrade = no_deps = False
    i = 0
    while i < len(args):
        arg, value = args[i], args[i + 1] if i + 1 < len(args) else None
        name = arg.split("=", 1)[0]
        if name in VALUE_OPTIONS:
            inline = "=" in arg
            if not inline and value is None:
                return Completed(2, "", crlf(INSTALL_USAGE.format(exe=who.exe) + f"{arg} option requires 1 argument\n"))
            if name in ("-r", "--requirement"):
                found, error = read_requirements(host, arg.split("=", 1)[1] if inline else str(value), cwd)
                if error:
                    return Completed(1, "", crlf(error))
                wanted.extend(found)
            i += 1 if inline else 2
            continue
        if arg in FLAG_OPTIONS:
            upgrade = upgrade or arg in ("-U", "--upgrade")
            no_deps = no_deps or arg == "--no-deps"
            i += 1
            continue
        if arg.startswith("-"):
            return Completed(2, "", crlf(INSTALL_USAGE.format(exe=who.exe) + f"no such option: {arg}\n"))
        try:
            wanted.append(Wanted(Requirement(arg), ""))
        except InvalidRequirement as exc:
            return Completed(1, "", crlf(f"ERROR: Invalid requirement: '{arg}': {exc}\n"))
        i += 1
    if not wanted:
        return Completed(1, "", crlf("ERROR: You must give at least one requirement to install (see \"pip help "
                                     "install\")\n"))
    site = who.site_packages
    have = installed(host, site)
    plan = resolve(who, wanted, have, upgrade, no_deps, site)
    out = list(plan.lines)
    if plan.error:
        return Completed(1, crlf("\n".join(out) + "\n"), crlf(plan.error))
    if plan.install:
        out.append("Installing collected packages: " + ", ".join(entry[0] for entry in plan.install.values()))
        for canon, (name, version, requires) in plan.install.items():
            if canon in have:
                old_name, old_version, folder = have[canon][:3]
                out += [f"  Attempting uninstall: {old_name}", f"    Found existing installation: {old_name} "
                        f"{old_version}", f"    Uninstalling {old_name}-{old_version}:",
                        f"      Successfully uninstalled {old_name}-{old_version}"]
                import shutil

                shutil.rmtree(host.local_path(f"{site}\\{folder}"))
            write_dist(host, site, name, version, requires)
        out.append("Successfully installed " + " ".join(f"{e[0]}-{e[1]}" for e in plan.install.values()))
    _record(host, who, wanted)
    return Completed(0, crlf("\n".join(out) + "\n"), "", changed=bool(plan.install))


def _record(host: Host, who: Interpreter, wanted: list[Wanted]) -> None:
    packages = {entry[0]: entry[1] for entry in installed(host, who.site_packages).values()}

    def apply(state: dict[str, Any]) -> None:
        entry = state.setdefault("python", {}).setdefault("environments", {}).setdefault(who.prefix, {})
        entry.update(packages=packages, requirements=[str(w.req) for w in wanted])
    host.update_state(apply)


def run(host: Host, who: Interpreter, args: list[str], cwd: str) -> Completed:
    """``python -m pip ARGS``."""
    global_flags = {"--disable-pip-version-check", "--no-input", "-q", "--quiet", "-v", "--verbose", "--isolated",
                    "--no-color"}
    rest = [a for a in args if a not in global_flags]
    if not rest or rest[0] in ("-h", "--help", "help"):
        return Completed(0, crlf("\nUsage:   \n  pip <command> [options]\n"), "")
    command, options = rest[0], [a for a in args if a != rest[0]]
    if command in ("-V", "--version"):
        return Completed(0, f"pip {controller_pip_version()} from {who.site_packages}\\pip (python "
                            f"{'.'.join(who.version.split('.')[:2])})\r\n", "")
    if command == "install":
        return install(host, who, options, cwd)
    have = installed(host, who.site_packages)
    if command == "freeze":
        lines = [f"{d[0]}=={d[1]}" for d in sorted(have.values(), key=lambda t: t[0].lower()) if d[0] != "pip"]
        return Completed(0, crlf("".join(f"{line}\n" for line in lines)), "")
    if command == "list":
        rows = sorted(((d[0], d[1]) for d in have.values()), key=lambda t: t[0].lower())
        width = max([len("Package"), *(len(row[0]) for row in rows)])
        text = f"{'Package':<{width}} Version\n{'-' * width} -------\n"
        text += "".join(f"{n:<{width}} {v}\n" for n, v in rows)
        return Completed(0, crlf(text), "")
    return Completed(1, "", crlf(f'ERROR: unknown command "{command}"\n'))
