"""Input checks every module shares: the text that reaches a config file, the registry or a command line.

The action base (plugin_utils/action.py) runs ``check_options`` on the validated options of every
module, before any call to the host, so no module has a copy of these checks:

- every string (top-level options, sub-options, list elements, dict keys and values) must be text that
  XML 1.0, the registry and a Windows command line can all carry: no C0 control character
  (U+0000-U+001F, tab, CR and LF included), no U+FFFE/U+FFFF, no lone surrogate; and no longer than
  ``MAX_TEXT``;
- options a module declares with a kind in ``ModuleSpec.kinds`` get the kind's own check too: HTTP
  header names, IIS site names, virtual paths, Windows service names; counts (whole numbers >= 0).

Why each rule, with sources: docs/architecture.md, section "Input checks".
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec

# XML 1.0 section 2.2 (Char): #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
# Tab, LF and CR are legal XML but an attribute value normalises them to spaces (XML 1.0 section 3.3.3),
# a line break splits nssm's REG_MULTI_SZ values (AppEnvironmentExtra) and ends a command: refused too.
FORBIDDEN = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]")

# The longest command line Windows starts (CreateProcess: 32,767 characters); every string of a module
# ends up in a config file, the registry or an nssm command, and none that works is longer.
MAX_TEXT = 32767

# RFC 7230 section 3.2.6: token = 1*tchar; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
# "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
HEADER_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# HTTP.sys refuses a request whose header line is longer than MaxFieldLength (default 16,384 bytes).
MAX_HEADER_NAME = 16384
# CreateService: "The maximum string length is 256 characters ... forward-slash (/) and backslash (\)
# are not valid service name characters"; the display name has the same 256 limit.
MAX_SERVICE_NAME = 256


def _describe(value: str, secret: bool) -> str:
    return "(value hidden: no_log)" if secret else repr(value)


def check_text(value: str, option: str, secret: bool = False) -> None:
    """The check every string passes: characters the host can store, and a length that can work."""
    bad = FORBIDDEN.search(value)
    if bad:
        char = bad.group()
        raise ModuleError(
            f"{option} contains the control character U+{ord(char):04X} at position {bad.start()}, which "
            "IIS configuration (XML), the registry and an nssm command cannot carry unchanged: remove it "
            f"(got {_describe(value, secret)})")
    if len(value) > MAX_TEXT:
        raise ModuleError(f"{option} is {len(value)} characters long; the limit is {MAX_TEXT} (the longest "
                          "command line Windows starts; no IIS setting or nssm value that works is longer)")


# The text of a whole config file (rewrite_rule_test's config[].xml): XML white space (tab, LF, CR; XML 1.0
# section 2.2) is its line structure, never an attribute value written to the host; the other control
# characters are refused as everywhere. The length limit is IIS's own for a web.config (250 KB by default,
# MaxWebConfigFileSizeInKB) with room for an applicationHost.config: 16 MiB.
DOCUMENT_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_DOCUMENT = 16 * 1024 * 1024


def check_document(value: str, option: str) -> None:
    bad = DOCUMENT_FORBIDDEN.search(value)
    if bad:
        raise ModuleError(f"{option} contains the control character U+{ord(bad.group()):04X} at position "
                          f"{bad.start()}, which XML 1.0 does not allow in a document: remove it")
    if len(value) > MAX_DOCUMENT:
        raise ModuleError(f"{option} is {len(value)} characters long; the limit is {MAX_DOCUMENT}")


def check_header_name(value: str, option: str) -> None:
    if not HEADER_TOKEN.match(value):
        bad = next((c for c in value if not HEADER_TOKEN.match(c)), "")
        what = f"the character {bad!r}" if bad else "nothing"
        raise ModuleError(f"{option} must be an HTTP header name (RFC 7230 token: letters, digits and "
                          f"!#$%&'*+-.^_`|~), got {value!r} with {what} not allowed")
    if len(value) > MAX_HEADER_NAME:
        raise ModuleError(f"{option} is {len(value)} characters long; the limit is {MAX_HEADER_NAME} "
                          "(HTTP.sys MaxFieldLength, the longest header line IIS accepts by default)")


def check_site_name(value: str, option: str) -> None:
    """An IIS site name: one segment of a config path (MACHINE/WEBROOT/APPHOST/<site>)."""
    if not value.strip():
        raise ModuleError(f"{option} must name a site, got {value!r}")
    for char in "/\\":
        if char in value:
            raise ModuleError(f"{option} must be a site name without {char!r} (IIS site names cannot hold '/' "
                              f"or '\\'; an application is given with the application option), got {value!r}")
    if value in (".", ".."):
        raise ModuleError(f"{option} must be a site name, not {value!r}")
    if value != value.strip():
        raise ModuleError(f"{option} must not start or end with white space (IIS would look for another "
                          f"site than the one it shows), got {value!r}")


def check_virtual_path(value: str, option: str) -> None:
    """A virtual path: '/' or '/seg/seg', no empty, '.' or '..' segment, no backslash."""
    if not value.startswith("/"):
        raise ModuleError(f"{option} must be a virtual path starting with '/', got {value!r}")
    if "\\" in value:
        raise ModuleError(f"{option} must use '/' between segments, not '\\', got {value!r}")
    segments = value[1:].split("/")
    if segments[-1] == "":
        segments.pop()  # one trailing slash: '/app/' is '/app'
    for segment in segments:
        if segment in ("", ".", ".."):
            raise ModuleError(f"{option} must not contain an empty, '.' or '..' segment (it would leave the "
                              f"site's folder), got {value!r}")
        if segment != segment.strip() or segment.endswith("."):
            # Windows drops trailing dots and spaces of a folder name: '/app ' and '/app.' are the folder of
            # '/app' (and '/. .' is '..') while IIS sees another virtual path.
            raise ModuleError(f"{option} must not have a segment that starts or ends with white space or ends "
                              f"with '.', got {value!r}")


def check_service_name(value: str, option: str) -> None:
    if not value:
        raise ModuleError(f"{option} must not be empty")
    if value != value.strip():
        raise ModuleError(f"{option} must not start or end with white space (it would name another service "
                          f"than the one shown), got {value!r}")
    if len(value) > MAX_SERVICE_NAME:
        raise ModuleError(f"{option} is {len(value)} characters long; the limit is {MAX_SERVICE_NAME} "
                          "(Windows service names, CreateService)")
    for char in "/\\":
        if char in value:
            raise ModuleError(f"{option} must not contain {char!r}: the service control manager refuses '/' "
                              f"and '\\' in service names, got {value!r}")


def check_display_name(value: str, option: str) -> None:
    if len(value) > MAX_SERVICE_NAME:
        raise ModuleError(f"{option} is {len(value)} characters long; the limit is {MAX_SERVICE_NAME} "
                          "(Windows service display names, CreateService)")


# An XML element name as IIS config uses them (system.webServer, rewriteMaps, add): XML 1.0 Name, ASCII part.
CONFIG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def check_config_element(value: str, option: str, what: str = "child element path") -> None:
    """'a/b/c' (the empty string: none): each step an element name, no empty, '.' or '..' step."""
    if not value and what != "section":
        return
    for step in value.split("/"):
        if not CONFIG_NAME.match(step) or step in (".", ".."):
            raise ModuleError(f"{option} must be a {what} of XML element names joined with '/' "
                              f"(e.g. system.webServer/proxy), got {value!r}: bad step {step!r}")


def check_config_section(value: str, option: str) -> None:
    check_config_element(value, option, "section")


def check_count(value: int, option: str) -> None:
    if value < 0:
        raise ModuleError(f"{option} must be 0 or more, got {value}")


# The site/application options of every module that addresses a site.
SCOPE_KINDS = {"site": "site", "application": "virtual_path"}
# The backup option of every module that writes IIS configuration (config.BACKUP_OPTIONS).
BACKUP_KINDS = {"backup_keep": "count"}

# Kinds of whole-number options.
NUMBER_KINDS: dict[str, Callable[[int, str], None]] = {"count": check_count}

KINDS: dict[str, Callable[[str, str], None]] = {
    "header_name": check_header_name,
    "site": check_site_name,
    "virtual_path": check_virtual_path,
    "service_name": check_service_name,
    "display_name": check_display_name,
    "config_section": check_config_section,  # config_* modules: section, e.g. system.webServer/proxy
    "config_element": check_config_element,  # config_* modules: element path inside the section
}


def check_options(spec: ModuleSpec, args: dict[str, Any]) -> None:
    """Every string of the validated options of a module; raises ModuleError naming the first bad one."""
    _walk_options(spec.argument_spec, args, "", "", spec.kinds)


def _walk_options(options: dict[str, Any], args: dict[str, Any], prefix: str, kind_prefix: str,
                  kinds: dict[str, str]) -> None:
    for name, option in options.items():
        value = args.get(name)
        if value is not None:
            _walk_value(value, option, f"{prefix}{name}", f"{kind_prefix}{name}", kinds)


def _walk_value(value: Any, option: dict[str, Any], path: str, kind_path: str, kinds: dict[str, str]) -> None:
    secret = bool(option.get("no_log"))
    if isinstance(value, int) and not isinstance(value, bool) and kinds.get(kind_path) in NUMBER_KINDS:
        NUMBER_KINDS[kinds[kind_path]](value, path)
    elif isinstance(value, str) and kinds.get(kind_path) == "document":
        check_document(value, path)
    elif isinstance(value, str):
        check_text(value, path, secret)
        kind = kinds.get(kind_path)
        if kind:
            KINDS[kind](value, path)
    elif isinstance(value, dict):
        if option.get("options"):
            _walk_options(option["options"], value, f"{path}.", f"{kind_path}.", kinds)
            return
        for key, item in value.items():  # a free-form dict (e.g. environment): keys and values
            check_text(str(key), f"{path} key {key!r}")
            if isinstance(item, str):
                check_text(item, f"{path}.{key}", secret)
    elif isinstance(value, list):
        element = dict(option, type=option.get("elements"))
        element.pop("elements", None)
        for n, item in enumerate(value):
            _walk_value(item, element, f"{path}[{n}]", kind_path, kinds)


# -- before ansible-core's own validation -------------------------------------------------------------

def check_structure(spec: ModuleSpec, raw: dict[str, Any]) -> None:
    """A string where a dict or a list of dicts is wanted: say so in our words, naming the option.

    ansible-core would convert it if it can (``key=value`` or JSON text) and otherwise fail with
    "unable to evaluate string as dictionary", which names neither the option nor the wanted type.
    """
    _structure(spec.argument_spec, raw, "")


def _structure(options: dict[str, Any], raw: Any, prefix: str) -> None:
    if not isinstance(raw, dict):
        return
    for name, option in options.items():
        keys = [name, *option.get("aliases", [])]
        for key in keys:
            if key in raw:
                _structure_value(raw[key], option, f"{prefix}{key}")


def _structure_value(value: Any, option: dict[str, Any], path: str) -> None:
    wanted = option.get("type")
    elements = option.get("elements")
    if wanted == "dict" and isinstance(value, str) and not _converts_to_dict(value):
        raise ModuleError(f"{path} must be a dictionary (a mapping of its sub-options), got the string {value!r}")
    if wanted == "list" and elements == "dict":
        if isinstance(value, str) and not _converts_to_dict(value):
            raise ModuleError(f"{path} must be a list of dictionaries (one mapping per item), "
                              f"got the string {value!r}")
        if isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, str) and not _converts_to_dict(item):
                    raise ModuleError(f"{path}[{n}] must be a dictionary (a mapping of its sub-options), "
                                      f"got the string {item!r}")
                if option.get("options"):
                    _structure(option["options"], item, f"{path}[{n}].")
    elif wanted == "dict" and option.get("options"):
        _structure(option["options"], value, f"{path}.")


def _converts_to_dict(text: str) -> bool:
    """Whether ansible-core's own conversion (JSON text or k=v pairs) would turn ``text`` into a dict."""
    try:
        check_type_dict(text)
    except (TypeError, ValueError):
        return False
    return True
