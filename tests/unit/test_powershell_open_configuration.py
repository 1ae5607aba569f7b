"""config_apply.ps1 opens each Configuration object once per apply (issue 9, item 11).

A second ``GetWebConfiguration`` / ``GetApplicationHostConfiguration`` for the same file inside one apply
returns another object that does not see what an earlier operation changed in memory, so a remove and an
add of the same key in one commit would be refused as a duplicate (docs/powershell.md "One Configuration
object per file"). The operation loop must go through Get-OpenConfiguration and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "powershell" / "config_apply.ps1"
OPENERS = re.compile(r"GetWebConfiguration|GetApplicationHostConfiguration|Get-ConfigSection\b")


def function_body(text: str, name: str) -> str:
    start = text.index(f"function {name} {{")
    depth = 0
    for pos in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[pos], 0)
        if depth == 0 and text[pos] == "}":
            return text[start:pos + 1]
    raise AssertionError(f"function {name} is not closed")


def test_operations_open_configuration_only_through_the_cache() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    body = function_body(text, "Invoke-Operation")
    assert OPENERS.findall(body) == [], "Invoke-Operation opens a Configuration itself"
    assert "Get-OpenConfiguration $Manager $address $Configurations" in body
    opener = function_body(text, "Get-OpenConfiguration")
    assert "$Configurations.ContainsKey($key)" in opener
    assert sorted(set(OPENERS.findall(opener))) == ["GetApplicationHostConfiguration", "GetWebConfiguration"]


def test_the_loop_shares_one_cache_across_operations() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    loop = re.search(r"\$configurations = @\{\}\s*\n\s*foreach \(\$operation in [^\n]*\{\s*\n\s*"
                     r"Invoke-Operation \$manager \$iis\.Apphost \$operation \$touched \$configurations", text)
    assert loop is not None, "the operation loop does not hand one $configurations table to every operation"
