"""Diff output for the modules: YAML text before and after, as Ansible's diff callback shows it."""

from __future__ import annotations

from typing import Any

import yaml


def plain(value: Any) -> Any:
    """Copy of ``value`` with builtin types only (ansible-core 2.19+ tags task values with subclasses)."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)  # str() keeps 2.16's AnsibleUnsafeText
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def to_yaml(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(plain(value), default_flow_style=False, sort_keys=False, allow_unicode=True)


def yaml_diff(before: Any, after: Any, header: str) -> dict[str, str]:
    return {
        "before": to_yaml(before),
        "after": to_yaml(after),
        "before_header": f"{header} (before)",
        "after_header": f"{header} (after)",
    }
