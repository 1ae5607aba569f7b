"""Windows command lines: how a C program (nssm.exe, python.exe) splits its command line into argv.

The Microsoft C runtime rules (2008 and later): arguments are separated by spaces or tabs outside
double quotes; ``2n`` backslashes followed by a quote give ``n`` backslashes and toggle quoting;
``2n+1`` backslashes followed by a quote give ``n`` backslashes and a literal quote; backslashes not
followed by a quote are literal; ``""`` inside a quoted argument is a literal quote. The controller
quotes with ``subprocess.list2cmdline``; the emulated nssm splits with this, so a quoting bug on the
controller shows up as a wrong value in the emulated registry, as it would on Windows.
"""

from __future__ import annotations


def split(line: str) -> list[str]:
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    started = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            j = i
            while j < n and line[j] == "\\":
                j += 1
            count = j - i
            if j < n and line[j] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    j += 1
                i = j
            else:
                current.append("\\" * count)
                i = j
            started = True
            continue
        if c == '"':
            if in_quotes and i + 1 < n and line[i + 1] == '"':
                current.append('"')
                i += 2
            else:
                in_quotes = not in_quotes
                i += 1
            started = True
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
