"""Windows command-line quoting for nssm, done on the controller.

nssm is a C program: it splits its command line with the Microsoft C runtime rules, and so does the
program it starts (python.exe, a .bat through cmd.exe aside). ``subprocess.list2cmdline`` implements
exactly those rules (backslashes are literal unless they precede a double quote; a double quote is
escaped with a backslash; an argument with a space or tab, or an empty one, is wrapped in quotes),
so it is the one quoting function used here. No string concatenation of arguments anywhere else:
that is how community.windows.win_nssm broke ``-Dcom.test`` and paths with spaces (ansible#44079,
ansible#44755).
"""

from __future__ import annotations

from subprocess import list2cmdline


def quote_args(args: list[str]) -> str:
    """The command line (without program name) that gives ``args`` back to a C program's argv."""
    return list2cmdline([str(a) for a in args])


def nssm_command_line(argv: list[str]) -> str:
    """The argument string passed to nssm.exe for one command (``["set", "svc", "AppParameters", ...]``)."""
    return quote_args(argv)


# -- batch files ---------------------------------------------------------------------------------------
# A .bat/.cmd application is not a C program: CreateProcess runs it as ``cmd.exe /c "<command line>"``
# and cmd.exe parses the arguments. cmd.exe expands %VAR% (and !VAR! when delayed expansion is on) even
# inside double quotes, and a double quote toggles its quoting, so no escaping of these is safe in every
# case: ``a" & whoami > C:\x.txt & "b`` ends the quotes and runs a second command (the BatBadBut class,
# CVE-2024-24576; Rust's std::process and Node.js refuse or specially escape batch arguments since).
# Refused here; every other character is safe inside double quotes, where & | < > ^ ( ) are literal and
# the batch parameter delimiters (space, tab, comma, semicolon, equals sign) do not split the value.
BATCH_EXTENSIONS = (".bat", ".cmd")
BATCH_UNSAFE = '"%!'
BATCH_QUOTED = set(" \t,;=&|<>^()")


def is_batch(application: str | None) -> bool:
    """Whether Windows runs ``application`` through cmd.exe. Windows drops trailing dots and spaces of a
    file name, so ``run.bat.`` and ``run.bat .`` are run.bat too (as Rust's fix of CVE-2024-24576 checks)."""
    if not application:
        return False
    return str(application).strip().strip('"').rstrip(" .").lower().endswith(BATCH_EXTENSIONS)


def batch_unsafe(args: list[str]) -> tuple[int, str] | None:
    """The first argument (index, character) cmd.exe would not take literally, or None."""
    for index, arg in enumerate(args):
        bad = next((c for c in str(arg) if c in BATCH_UNSAFE), None)
        if bad is not None:
            return index, bad
    return None


def batch_args(args: list[str]) -> str:
    """The argument string for a batch application: each argument that needs it in double quotes, as
    ``%1``..``%9`` of the batch file see them; call only when ``batch_unsafe(args)`` is None."""
    return " ".join(f'"{a}"' if not a or BATCH_QUOTED & set(a) else a for a in (str(x) for x in args))
