"""configSource in the target scripts (no PowerShell here: static checks of the text the transport sends).

A section stored in another file through configSource must be fingerprinted and backed up by the scripts,
and reported as the section's ``file`` (docs/powershell.md "configSource"; the emulator's behaviour is tested
in tests/unit/emulator/test_winhost_config_source.py and tests/integration/test_config_files.py).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POWERSHELL = ROOT / "powershell"


def code(name: str) -> str:
    """A script's text without comment lines."""
    text = (POWERSHELL / name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def test_both_config_scripts_include_the_helpers() -> None:
    for script in ("config_read.ps1", "config_apply.ps1"):
        assert "# winflask-include: common/configsource.ps1" in (POWERSHELL / script).read_text(encoding="utf-8")


def test_config_read_fingerprints_the_referenced_files_and_reports_the_write_file() -> None:
    read = code("config_read.ps1")
    assert re.search(r"foreach \(\$file in \(Get-ConsultedFile \$address \$sectionPath\)\)", read)
    assert "$address.Files" not in read  # every consulted file goes through configSource
    assert re.search(r"File = \(Get-SectionFile \$address \$sectionPath \$location\)", read)
    assert re.search(r"^\s*file = \$entry\.File$", read, re.MULTILINE)


def test_config_apply_touches_and_so_backs_up_the_referenced_file() -> None:
    apply = code("config_apply.ps1")
    assert re.search(r"foreach \(\$file in @\(\$address\.File, \(Get-SectionFile \$address \$sectionPath "
                     r"\$location\)\)\) \{\s*if \(-not \$Touched\.Contains\(\$file\)\) \{ \$Touched\.Add\(\$file\) \}",
                     apply)
    assert "$Touched.Add($address.File)" not in apply


def test_the_owning_file_is_read_as_xml_not_through_a_schema_attribute() -> None:
    helpers = code("common/configsource.ps1")
    assert "New-Object System.Xml.XmlDocument" in helpers and "$document.XmlResolver = $null" in helpers
    assert "GetAttribute('configSource')" in helpers
    assert "GetAttributeValue" not in helpers  # configSource is metadata, not a schema attribute
    assert "[System.IO.Path]::Combine($folder, $source)" in helpers  # relative to the owning file's folder
