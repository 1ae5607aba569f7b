"""Run a linter and fail when it prints a warning or an error, even if it exits 0 (issue 11, item 8).

    python scripts/quiet_check.py [--allow REGEX]... [--fail-on REGEX]... -- COMMAND [ARG]...

The command's stdout and stderr are shown as they come (merged). Afterwards a line that looks like a
warning or an error (``WARNING``, ``[WARNING]:``, ``[ERROR]:``, ``warning:``, ``error:``, ANSI colours
ignored) makes the run fail, unless it matches one of the ``--allow`` regular expressions: those are
for warnings the machine causes, not the project (a missing locale, a program not installed).
``--fail-on`` adds a pattern of the linter's own (ansible-lint's summary ``Passed: 0 failure(s), 2 warning(s)``).
Exit status: the command's own when it failed, else 1 when a warning was printed, else 0.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\")
WARNING = re.compile(r"^\s*(\[(WARNING|ERROR|DEPRECATION WARNING)\]|(WARNING|ERROR)\b|(warning|error):)")


def findings(lines: list[str], allowed: list[re.Pattern[str]], extra: list[re.Pattern[str]]) -> list[str]:
    """The lines that are warnings or errors and not allowed."""
    found = []
    for line in lines:
        plain = ANSI.sub("", line)
        warns = WARNING.search(plain) or any(pattern.search(plain) for pattern in extra)
        if warns and not any(pattern.search(plain) for pattern in allowed):
            found.append(plain.rstrip())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow", action="append", default=[], metavar="REGEX",
                        help="a warning the environment causes, not the project")
    parser.add_argument("--fail-on", action="append", default=[], metavar="REGEX",
                        help="another pattern of a warning line")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    allowed = [re.compile(pattern) for pattern in args.allow]
    lines = []
    with subprocess.Popen(args.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    if process.returncode:
        return process.returncode
    found = findings(lines, allowed, [re.compile(pattern) for pattern in args.fail_on])
    if found:
        print(f"FAIL: {args.command[0]} printed {len(found)} warning or error line(s) "
              "(fix them, or --allow one the machine causes):", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
