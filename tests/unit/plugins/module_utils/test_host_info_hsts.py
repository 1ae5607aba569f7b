"""host_info's native_hsts: IIS 10.0 version 1709 and later (Windows build 16299+) have the site's <hsts> element."""

from __future__ import annotations

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import host_info


def facts(os_version: str | None, iis_version: str | None = "10.0", installed: bool = True) -> dict:
    return {"os": {"product_type": 3, "version": os_version},
            "iis": {"installed": installed, "version": iis_version}}


@pytest.mark.parametrize(("os_version", "iis_version", "want"), [
    ("10.0.14393", "10.0", False),   # Windows Server 2016: IIS 10.0 before 1709
    ("10.0.15063", "10.0", False),   # Windows 10 1703
    ("10.0.16299", "10.0", True),    # Windows 10 / Windows Server version 1709
    ("10.0.17763", "10.0", True),    # Windows Server 2019
    ("10.0.20348", "10.0", True),    # Windows Server 2022
    ("10.0.22631", "10.0", True),    # Windows 11 23H2
    ("6.3.9600", "8.5", False),      # Windows Server 2012 R2, IIS 8.5
    ("10.0.20348", "8.5", False),    # an IIS older than 10 never has it
    ("10.0", "10.0", False),         # no build: unknown counts as no
    ("", "10.0", False),
    (None, None, False),
    ("10.0.20348", "", False),
])
def test_native_hsts_from_iis_and_os_build(os_version, iis_version, want):
    assert host_info.native_hsts(facts(os_version, iis_version)) is want


def test_no_native_hsts_without_iis_and_in_the_summary():
    assert host_info.native_hsts(facts("10.0.20348", None, installed=False)) is False
    assert host_info.native_hsts({}) is False
    assert host_info.summary(facts("10.0.20348"))["native_hsts"] is True
    assert host_info.summary(facts("10.0.14393"))["native_hsts"] is False
