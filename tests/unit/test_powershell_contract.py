"""Static checks of the target scripts in powershell/ against docs/architecture.md (no PowerShell).

What is checked for every script: the marker on line 2, one script-level parameter ``-Request``,
``SupportsShouldProcess`` on read scripts and not on write scripts (``*_apply``), the JSON result
and failure convention, no WebAdministration cmdlets (they mangle ``{...}`` values), no
PowerShell 7-only syntax (these three on the text the transport sends, includes expanded), and no
dependency on other files at run time (the transport sends one script text).

Shared helpers live in powershell/common/*.ps1 (function definitions only) and are named by
``# winflask-include: common/<file>.ps1`` lines after the script's param block; every function a
script calls must be defined in the script or one of its includes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.winflask.iis.plugins.module_utils import transport

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = ROOT / "powershell"
SCRIPTS = sorted(SCRIPTS_DIR.glob("*.ps1"))
COMMON = sorted((SCRIPTS_DIR / "common").glob("*.ps1"))
INCLUDE_LINE = re.compile(r"^# winflask-include: (\S+)$", re.MULTILINE)
COMMAND = re.compile(r"\b[A-Za-z]+-[A-Za-z]+\b")
CONFIG_SCRIPTS = ("config_read", "config_apply", "host_facts")

WEBADMINISTRATION = re.compile(
    r"\b(?:Get|Set|Add|Clear|Remove)-WebConfiguration(?:Property|Lock)?\b"
    r"|\bImport-Module\s+WebAdministration\b|\bIIS:\\|\bNew-WebSite\b|\bGet-WebSite\b",
    re.IGNORECASE,
)
PS7_ONLY = {
    "null-coalescing ??": re.compile(r"\?\?"),
    "null-conditional ?. / ?[": re.compile(r"\$\{?\w+\}?\?[.\[]"),
    "pipeline chain &&": re.compile(r"&&"),
    "pipeline chain ||": re.compile(r"\|\|"),
    "ternary a ? b : c": re.compile(r"\s\?\s[^:\n]+\s:\s"),
    "ForEach-Object -Parallel": re.compile(r"-Parallel\b", re.IGNORECASE),
}
REQUIRES_PS7 = re.compile(r"^#Requires\s+-(?:Version\s+[67]|PSEdition\s+Core)", re.IGNORECASE | re.MULTILINE)


def is_write(script: Path) -> bool:
    return script.stem.endswith("_apply")


def code_only(text: str) -> str:
    """The script with comments removed and string contents blanked (quotes kept)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if two == "<#":
            end = text.find("#>", i + 2)
            i = n if end < 0 else end + 2
        elif text[i] == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif two in ("@'", '@"') and text[i + 2 : i + 3] == "\n":
            end = text.find("\n" + two[1] + "@", i + 3)
            out.append(two + "\n" + two[1] + "@")
            i = n if end < 0 else end + 3
        elif text[i] == "'":
            j = i + 1
            while j < n and not (text[j] == "'" and text[j + 1 : j + 2] != "'"):
                j += 2 if text[j] == "'" else 1
            out.append("''")
            i = j + 1
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "`" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def script_header(text: str) -> tuple[str, list[str]]:
    """The script-level [CmdletBinding(...)] arguments and the names declared in its param( ... )."""
    match = re.search(
        r"^(?:\[CmdletBinding\((?P<binding>[^)]*)\)\]\s*\n)?param\((?P<params>.*?)^\)", text, re.MULTILINE | re.DOTALL
    )
    assert match, "no script-level param( ... ) at column 0"
    names = [n for n in re.findall(r"\$(\w+)", match.group("params")) if n.lower() not in {"true", "false", "null"}]
    return match.group("binding") or "", names


def result_assignments(code: str) -> list[str]:
    """Each ``$Ansible.Result = ...`` statement (up to the newline where brackets balance)."""
    statements = []
    for match in re.finditer(r"\$Ansible\.Result\s*=", code):
        depth, i = 0, match.end()
        while i < len(code) and not (code[i] == "\n" and depth == 0):
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(code[i], 0)
            i += 1
        statements.append(code[match.start() : i])
    return statements


def functions(code: str) -> dict[str, str]:
    """Top-level functions (``function Name {`` ... ``}`` at column 0) of code_only() text, by name."""
    return {
        m.group(1): m.group(0) for m in re.finditer(r"^function ([\w-]+) \{\n.*?^\}$", code, re.MULTILINE | re.DOTALL)
    }


def code_of(path: Path) -> str:
    return code_only(path.read_text(encoding="utf-8"))


def includes(text: str) -> list[str]:
    return INCLUDE_LINE.findall(text)


