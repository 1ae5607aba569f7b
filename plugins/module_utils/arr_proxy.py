"""ARR's server proxy (system.webServer/proxy): options, IIS attribute mapping, plan.

Defaults and ranges come from ARR's schema (shared/research/iis-facts.md section 2.1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    BACKUP_OPTIONS, Address, ConfigRead, Node, attribute_changes, op_set, timespan_from_seconds, timespan_to_seconds)
from ansible_collections.winflask.iis.plugins.module_utils.transport import TargetError

if TYPE_CHECKING:  # the action base imports ansible.plugins: controller only
    from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction

SECTION = "system.webServer/proxy"
ADDRESS = Address(SECTION)  # only in applicationHost.config (allowDefinition AppHostOnly)
BUFFER_MAX = 4194303  # schema range of minResponseBuffer / responseBufferLimit
TIMEOUT_MAX = 86400   # schema range of timeout, in seconds

HTTP_VERSIONS = {"pass_through": "PassThrough", "http10": "Http10", "http11": "Http11"}

# option name -> (IIS attribute, schema default)
OPTIONS: dict[str, tuple[str, Any]] = {
    "enabled": ("enabled", False),
    "preserve_host_header": ("preserveHostHeader", False),
    "reverse_rewrite_host_in_response_headers": ("reverseRewriteHostInResponseHeaders", True),
    "timeout": ("timeout", 120),
    "x_forwarded_for_header_name": ("xForwardedForHeaderName", "X-Forwarded-For"),
    "include_port_in_x_forwarded_for": ("includePortInXForwardedFor", True),
    "http_version": ("httpVersion", "pass_through"),
    "keep_alive": ("keepAlive", True),
    "min_response_buffer": ("minResponseBuffer", 256),
    "response_buffer_limit": ("responseBufferLimit", 4096),
}

SPEC = ModuleSpec(argument_spec={
    "enabled": {"type": "bool"},
    "preserve_host_header": {"type": "bool"},
    "reverse_rewrite_host_in_response_headers": {"type": "bool"},
    "timeout": {"type": "int"},
    "x_forwarded_for_header_name": {"type": "str"},
    "include_port_in_x_forwarded_for": {"type": "bool"},
    "http_version": {"type": "str", "choices": list(HTTP_VERSIONS)},
    "keep_alive": {"type": "bool"},
    "min_response_buffer": {"type": "int"},
    "response_buffer_limit": {"type": "int"},
    **BACKUP_OPTIONS,
}, kinds={"x_forwarded_for_header_name": "header_name", **BACKUP_KINDS})

INFO_SPEC = ModuleSpec(argument_spec={})


def validate(args: dict[str, Any]) -> None:
    """Range checks the argument spec cannot express; the message names option and value."""
    timeout = args.get("timeout")
    if timeout is not None and not 1 <= timeout <= TIMEOUT_MAX:
        raise ModuleError(f"timeout must be between 1 and {TIMEOUT_MAX} seconds, got {timeout}")
    for name in ("min_response_buffer", "response_buffer_limit"):
        value = args.get(name)
        if value is not None and not 0 <= value <= BUFFER_MAX:
            raise ModuleError(f"{name} must be between 0 and {BUFFER_MAX} (KB), got {value}")
    header = args.get("x_forwarded_for_header_name")
    if header is not None and (not header.strip() or any(c in header for c in " :\r\n\t")):
        raise ModuleError(f"x_forwarded_for_header_name must be an HTTP header name, got {header!r}")


def to_iis(option: str, value: Any) -> Any:
    if option == "timeout":
        return timespan_from_seconds(value)
    if option == "http_version":
        return HTTP_VERSIONS[value]
    return value


def from_iis(option: str, value: Any) -> Any:
    if value is None:
        return None
    if option == "timeout":
        return timespan_to_seconds(value)
    if option == "http_version":
        return {v.lower(): k for k, v in HTTP_VERSIONS.items()}.get(str(value).lower(), value)
    return value


def settings(node: Node) -> dict[str, Any]:
    """The proxy settings of a read node, with the module's option names and units."""
    return {option: from_iis(option, node.value(attr)) for option, (attr, _default) in OPTIONS.items()}


def desired_attributes(args: dict[str, Any]) -> dict[str, Any]:
    return {OPTIONS[o][0]: to_iis(o, v) for o, v in args.items() if o in OPTIONS and v is not None}


def plan(node: Node, args: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """Operations to reach ``args`` from ``node``, plus the settings before and after."""
    validate(args)
    changes = attribute_changes(node, desired_attributes(args))
    before = settings(node)
    after = dict(before)
    for option, (attr, _default) in OPTIONS.items():
        if attr in changes:
            after[option] = args[option]
    ops = [op_set(ADDRESS, [], {attr: new for attr, (_old, new) in changes.items()})] if changes else []
    return ops, before, after


NOT_INSTALLED = ("Application Request Routing (ARR) is not installed on the host: the section "
                 "system.webServer/proxy is not registered. Install ARR first "
                 "(winflask.iis.iis_extension with name=arr).")


def read_proxy(action: WinflaskAction) -> tuple[ConfigRead, Node]:
    """The task's one read: the proxy section, or a clear error when ARR is missing."""
    try:
        read = action.read_config([ADDRESS])
    except TargetError as exc:
        if exc.code == "SectionNotRegistered":
            raise ModuleError(NOT_INSTALLED) from exc
        raise
    return read, read.get(ADDRESS).element
