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
