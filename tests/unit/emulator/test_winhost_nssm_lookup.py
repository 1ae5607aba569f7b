"""nssm_read's program and account lookups on the emulated host (issue 9, items 2-4).

The emulator mirrors nssm_read.ps1's Find-Program and Get-AccountInfo: a PATH entry that cannot be a folder
(relative, on a share or drive the session lacks, characters a path cannot hold) is skipped rather than failing
the read; a name without an extension is tried with each PATHEXT extension in order, in each folder, as cmd.exe's
command search does; '.\\user' is the local account COMPUTERNAME\\user, as ansible-core's Convert-ToSID reads it.
"""

from __future__ import annotations

from winhost import Host, services
from winhost.nssm_scripts import nssm_read
from winhost.paths import ENVIRONMENT

TOOLS = "D:\\tools"


def set_environment(host: Host, **values: str) -> None:
    host.update_state(lambda state: state.setdefault("environment", {}).update(values))


def test_bad_path_entries_are_skipped(host: Host) -> None:
    host.write_bytes(TOOLS + "\\run_server.bat", b"@echo off\r\n")
    set_environment(host, Path=f'relative\\bin;Z:\\gone;\\\\nas\\tools;C:\\a|b;"C:\\bad<dir";;{TOOLS}')
    result = nssm_read(host, {"name": "myapp", "application": "run_server.bat"}, True)
    assert result["application"] == {"path": TOOLS + "\\run_server.bat", "exists": True}


def test_a_name_without_extension_is_found_through_pathext(host: Host) -> None:
    host.write_bytes(TOOLS + "\\run_server.cmd", b"@echo off\r\n")
    host.write_bytes(TOOLS + "\\run_server.bat", b"@echo off\r\n")
    set_environment(host, Path=TOOLS, PATHEXT=".COM;.EXE;.BAT;.CMD")
    result = nssm_read(host, {"name": "myapp", "application": "run_server"}, True)
    # PATHEXT order; the name is the one tried ([IO.Path]::Combine(folder, name + extension)), and nssm_service
    # compares paths caseless
    assert result["application"] == {"path": TOOLS + "\\run_server.BAT", "exists": True}
    set_environment(host, PATHEXT=".CMD;.BAT")
    assert nssm_read(host, {"name": "myapp", "application": "run_server"}, True)["application"]["path"] == (
        TOOLS + "\\run_server.CMD")


def test_nssm_without_extension_is_nssm_exe(host: Host) -> None:
    host.write_bytes(TOOLS + "\\nssm.exe", b"MZ")
    set_environment(host, Path=TOOLS)
    assert nssm_read(host, {"name": "myapp", "executable": "nssm"}, True)["nssm"]["path"] == TOOLS + "\\nssm.EXE"


def test_dot_backslash_user_is_the_local_account(host: Host) -> None:
    sid = services.add_account(host, ENVIRONMENT["COMPUTERNAME"] + "\\svc", "pw")
    result = nssm_read(host, {"name": "myapp", "account": ".\\svc"}, True)
    assert result["account"] == {"name": ".\\svc", "sid": sid, "logon_right": False}
