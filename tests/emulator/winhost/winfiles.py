"""Logic of the stand-in file, download, PATH and service modules of ansible.windows (emulated host).

One function per module, ``fn(host, params, check_mode) -> result``, in the order of the real module's
PowerShell (ansible.windows 3.x plugins/modules/*.ps1); failures raise ``ModuleFailure`` with the real
module's message. ``winhost.modules.run_module`` logs each call in calls.jsonl (kind "write" only when
something changed outside check mode; "read" otherwise) with the URLs a call downloaded.

The emulated internet (``WEB``): a URL is served from ``<root>/web/<host name>/<path>`` when that file
exists (tests publish anything there), else from the built-in catalogue (nssm.cc's zips and the Internet
Archive's copies of them, ``web/<stamp>id_/<url>``, which returns the captured bytes unchanged; both as
stand-in zips from winhost.nssm); anything else fails as WebRequest does ("(404) Not Found" for a known
host, "The remote name could not be resolved" otherwise). ``fail_site`` makes a site fail (state.json
``web_failures``) as .NET Framework's WebRequest reports it: ``"503"`` -> WebException "The remote server
returned an error: (503) Server Unavailable." (status ProtocolError, HttpStatusCode.ServiceUnavailable),
``"refused"`` -> "Unable to connect to the remote server" (status ConnectFailure, "The remote service
point could not be contacted at the transport level", learn.microsoft.com WebExceptionStatus).
"""

from __future__ import annotations

import hashlib
import ntpath
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlparse

from . import nssm, services
from .host import Host
from .modules import ModuleFailure
from .paths import expand

NSSM_ZIPS: dict[str, Callable[[], bytes]] = {
    "https://nssm.cc/ci/nssm-2.24-101-g897c7ad.zip": lambda: nssm.fake_zip(nssm.PRERELEASE),
    "https://nssm.cc/release/nssm-2.24.zip": lambda: nssm.fake_zip(nssm.RELEASE),
}
WEB: dict[str, Callable[[], bytes]] = {
    **NSSM_ZIPS,
    **{f"https://web.archive.org/web/2024id_/{url}": zip_bytes for url, zip_bytes in NSSM_ZIPS.items()},
}
KNOWN_WEB_HOSTS = {"nssm.cc", "download.microsoft.com", "github.com", "web.archive.org"}
SITE_FAILURES = {"503": "The remote server returned an error: (503) Server Unavailable.",
                 "refused": "Unable to connect to the remote server"}
ALGORITHMS = ("md5", "sha1", "sha256", "sha384", "sha512")


def digest(data: bytes, algorithm: str = "sha1") -> str:
    return hashlib.new(algorithm, data).hexdigest()


def _path(params: dict[str, Any], key: str = "path") -> str:
    return expand(str(params[key]))


# -- win_get_url ----------------------------------------------------------------------------------
def fail_site(host: Host, name: str, how: str | None) -> None:
    """Make every request to the site ``name`` fail ("503" or "refused"); None: the site works again."""
    if how is not None and how not in SITE_FAILURES:
        raise ValueError(f"how must be one of {sorted(SITE_FAILURES)}, got {how!r}")

    def change(state: dict[str, Any]) -> None:
        failures = state.setdefault("web_failures", {})
        if how is None:
            failures.pop(name.lower(), None)
        else:
            failures[name.lower()] = how
    host.update_state(change)


def fetch(host: Host, url: str) -> bytes:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = unquote(parsed.path).lstrip("/").replace("/", "\\")
        if parsed.netloc:
            path = f"\\\\{parsed.netloc}\\{path}"
        data = host.read_bytes(path)
        if data is None:
            raise ModuleFailure(f"Could not find file '{path}'.")
        return data
    failure = host.load_state().get("web_failures", {}).get((parsed.hostname or "").lower())
    if failure:
        raise ModuleFailure(SITE_FAILURES[failure])
    local = host.root / "web" / (parsed.hostname or "") / unquote(parsed.path).lstrip("/")
    if local.is_file():
        return local.read_bytes()
    if url in WEB:
        return WEB[url]()
    if (parsed.hostname or "").lower() in KNOWN_WEB_HOSTS:
        raise ModuleFailure("The remote server returned an error: (404) Not Found.")
    raise ModuleFailure(f"The remote name could not be resolved: '{parsed.hostname}'")