def known_functions() -> set[str]:
    """Every function defined by a script or a common file of the collection (lower case)."""
    return {name.lower() for path in SCRIPTS + COMMON for name in functions(code_of(path))}


def undefined_calls(text: str, include_texts: list[str], known: set[str]) -> set[str]:
    """Collection functions the script calls that neither it nor its includes define."""
    defined = {name.lower() for source in [text, *include_texts] for name in functions(code_only(source))}
    called = {name.lower() for name in COMMAND.findall(code_only(text))}
    return (called & known) - defined


def expanded(script: Path) -> str:
    return transport.load_script(script.stem)


def test_the_contract_scripts_exist() -> None:
    assert {p.stem for p in SCRIPTS} >= set(CONFIG_SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
class TestEveryScript:
    def test_marker_on_line_two(self, script: Path) -> None:
        lines = script.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("#"), "line 1 must be a comment header or #Requires"
        assert lines[1] == f"# winflask-script: {script.stem}"

    def test_single_request_parameter(self, script: Path) -> None:
        text = script.read_text(encoding="utf-8")
        _binding, names = script_header(text)
        assert names[0] == "Request"
        # Besides -Request only secrets, as SecureString (win_powershell sensitive_parameters, docs/nssm.md).
        for name in names[1:]:
            assert re.search(rf"\[SecureString\]\s*\${name}\b", text), f"${name} must be a [SecureString]"

    def test_should_process_only_on_read_scripts(self, script: Path) -> None:
        binding, _names = script_header(script.read_text(encoding="utf-8"))
        if is_write(script):
            assert "SupportsShouldProcess" not in binding, "write scripts must not run in check mode"
        else:
            assert "SupportsShouldProcess" in binding, "read scripts must run in check mode"

    def test_result_is_one_json_string(self, script: Path) -> None:
        code = code_only(script.read_text(encoding="utf-8"))
        statements = result_assignments(code)
        assert len(statements) >= 2, "a success result and an error result"
        for statement in statements:
            assert re.match(r"\$Ansible\.Result = ConvertTo-Json -InputObject ", statement), statement
            assert statement.endswith("-Depth 20 -Compress"), statement
        assert "$Ansible.Failed = $true" in code
        assert re.search(r"^catch \{", code, re.MULTILINE), "the main try must have a catch that reports the error"

    def test_no_webadministration_cmdlets(self, script: Path) -> None:
        code = code_only(expanded(script))
        assert not WEBADMINISTRATION.findall(code)

    def test_windows_powershell_51_syntax_only(self, script: Path) -> None:
        text = expanded(script)
        code = code_only(text)
        found = [name for name, pattern in PS7_ONLY.items() if pattern.search(code)]
        assert not found
        assert not REQUIRES_PS7.search(text)

    def test_self_contained(self, script: Path) -> None:
        code = code_only(expanded(script))
        assert "$PSScriptRoot" not in code and "$MyInvocation" not in code
        assert not re.search(r"^\s*\.\s+\S", code, re.MULTILINE), "no dot-sourcing: the transport sends one file"

    def test_includes_exist_once_after_the_param_block(self, script: Path) -> None:
        text = script.read_text(encoding="utf-8")
        names = includes(text)
        assert len(names) == len(set(names)), "each include once"
        for name in names:
            assert re.fullmatch(r"common/[a-z_]+\.ps1", name), name
            assert (SCRIPTS_DIR / name).is_file(), f"{script.name} includes {name}, which does not exist"
        param_end = re.search(r"^param\(.*?^\)$", text, re.MULTILINE | re.DOTALL)
        assert param_end
        lines = text[param_end.end() + 1 :].splitlines()
        assert lines[: len(names)] == [f"# winflask-include: {name}" for name in names], "right after param( ... )"

    def test_called_functions_are_defined(self, script: Path) -> None:
        text = script.read_text(encoding="utf-8")
        include_texts = [(SCRIPTS_DIR / name).read_text(encoding="utf-8") for name in includes(text)]
        assert not undefined_calls(text, include_texts, known_functions())

    def test_no_function_defined_twice(self, script: Path) -> None:
        code = code_only(expanded(script))
        names = re.findall(r"^function ([\w-]+) ", code, re.MULTILINE)
        assert len(names) == len(set(names)), names


def test_common_files_exist() -> None:
    assert {p.name for p in COMMON} >= {"errors.ps1", "iis.ps1", "nssm.ps1", "request.ps1"}


@pytest.mark.parametrize("common", COMMON, ids=lambda p: p.name)
def test_common_file_defines_only_functions(common: Path) -> None:
    text = common.read_text(encoding="utf-8")
    code = code_only(text)
    defined = functions(code)
    assert defined, "a common file defines functions"
    rest = code
    for body in defined.values():
        rest = rest.replace(body, "")
    assert not rest.strip(), f"{common.name} has code outside functions: {rest.strip()[:200]!r}"
    assert not includes(text), "includes do not nest"
    assert not transport.INCLUDE.search(text)


def test_common_functions_are_used() -> None:
    """Every shared helper is called by a script that includes its file, or by another helper."""
    bodies = [body.split("\n", 1)[1] for common in COMMON for body in functions(code_of(common)).values()]
    for common in COMMON:
        relative = f"common/{common.name}"
        users = [p for p in SCRIPTS if relative in includes(p.read_text(encoding="utf-8"))]
        assert users, f"no script includes {relative}"
        sources = [code_of(p) for p in users] + bodies
        calls = {n.lower() for source in sources for n in COMMAND.findall(source)}
        for name in functions(code_of(common)):
            assert name.lower() in calls, f"{name} ({relative}) is never called"


def test_undefined_call_is_caught() -> None:
    """A script that calls a shared helper without its include fails the check."""
    script = "# h\n# winflask-script: x\nparam(\n    [string]$Request\n)\ntry { $m = Get-ServerManager }\ncatch { }\n"
    known = known_functions()
    iis = (SCRIPTS_DIR / "common" / "iis.ps1").read_text(encoding="utf-8")
    assert undefined_calls(script, [], known) == {"get-servermanager"}
    assert undefined_calls(script, [iis], known) == set()
    assert undefined_calls(script.replace("Get-ServerManager", "Get-Date"), [], known) == set()


def test_code_only_strips_comments_and_strings() -> None:
    text = '# Set-WebConfigurationProperty\n$a = \'x ?? y\' + "it`"s && {R:1}" # c\n<# || #>\n$b = $c ?? 1\n'
    code = code_only(text)
    assert "Set-Web" not in code and "&&" not in code and "||" not in code
    assert code.count("??") == 1


def test_checks_catch_a_bad_script(tmp_path: Path) -> None:
    """The patterns above find what they are meant to find."""
    bad = (
        "# header\n# winflask-script: bad\n[CmdletBinding()]\nparam(\n    [string]$Request,\n    [int]$Other\n)\n"
        "Set-WebConfigurationProperty -Filter x -Name y -Value '{HTTP_HOST}'\n$x = $y ?? 2\n"
    )
    _binding, names = script_header(bad)
    assert names == ["Request", "Other"]
    assert WEBADMINISTRATION.search(code_only(bad))
    assert PS7_ONLY["null-coalescing ??"].search(code_only(bad))
    assert PS7_ONLY["ternary a ? b : c"].search("$a = $b ? 1 : 2")
    assert PS7_ONLY["null-conditional ?. / ?["].search("${x}?.Name")
    assert REQUIRES_PS7.search("#requires -version 7.2\n")
    statement = "$Ansible.Result = ConvertTo-Json -InputObject ([ordered]@{\n  a = 1\n}) -Depth 20 -Compress"
    assert result_assignments(statement + "\n$z = 1") == [statement]


def _code_lines(name: str) -> list[str]:
    """The script's lines without comments and blank lines, stripped."""
    text = (SCRIPTS_DIR / f"{name}.ps1").read_text(encoding="utf-8")
    text = re.sub(r"<#.*?#>", "", text, flags=re.DOTALL)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_config_apply_checks_the_fingerprint_immediately_before_the_commit() -> None:
    # issue 8 section 7: nothing between the guard and CommitChanges() can let a change slip in.
    lines = _code_lines("config_apply")
    commit = next(n for n, line in enumerate(lines) if "$manager.CommitChanges()" in line)
    assert lines[commit - 1] == "Assert-Fingerprint $expected", lines[commit - 2:commit + 1]
    # a failure after the backup reports where the backup is
    assert any("$payload.error['backups']" in line for line in lines)


def test_config_read_fingerprints_before_and_after_reading() -> None:
    lines = _code_lines("config_read")
    first_hash = next(n for n, line in enumerate(lines) if "Get-Fingerprint" in line)
    manager = next(n for n, line in enumerate(lines) if "= Get-ServerManager" in line)
    node = next(n for n, line in enumerate(lines) if "ConvertTo-NodeJson $section" in line)
    assert first_hash < manager < node  # applicationHost.config hashed before MWA loads it
    assert any("Get-Fingerprint" in line for line in lines[node:]), "no fingerprint after the read"
    assert any("'ConfigChanging'" in line for line in lines)


# -- issue 9, section 1: what the static check (tests/powershell/lint.mjs) cannot see ---------------------------

HRESULT_ROW = re.compile(r"^\| `(0x[0-9A-F]{8})` \| [^|]+ \| (\w+) \|", re.MULTILINE)
HRESULT_ENTRY = re.compile(r"^\s*'(0x[0-9A-F]{8})' = '(\w+)'", re.MULTILINE)


def _doc_section(title: str) -> str:
    text = (ROOT / "docs" / "powershell.md").read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = text.find("\n#", start + 1)
    return text[start : end if end > 0 else len(text)]


def test_error_hresults_are_the_documented_table() -> None:
    """Item 5: Get-HResultCode maps exactly the HRESULTs docs/powershell.md lists, to the same codes."""
    errors = (SCRIPTS_DIR / "common" / "errors.ps1").read_text(encoding="utf-8")
    documented = dict(HRESULT_ROW.findall(_doc_section("HRESULTs")))
    assert documented == dict(HRESULT_ENTRY.findall(functions(errors)["Get-HResultCode"]))
    # the ones .NET turns into other exception types than COMException are among them
    assert {"0x80070021", "0x80070002", "0x80070003", "0x80070057"} <= documented.keys()


def test_error_classification_reads_every_exception_of_the_chain() -> None:
    """Item 5: .HResult of each exception (outer to inner), no bare 'locked' text match."""
    errors = (SCRIPTS_DIR / "common" / "errors.ps1").read_text(encoding="utf-8")
    payload = functions(errors)["Get-ErrorPayload"]
    assert ".InnerException" in payload and "Get-HResultCode $chain[$i].HResult" in payload
    assert "COMException" not in code_only(errors) and ".ErrorCode" not in errors
    patterns = re.findall(r"-match '([^']*)'", functions(errors)["Get-MessageCode"])
    assert patterns, "Get-MessageCode matches MWA's texts"
    for alternative in (part for pattern in patterns for part in pattern.split("|")):
        assert len(alternative.split()) >= 2, f"'{alternative}' is not one of MWA's precise texts"


def test_only_common_iis_names_the_apphost_file() -> None:
    """Item 13: every script takes applicationHost.config's path from Get-ApphostConfigPath (common/iis.ps1),
    which follows redirection.config, so the fingerprint and the backup cover the file IIS uses."""
    for script in SCRIPTS:
        text = script.read_text(encoding="utf-8")
        code_lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
        assert not any("applicationHost.config'" in line for line in code_lines), script.name
    iis = functions((SCRIPTS_DIR / "common" / "iis.ps1").read_text(encoding="utf-8"))
    assert "redirection.config" in iis["Get-ApphostConfigPath"]
    assert "Get-ApphostConfigPath" in iis["Get-IisPaths"] and "'SharedConfiguration'" in iis["Get-IisPaths"]
    assert "Get-ApphostConfigPath" in (SCRIPTS_DIR / "host_facts.ps1").read_text(encoding="utf-8")


def test_config_apply_backs_up_a_unc_path_below_the_stamp() -> None:
    """Item 13: a shared applicationHost.config (\\\\server\\share) is copied to <stamp>\\UNC\\server\\share."""
    body = functions((SCRIPTS_DIR / "config_apply.ps1").read_text(encoding="utf-8"))["Backup-ConfigFile"]
    assert "$Path.StartsWith('\\\\')" in body and "'UNC\\' + $Path.Substring(2)" in body


def test_program_lookup_tries_pathext_per_folder_and_skips_bad_entries() -> None:
    """Items 2/3: [IO.Path]::Combine inside a try, [IO.File]::Exists, PATHEXT extensions for a bare name."""
    body = functions((SCRIPTS_DIR / "nssm_read.ps1").read_text(encoding="utf-8"))["Find-Program"]
    assert "Join-Path" not in code_only(body) and "Test-Path" not in code_only(body)
    assert re.search(r"try \{[^\n]*\[System\.IO\.Path\]::Combine\(\$entry, \$candidateName\)", body)
    assert "$env:PATHEXT" in body and "HasExtension" in body
    folders, names = body.index("foreach ($folder in $folders)"), body.index("foreach ($candidateName in $names)")
    assert folders < names, "each folder is searched for every extension before the next folder (cmd.exe order)"


def test_dot_user_becomes_the_computer_name_before_translate() -> None:
    """Item 4: '.\\user' -> $env:COMPUTERNAME\\user before NTAccount.Translate (ansible-core Convert-ToSID)."""
    body = functions((SCRIPTS_DIR / "nssm_read.ps1").read_text(encoding="utf-8"))["Get-AccountInfo"]
    replace = body.index("$env:COMPUTERNAME + $lookup.Substring(1)")
    assert "StartsWith('.\\')" in body and replace < body.index("NTAccount $lookup")
