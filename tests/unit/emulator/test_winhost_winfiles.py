"""Stand-in win_get_url / win_stat / win_file / win_copy / win_path / win_service logic (winhost.winfiles)."""

from __future__ import annotations

import hashlib

import pytest
from winhost import Host, nssm, services
from winhost.winfiles import ModuleFailure, win_copy, win_file, win_get_url, win_path, win_service, win_stat

URL = "https://nssm.cc/ci/nssm-2.24-101-g897c7ad.zip"
SHA = hashlib.sha256(nssm.fake_zip()).hexdigest()
DEST = "C:\\dl\\nssm.zip"


def get(host: Host, check_mode: bool = False, **params):
    return win_get_url(host, {"url": URL, "dest": DEST, "checksum_algorithm": "sha256", "force": False,
                              **params}, check_mode)


def test_get_url_downloads_once_and_not_again_with_a_matching_checksum(host):
    host.local_path("C:\\dl").mkdir(parents=True)
    first = get(host, checksum=SHA)
    assert first["changed"] and first["_downloads"] == [URL] and host.sha256(DEST) == SHA
    again = get(host, checksum=SHA)
    assert not again["changed"] and again["_downloads"] == []
    forced = get(host, checksum=SHA, force=True)   # force downloads, but the same bytes change nothing
    assert not forced["changed"] and forced["_downloads"] == [URL]


def test_get_url_refuses_a_wrong_checksum_and_a_missing_folder(host):
    with pytest.raises(ModuleFailure, match="does not exist for destination"):
        get(host, checksum=SHA)
    host.local_path("C:\\dl").mkdir(parents=True)
    with pytest.raises(ModuleFailure, match="did not match"):
        get(host, checksum="0" * 64)
    assert not host.exists(DEST)
    with pytest.raises(ModuleFailure, match=r"\(404\) Not Found"):
        get(host, url="https://nssm.cc/ci/none.zip")


def test_get_url_check_mode_writes_nothing(host):
    host.local_path("C:\\dl").mkdir(parents=True)
    assert get(host, check_mode=True, checksum=SHA)["changed"] and not host.exists(DEST)


def test_stat_file_copy_and_path(host):
    assert win_stat(host, {"path": "C:\\x\\a.txt"}, False)["stat"] == {"exists": False}
    copied = win_copy(host, {"dest": "C:\\x\\a.txt", "content": "hi"}, False)
    assert copied["changed"] and copied["checksum"] == hashlib.sha1(b"hi").hexdigest()
    assert not win_copy(host, {"dest": "C:\\x\\a.txt", "content": "hi"}, False)["changed"]
    stat = win_stat(host, {"path": "C:\\x\\a.txt", "checksum_algorithm": "sha256"}, False)["stat"]
    assert stat["isreg"] and stat["checksum"] == hashlib.sha256(b"hi").hexdigest()
    with pytest.raises(ModuleFailure, match="does not exist"):
        win_copy(host, {"dest": "C:\\nope\\b.txt", "src": "C:\\x\\a.txt", "remote_src": True}, False)
    assert win_file(host, {"path": "C:\\y\\z", "state": "directory"}, False)["changed"]
    assert not win_file(host, {"path": "C:\\y\\z", "state": "directory"}, False)["changed"]
    added = win_path(host, {"elements": ["C:\\Program Files\\nssm"], "state": "present"}, False)
    assert added["changed"] and added["path_value"].endswith(";C:\\Program Files\\nssm")
    assert not win_path(host, {"elements": ["c:\\program files\\nssm\\"], "state": "present"}, False)["changed"]


def test_service_start_stop_and_start_mode(host):
    services.create(host, "svc", "C:\\Windows\\system32\\svchost.exe -k x")
    started = win_service(host, {"name": "svc", "state": "started", "start_mode": "delayed"}, False)
    assert started["changed"] and started["state"] == "running" and started["start_mode"] == "delayed"
    assert not win_service(host, {"name": "svc", "state": "started"}, False)["changed"]
    with pytest.raises(ModuleFailure, match="is not installed"):
        win_service(host, {"name": "nosvc", "state": "started"}, False)


def test_get_url_site_failures_the_archive_mirror_and_unc_paths(host):
    from winhost.winfiles import fail_site
    host.local_path("C:\\dl").mkdir(parents=True)
    fail_site(host, "nssm.cc", "503")
    with pytest.raises(ModuleFailure, match=r"\(503\) Server Unavailable\.$"):
        get(host, checksum=SHA)
    fail_site(host, "nssm.cc", "refused")
    with pytest.raises(ModuleFailure, match="Unable to connect to the remote server$"):
        get(host, checksum=SHA)
    archive = get(host, url=f"https://web.archive.org/web/2024id_/{URL}", checksum=SHA)
    assert archive["_downloads"] == [f"https://web.archive.org/web/2024id_/{URL}"] and host.sha256(DEST) == SHA
    fail_site(host, "nssm.cc", None)
    assert get(host, checksum=SHA, force=True)["_downloads"] == [URL]
    host.write_bytes("\\\\FileServer\\Share\\nssm.zip", b"zip")
    assert host.read_bytes("\\\\fileserver\\share\\x\\..\\nssm.zip") == b"zip"
    assert win_stat(host, {"path": "\\\\fileserver\\share\\nssm.zip"}, False)["stat"]["isreg"]
