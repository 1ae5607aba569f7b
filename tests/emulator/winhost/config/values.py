"""Typed attribute values: XML text <-> JSON value, and schema validation (docs/architecture.md 3.2).

XML is written the way IIS writes it: enum and flag names, "true"/"false", timeSpan "[d.]hh:mm:ss[.fffffff]".
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..errors import HostError
from .schema import AttributeSchema

INT_RANGES = {"int": (-(2**31), 2**31 - 1), "uint": (0, 2**32 - 1), "int64": (-(2**63), 2**63 - 1)}
TICKS = 10_000_000  # .NET TimeSpan ticks per second
_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$")
_ENCRYPTED = re.compile(r"^\[enc:([^:]+):(.*):enc\]$", re.S)
ENC_PROVIDER = "AesProvider"


def _choice_by_name(attr: AttributeSchema, name: str) -> tuple[str, int] | None:
    for choice in attr.choices:
        if choice[0].lower() == name.strip().lower():
            return choice
    return None


def _choice_by_value(attr: AttributeSchema, value: int) -> tuple[str, int] | None:
    for choice in attr.choices:
        if choice[1] == value:
            return choice
    return None


def parse_timespan(text: str) -> int:
    match = _TIMESPAN.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a valid timeSpan ([d.]hh:mm:ss[.fffffff])")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds) > 59:
        raise ValueError(f"'{text}' is not a valid timeSpan (hours 0-23, minutes and seconds 0-59)")
    total = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)
    ticks = total * TICKS + int((fraction or "0").ljust(7, "0"))
    return -ticks if sign else ticks


def format_timespan(ticks: int) -> str:
    """``[-][d.]hh:mm:ss[.fffffff]`` (.NET "c" format) without trailing zeros in the fraction, as the
    winflask scripts return it (powershell/config_read.ps1 Format-TimeSpan)."""
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    seconds, fraction = divmod(ticks, TICKS)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    days, hrs = divmod(hours, 24)
    text = f"{sign}{days}." if days else sign
    text += f"{hrs:02d}:{mins:02d}:{secs:02d}"
    return text + (f".{fraction:07d}".rstrip("0") if fraction else "")


def _flags_value(attr: AttributeSchema, text: str) -> int:
    total = 0
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        choice = _choice_by_name(attr, part)
        if choice is not None:
            total |= choice[1]
        elif part.isdigit():
            total |= int(part)
        else:
            raise ValueError(f"'{part}' is not one of {', '.join(c[0] for c in attr.choices)}")
    return total


def _flags_names(attr: AttributeSchema, value: int) -> str:
    if value == 0:
        zero = _choice_by_value(attr, 0)
        return zero[0] if zero else "0"
    names = [name for name, bit in attr.choices if bit and value & bit == bit]
    rest = value
    for name, bit in attr.choices:
        if name in names:
            rest &= ~bit
    if rest:
        names.append(str(rest))
    return ", ".join(names)


def from_xml(attr: AttributeSchema, text: str) -> Any:
    """Typed value of an attribute as written in a config file. Raises ValueError."""
    kind = attr.type
    if kind == "bool":
        if text.strip().lower() not in ("true", "false"):
            raise ValueError(f"'{text}' is not a valid boolean")
        return text.strip().lower() == "true"
    if kind in INT_RANGES:
        try:
            number = int(text.strip(), 0) if text.strip().lower().startswith("0x") else int(text.strip())
        except ValueError:
            raise ValueError(f"'{text}' is not a valid {kind}") from None
        low, high = INT_RANGES[kind]
        if not low <= number <= high:
            raise ValueError(f"'{text}' is out of range for {kind}")
        return number
    if kind == "enum":
        choice = _choice_by_name(attr, text)
        if choice is None and text.strip().lstrip("-").isdigit():
            choice = _choice_by_value(attr, int(text))
        if choice is None:
            raise ValueError(f"'{text}' is not one of {', '.join(c[0] for c in attr.choices)}")
        return choice[0]
    if kind == "flags":
        return _flags_names(attr, _flags_value(attr, text))
    if kind == "timeSpan":
        return format_timespan(parse_timespan(text))
    if attr.encrypted:
        match = _ENCRYPTED.match(text)
        if match:
            return base64.b64decode(match.group(2)).decode("utf-8")
    return text


def from_file(attr: AttributeSchema, text: str) -> Any:
    """``from_xml`` plus the schema validation IIS also applies when it parses a config file (MWA
    ConfigurationAttributeSchema.ValidationType: "when IIS parses the configuration XML to get a
    configuration section"). Raises ValueError: ``<match url="" />`` (nonEmptyString) fails the read.
    timeSpanRange is not checked on read yet (test_typed_values_read_from_xml reads a proxy timeout
    past the emulator schema's one-day limit)."""
    value = from_xml(attr, text)
    if attr.type in INT_RANGES:
        _check_integer_range(attr, value)
    elif attr.type == "string" and not attr.encrypted:
        _check_string(attr, value)
    return value


def default_value(attr: AttributeSchema) -> Any:
    return None if attr.default is None else from_xml(attr, attr.default)


def _invalid(attr: AttributeSchema, value: Any, reason: str) -> HostError:
    return HostError("InvalidValue", f"Invalid value {value!r} for attribute '{attr.name}': {reason}",
                     attribute=attr.name, value=value)


def _ticks_from_input(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timeSpan")
    if isinstance(value, int | float):
        return int(round(value * TICKS))
    if isinstance(value, str):
        return parse_timespan(value)
    raise ValueError("expected a timeSpan string such as 00:02:00")


def to_xml(attr: AttributeSchema, value: Any) -> str:
    """Check a value set through the API against the schema and return the text IIS writes."""
    if value is None:
        raise _invalid(attr, value, "a value is required (use reset to go back to the default)")
    kind = attr.type
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower()
            raise ValueError("expected a boolean")
        if kind in INT_RANGES:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(f"expected an integer ({kind})")
            number = from_xml(attr, str(value))
            _check_integer_range(attr, number)
            return str(number)
        if kind == "enum":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError("expected one of " + ", ".join(c[0] for c in attr.choices))
            return from_xml(attr, str(value))
        if kind == "flags":
            if isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError("expected flag names joined with ','")
            return from_xml(attr, str(value))
        if kind == "timeSpan":
            ticks = _ticks_from_input(value)
            _check_timespan_range(attr, ticks)
            return format_timespan(ticks)
        if not isinstance(value, str):
            raise ValueError("expected a string")
        _check_string(attr, value)
        if attr.encrypted:
            return f"[enc:{ENC_PROVIDER}:{base64.b64encode(value.encode('utf-8')).decode('ascii')}:enc]"
        return value
    except ValueError as exc:
        raise _invalid(attr, value, str(exc)) from None


def _params(attr: AttributeSchema) -> list[str]:
    return [p.strip() for p in (attr.validation_parameter or "").split(",")]


def _check_integer_range(attr: AttributeSchema, number: int) -> None:
    if attr.validation_type != "integerRange":
        return
    params = _params(attr)
    low, high = int(params[0]), int(params[1])
    exclude = len(params) > 2 and params[2].lower() == "exclude"
    if exclude and low <= number <= high:
        raise ValueError(f"the value must not be between {low} and {high} inclusive")
    if not exclude and not low <= number <= high:
        raise ValueError(f"the value must be between {low} and {high} inclusive")


def _check_timespan_range(attr: AttributeSchema, ticks: int) -> None:
    if attr.validation_type != "timeSpanRange":
        return
    params = _params(attr)
    low, high = int(params[0]) * TICKS, int(params[1]) * TICKS
    if not low <= ticks <= high:
        raise ValueError(f"the timeSpan must be between {format_timespan(low)} and {format_timespan(high)}")
    if len(params) > 2 and int(params[2]) > 0 and ticks % (int(params[2]) * TICKS):
        raise ValueError(f"the timeSpan must be a multiple of {params[2]} second(s)")


def _check_string(attr: AttributeSchema, value: str) -> None:
    if attr.validation_type == "nonEmptyString" and value == "":
        raise ValueError("the value must not be empty")
    if attr.validation_type == "requireTrimmedString" and value != value.strip():
        raise ValueError("the value must not start or end with white space")


def key_form(attr: AttributeSchema, value: Any) -> Any:
    """How a key attribute value compares: strings case-insensitively unless caseSensitive."""
    if isinstance(value, str) and attr.type == "string" and not attr.case_sensitive:
        return value.lower()
    return value