def win_get_url(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    url = str(params["url"])
    dest = _path(params, "dest")
    algorithm = params.get("checksum_algorithm") or "sha1"
    checksum = (params.get("checksum") or "").strip().lower() or None
    force = params.get("force", True)
    result: dict[str, Any] = {"changed": False, "url": url, "_downloads": []}
    if host.local_path(dest).is_dir():
        dest = ntpath.join(dest, urlparse(url).path.rsplit("/", 1)[-1] or urlparse(url).hostname or "")
    result["dest"] = dest
    current = host.read_bytes(dest)
    dest_checksum = digest(current, algorithm) if current is not None else None
    if checksum and dest_checksum is not None and dest_checksum != checksum:
        force = True
    if dest_checksum and checksum and dest_checksum == checksum and not force:
        result.update(checksum_dest=dest_checksum, size=len(current or b""))
        return result
    if not force and current is not None:
        return {**result, "checksum_dest": dest_checksum, "size": len(current)}  # not modified remotely
    parent = ntpath.dirname(dest)
    if not host.local_path(parent).is_dir():
        raise ModuleFailure(f"The path '{parent}' does not exist for destination '{dest}', or is not visible to "
                            "the current user. Ensure download destination folder exists (perhaps using win_file "
                            "state=directory) before win_get_url runs.")
    try:
        data = fetch(host, url)
    except ModuleFailure as exc:
        raise ModuleFailure(f"Error downloading '{url}' to '{dest}': {exc}") from None
    result["_downloads"].append(url)
    result["checksum_src"] = digest(data, algorithm)
    if checksum and checksum != result["checksum_src"]:
        raise ModuleFailure(f"The checksum for {url} did not match '{checksum}', it was '{result['checksum_src']}'")
    if dest_checksum != result["checksum_src"]:
        result["changed"] = True
        if not check_mode:
            host.write_bytes(dest, data)
    final = host.read_bytes(dest)
    if final is not None:
        result.update(checksum_dest=digest(final, algorithm), size=len(final))
    result.update(status_code=200, msg="OK", elapsed=0.01)
    return result


# -- win_stat -------------------------------------------------------------------------------------
def win_stat(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    path = _path(params)
    local = host.local_path(path)
    if not local.exists():
        return {"changed": False, "stat": {"exists": False}}
    stat: dict[str, Any] = {"exists": True, "path": path, "filename": ntpath.basename(path),
                            "isdir": local.is_dir(), "isreg": local.is_file(), "islnk": False,
                            "lastwritetime": local.stat().st_mtime}
    if local.is_file():
        data = local.read_bytes()
        stat.update(size=len(data), extension=ntpath.splitext(path)[1])
        if params.get("get_checksum", True):
            stat["checksum"] = digest(data, params.get("checksum_algorithm") or "sha1")
    return {"changed": False, "stat": stat}


# -- win_file -------------------------------------------------------------------------------------
def win_file(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    path = _path(params)
    local = host.local_path(path)
    state = params.get("state")
    if state == "absent":
        if not local.exists():
            return {"changed": False}
        if not check_mode:
            if local.is_dir():
                import shutil
                shutil.rmtree(local)
            else:
                local.unlink()
        return {"changed": True}
    if state == "directory":
        if local.is_file():
            raise ModuleFailure(f"path '{path}' is not a directory")
        if local.is_dir():
            return {"changed": False}
        if not check_mode:
            local.mkdir(parents=True)
        return {"changed": True}
    if state == "touch":
        if not check_mode:
            if not local.parent.is_dir():
                raise ModuleFailure(f"Cannot touch '{path}': the parent folder does not exist")
            local.touch()
        return {"changed": True}
    if state == "file" or state is None:
        if not local.exists():
            raise ModuleFailure(f"path '{path}' does not exist, use state=touch to create it")
        if state == "file" and local.is_dir():
            raise ModuleFailure(f"path '{path}' is not a file")
    return {"changed": False}


# -- win_copy (content, remote_src, or a controller file resolved by the stand-in action plugin) ----
def win_copy(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    dest = _path(params, "dest")
    if params.get("content") is not None:
        data = str(params["content"]).encode("utf-8")
        src = None
    elif params.get("remote_src"):
        src = _path(params, "src")
        read = host.read_bytes(src)
        if read is None:
            raise ModuleFailure(f"Cannot copy src file: '{src}' as it does not exist")
        data = read
    else:
        src = str(params.get("src") or "")
        try:
            with open(src, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise ModuleFailure(f"Cannot copy src file: '{src}': {exc}") from None
    if host.local_path(dest).is_dir() or dest.endswith("\\"):
        dest = ntpath.join(dest, ntpath.basename(src or "") or "content")
    result: dict[str, Any] = {"changed": False, "dest": dest, "checksum": digest(data), "size": len(data),
                              "operation": "file_copy", "original_basename": ntpath.basename(src or dest)}
    if src:
        result["src"] = src
    current = host.read_bytes(dest)
    if current == data or (current is not None and params.get("force") is False):
        return result
    if params.get("remote_src") and not host.local_path(ntpath.dirname(dest)).is_dir():
        raise ModuleFailure(f"Destination directory '{ntpath.dirname(dest)}' does not exist")
    result["changed"] = True  # a copy from the controller creates the parent folder (New-Item -WhatIf:$check_mode)
    if not check_mode:
        host.write_bytes(dest, data)
    return result


# -- win_path -------------------------------------------------------------------------------------
def win_path(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    name = params.get("name") or "PATH"
    scope = params.get("scope") or "machine"
    key = "environment" if scope == "machine" else "user_environment"
    state = host.load_state()
    env = state.get(key, {})
    var = next((k for k in env if k.lower() == name.lower()), "Path" if name.lower() == "path" else name)
    current = env.get(var, services.DEFAULT_PATH if (scope == "machine" and var == "Path") else "")
    entries = [e for e in current.split(";") if e]
    lowered = [e.rstrip("\\").lower() for e in entries]
    wanted = [str(e) for e in params.get("elements") or []]
    if params.get("state", "present") == "present":
        new = entries + [e for e in wanted if e.rstrip("\\").lower() not in lowered]
    else:
        drop = {e.rstrip("\\").lower() for e in wanted}
        new = [e for e in entries if e.rstrip("\\").lower() not in drop]
    value = ";".join(new)
    changed = new != entries
    if changed and not check_mode:
        host.update_state(lambda s: s.setdefault(key, {}).__setitem__(var, value))
    return {"changed": changed, "path_value": value if not check_mode else current}


# -- win_service / win_service_info (state and start mode; accounts are nssm_service's job) ---------
SERVICE_STATES = {services.RUNNING: "running", services.STOPPED: "stopped", services.PAUSED: "paused"}
START_MODES = {2: "auto", 3: "manual", 4: "disabled"}


def service_info(record: dict[str, Any]) -> dict[str, Any]:
    values = record["values"]
    mode = START_MODES.get(values.get("Start", 2), "auto")
    if mode == "auto" and values.get("DelayedAutostart"):
        mode = "delayed"
    return {"exists": True, "name": record["name"], "display_name": values.get("DisplayName", record["name"]),
            "description": values.get("Description", ""), "state": SERVICE_STATES.get(record["status"], "unknown"),
            "start_mode": mode, "username": values.get("ObjectName"), "path": values.get("ImagePath"),
            "dependencies": list(values.get("DependOnService") or []), "desktop_interact": False,
            "can_pause_and_continue": False}


def win_service_info(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    state = host.load_state()
    name = params.get("name")
    found = [service_info(r) for r in state.get("services", {}).values()
             if not name or r["name"].lower() == str(name).lower()]
    return {"changed": False, "exists": bool(found), "services": found}


def win_service(host: Host, params: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    name = str(params["name"])
    record = services.get(host, name)
    if record is None:
        if params.get("state") == "absent":
            return {"changed": False, "exists": False}
        raise ModuleFailure(f"Service '{name}' is not installed, need to set 'path' to create a new service")
    changed = False
    mode = params.get("start_mode")
    if mode and service_info(record)["start_mode"] != mode:
        changed = True
        if not check_mode:
            start, delayed = {"auto": (2, 0), "delayed": (2, 1), "manual": (3, 0), "disabled": (4, 0)}[mode]

            def set_mode(r: dict[str, Any]) -> None:
                r["values"]["Start"] = start
                if delayed:
                    r["values"]["DelayedAutostart"] = 1
                else:
                    r["values"].pop("DelayedAutostart", None)
            services.update(host, name, set_mode)
    state = params.get("state")
    try:
        if state == "absent":
            changed = True
            if not check_mode:
                services.delete(host, name)
                return {"changed": True, "exists": False}
        elif state == "started" and record["status"] != services.RUNNING:
            changed = True
            if not check_mode:
                services.start(host, name)
        elif state == "stopped" and record["status"] != services.STOPPED:
            changed = True
            if not check_mode:
                services.stop(host, name)
        elif state == "restarted":
            changed = True
            if not check_mode:
                if record["status"] != services.STOPPED:
                    services.stop(host, name)
                services.start(host, name)
    except services.ScmError as exc:
        raise ModuleFailure(f"Service '{name}' failed to {state}: {exc}") from None
    after = services.get(host, name)
    if after is not None and after["status"] != services.RUNNING and state in ("started", "restarted") \
            and not check_mode:
        raise ModuleFailure(f"Service '{name}' did not reach the running state (state "
                            f"{SERVICE_STATES.get(after['status'], after['status'])})")
    return {"changed": changed, **service_info(after or record)}
