"""Where the nssm role gets its zip: a list of sources tried in order (roles/nssm, docs/nssm.md "Sources").

On the emulated host, whose internet can fail a site (503, connection refused) and serve a mirror:
- nssm.cc answering 503 and a mirror refusing connections are passed over, a mirror serving other bytes is
  NOT accepted, and the Internet Archive's copy (the role's second default) installs nssm.exe;
- a UNC folder holding ``nssm-<version>.zip`` is a source;
- when every source fails, the role fails with one message naming each source and why it failed, and the
  host is byte-identical: no nssm.exe, no zip kept, no write in the call log.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from playbook_run import ansible_env, create_host, read_calls, run_playbook, snapshot, venvs, write_inventory
from winhost import Host, nssm, winfiles

VENV = venvs()[0]
HOST = "emulated-server2022"
ZIP = f"nssm-{nssm.PRERELEASE}.zip"
ZIP_SHA = hashlib.sha256(nssm.fake_zip()).hexdigest()
EXE_SHA = hashlib.sha256(nssm.fake_exe()).hexdigest()
NSSM_CC = f"https://nssm.cc/ci/{ZIP}"
ARCHIVE = f"https://web.archive.org/web/2024id_/https://nssm.cc/ci/{ZIP}"
REFUSED = f"https://files.corp.example/nssm/{ZIP}"
WRONG = f"https://mirror.example/nssm/{ZIP}"
WRONG_SHA = hashlib.sha256(b"not the nssm zip").hexdigest()


def flaky_internet(host: Host) -> None:
    """nssm.cc answers 503, files.corp.example refuses connections, mirror.example serves other bytes."""
    winfiles.fail_site(host, "nssm.cc", "503")
    winfiles.fail_site(host, "files.corp.example", "refused")
    published = host.root / "web" / "mirror.example" / "nssm" / ZIP
    published.parent.mkdir(parents=True)
    published.write_bytes(b"not the nssm zip")


def role(name: str, sources: Any, folder: str) -> dict[str, Any]:
    return {"name": name, "ansible.builtin.include_role": {"name": "winflask.iis.nssm"},
            "vars": {"nssm_source": sources, "nssm_checksum": ZIP_SHA, "nssm_exe_checksum": EXE_SHA,
                     "nssm_install_dir": f"C:\\{folder}", "nssm_download_dir": f"C:\\{folder}\\downloads",
                     "nssm_add_to_path": False}}


def run(tmp_path: Path, root: Path, name: str, tasks: list[dict[str, Any]]):
    playbook = tmp_path / f"{name}.yml"
    playbook.write_text(json.dumps([{"name": name, "hosts": "windows", "gather_facts": False, "tasks": tasks}]),
                        encoding="utf-8")
    return run_playbook(VENV, playbook, write_inventory(tmp_path / "inventory.yml", HOST),
                        ansible_env(VENV, root, tmp_path))


def test_fallback_skips_a_wrong_mirror_and_a_unc_folder_is_a_source(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    host = Host(root)
    flaky_internet(host)
    host.write_bytes(f"\\\\fileserver\\software\\nssm\\{ZIP}", nssm.fake_zip())
    done = run(tmp_path, root, "fallback", [
        role("nssm.cc down, a refused and a wrong mirror, then the Internet Archive",
             [NSSM_CC, REFUSED, WRONG, ARCHIVE], "nssm-a"),
        role("A UNC folder holding the zip (single string form)", "\\\\fileserver\\software\\nssm\\", "nssm-b"),
    ])
    assert done.rc == 0, done.failure_report()
    assert host.sha256("C:\\nssm-a\\nssm.exe") == EXE_SHA
    assert host.sha256(f"C:\\nssm-a\\downloads\\{ZIP}") == ZIP_SHA
    assert host.sha256("C:\\nssm-b\\nssm.exe") == EXE_SHA
    assert host.sha256(f"C:\\nssm-b\\downloads\\{ZIP}") == ZIP_SHA
    # Only the Internet Archive's bytes were taken: the wrong mirror's download was refused on its checksum.
    assert [d for c in read_calls(root) for d in c.get("downloads", [])] == [ARCHIVE]


def test_every_source_failing_names_each_and_changes_nothing(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    host = Host(root)
    flaky_internet(host)
    host.write_bytes(f"\\\\fileserver\\software\\old\\{ZIP}", b"an older zip")
    host.local_path("C:\\nssm-c\\downloads").mkdir(parents=True)
    sources = [NSSM_CC, REFUSED, WRONG, "\\\\fileserver\\software\\old", "C:\\media\\nssm.zip"]
    message = tmp_path / "message.txt"
    before = snapshot(root)
    calls_before = len(read_calls(root))
    done = run(tmp_path, root, "allfail", [{"name": "All sources fail", "block": [
        role("Install nssm", sources, "nssm-c"),
        {"name": "Not reached", "ansible.builtin.fail": {"msg": "the role succeeded without a good source"}},
    ], "rescue": [{"name": "Keep the message", "delegate_to": "localhost",
                   "ansible.builtin.copy": {"content": "{{ ansible_failed_result.msg }}", "dest": str(message),
                                            "mode": "0644"}}]}])
    assert done.rc == 0, done.failure_report()
    text = message.read_text(encoding="utf-8")
    assert text.startswith(f"nssm_source: none of the 5 sources gave {ZIP} with SHA-256 {ZIP_SHA}"), text
    reasons = [
        f"{NSSM_CC}: Error downloading '{NSSM_CC}' to 'C:\\nssm-c\\downloads\\{ZIP}': "
        "The remote server returned an error: (503) Server Unavailable.",
        f"{REFUSED}: Error downloading '{REFUSED}' to 'C:\\nssm-c\\downloads\\{ZIP}': "
        "Unable to connect to the remote server",
        f"{WRONG}: The checksum for {WRONG} did not match '{ZIP_SHA}', it was '{WRONG_SHA}'",
        f"\\\\fileserver\\software\\old: \\\\fileserver\\software\\old\\{ZIP} has SHA-256 "
        f"{hashlib.sha256(b'an older zip').hexdigest()}, expected {ZIP_SHA}",
        "C:\\media\\nssm.zip: C:\\media\\nssm.zip does not exist",
    ]
    for reason in reasons:
        assert reason in text, (reason, text)
    assert text.index(reasons[0]) < text.index(reasons[1]) < text.index(reasons[2]) < text.index(reasons[3])
    assert snapshot(root) == before
    assert not host.exists("C:\\nssm-c\\nssm.exe")
    assert [c for c in read_calls(root)[calls_before:] if c["kind"] == "write"] == []


def test_a_source_that_is_not_a_string_or_list_is_refused_before_any_call(tmp_path: Path) -> None:
    root = create_host(VENV, tmp_path / "host")
    message = tmp_path / "message.txt"
    before = snapshot(root)
    done = run(tmp_path, root, "badsource", [{"name": "Bad source", "block": [
        role("Install nssm", {"url": NSSM_CC}, "nssm-d"),
    ], "rescue": [{"name": "Keep the message", "delegate_to": "localhost",
                   "ansible.builtin.copy": {"content": "{{ ansible_failed_result.msg }}", "dest": str(message),
                                            "mode": "0644"}}]}])
    assert done.rc == 0, done.failure_report()
    text = message.read_text(encoding="utf-8")
    assert "nssm_source" in text and '{"url": "https://nssm.cc/ci/' in text, text
    assert snapshot(root) == before and read_calls(root) == []
