"""Quoting of nssm arguments: Windows C runtime rules, via subprocess.list2cmdline."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.nssm_quote import (
    batch_args, batch_unsafe, nssm_command_line, quote_args)
from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import SPEC, plan, validate
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError

from nssm_reads import read, service


def split_like_msvcrt(line: str) -> list[str]:
    """Reference parser of the Microsoft C runtime (2008+) rules, to check round trips."""
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    started = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            j = i
            while j < len(line) and line[j] == "\\":
                j += 1
            count = j - i
            if j < len(line) and line[j] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    i = j + 1
                else:
                    i = j
                started = True
                continue
            current.append("\\" * count)
            started = True
            i = j
            continue
        if c == '"':
            if in_quotes and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')
                i += 2
                continue
            in_quotes = not in_quotes
            started = True
            i += 1
            continue
        if c in " \t" and not in_quotes:
            if started:
                args.append("".join(current))
                current, started = [], False
            i += 1
            continue
        current.append(c)
        started = True
        i += 1
    if started:
        args.append("".join(current))
    return args


@pytest.mark.parametrize("args, line", [
    (["-m", "waitress", "--listen=127.0.0.1:5000", "app:app"], "-m waitress --listen=127.0.0.1:5000 app:app"),
    (["-Dcom.test"], "-Dcom.test"),                                    # ansible#44079: no space inserted
    (["C:\\Program Files\\app\\cfg.toml"], '"C:\\Program Files\\app\\cfg.toml"'),
    (['say "hi"'], '"say \\"hi\\""'),
    (["C:\\dir with space\\"], '"C:\\dir with space\\\\"'),             # trailing backslash doubled inside quotes
    (["C:\\no_space\\"], "C:\\no_space\\"),                            # backslashes literal when not before a quote
    ([""], '""'),                                                      # empty argument kept
    (["a\tb"], '"a\tb"'),
])
def test_quote_args_follows_windows_rules(args, line):
    assert quote_args(args) == line
    assert split_like_msvcrt(line) == args


@pytest.mark.parametrize("args", [
    ["--name", 'He said "a b"', "C:\\x y\\", "\\\\server\\share\\", 'end\\"quote', "%PATH%", "^&|<>"],
    ["", "", "x"],
])
def test_round_trip_through_the_c_runtime_parser(args):
    assert split_like_msvcrt(quote_args(args)) == args


def test_nested_app_parameters_survive_two_levels_of_quoting():
    # AppParameters is itself a command line, passed to nssm as ONE argument of `nssm set`.
    inner = quote_args(["--config", "C:\\my app\\a.toml", 'x"y'])
    outer = nssm_command_line(["set", "my svc", "AppParameters", inner])
    assert split_like_msvcrt(outer) == ["set", "my svc", "AppParameters", inner]
    assert split_like_msvcrt(split_like_msvcrt(outer)[3]) == ["--config", "C:\\my app\\a.toml", 'x"y']


ISSUE_EXAMPLE = 'a" & whoami > C:\\x.txt & "b'


@pytest.mark.parametrize("bad", [ISSUE_EXAMPLE, "%PATH%", "50%", "hi!", 'say "x"'])
def test_batch_application_refuses_what_cmd_exe_interprets(bad):
    given = {"name": "myapp", "state": "present", "application": "C:\\apps\\run_server.BAT",
             "arguments": ["--ok", bad]}
    with pytest.raises(ModuleError, match=r"arguments\[1\] .* cmd\.exe interprets even inside quotes"):
        validate(given)


def test_batch_arguments_are_quoted_for_cmd_exe_and_exe_arguments_for_the_c_runtime():
    args = ["--listen=127.0.0.1:8080", "C:\\my dir\\", "a&b", "plain", ""]
    assert batch_args(args) == '"--listen=127.0.0.1:8080" "C:\\my dir\\" "a&b" plain ""'
    assert batch_unsafe(args) is None
    given = {"name": "myapp", "state": "present", "application": "C:\\apps\\app.exe",
             "arguments": [ISSUE_EXAMPLE]}
    validate(given)  # a C program splits with the C runtime rules: list2cmdline quotes it exactly


def test_editing_arguments_of_an_existing_batch_service_uses_the_service_application():
    svc = service()  # Application C:\apps\myapp\run_server.bat
    base = {name: spec.get("default") for name, spec in SPEC.argument_spec.items()}
    with pytest.raises(ModuleError, match="is a batch file"):
        plan({**base, "name": "myapp", "arguments": [ISSUE_EXAMPLE]}, read(svc, application=None))
    p = plan({**base, "name": "myapp", "arguments": ["a,b", "c"]}, read(svc, application=None))
    assert p.commands == [["set", "myapp", "AppParameters", '"a,b" c']]


@pytest.mark.parametrize("application", ["C:\\apps\\run.bat.", "C:\\apps\\run.cmd. .", "C:\\apps\\RUN.BAT "])
def test_a_batch_file_name_with_trailing_dots_or_spaces_is_a_batch_file(application):
    """Windows drops trailing dots and spaces of a file name: C:\\apps\\run.bat. runs run.bat through cmd.exe."""
    given = {"name": "myapp", "state": "present", "application": application, "arguments": [ISSUE_EXAMPLE]}
    with pytest.raises(ModuleError, match=r"arguments\[0\] .* cmd\.exe"):
        validate(given)


def test_switching_to_a_batch_file_refuses_kept_arguments_cmd_exe_would_interpret():
    # the service ran an .exe whose arguments were quoted for the C runtime
    svc = service(Application="C:\\apps\\myapp\\app.exe", AppParameters='"a\\" & whoami > C:\\x.txt & \\"b"')
    base = {name: spec.get("default") for name, spec in SPEC.argument_spec.items()}
    given = {**base, "name": "myapp", "application": "C:\\apps\\myapp\\run_server.bat"}
    with pytest.raises(ModuleError, match=r"batch file, run by cmd\.exe, but the service keeps its current "
                                          r"arguments .* contain '\"'"):
        plan(given, read(svc))
    # given again, they are checked (refused here) or quoted for cmd.exe
    p = plan({**given, "arguments": ["--port", "8080"]}, read(svc))
    assert ["set", "myapp", "AppParameters", "--port 8080"] in p.commands
    # kept arguments that cmd.exe takes literally are fine
    plain = service(Application="C:\\apps\\myapp\\app.exe", AppParameters="--port 8080")
    assert plan(given, read(plain)).commands[0][:3] == ["set", "myapp", "Application"]


@pytest.mark.parametrize("value", [["a"], {"k": "v\nB=2"}])
def test_an_environment_value_must_be_one_value(value):
    given = {"name": "myapp", "state": "present", "application": "C:\\apps\\app.exe", "environment": {"A": value}}
    with pytest.raises(ModuleError, match=r"environment\.A must be a string or a number"):
        validate(given)
