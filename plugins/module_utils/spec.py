"""Argument specs and user errors of the collection's modules.

Shared by plugins/modules (documentation, ``AnsibleModule`` for ansible-test) and the action
plugins (validation on the controller). Standard library only: module_utils must import on a target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ModuleError(Exception):
    """A user error found on the controller (bad option value, missing prerequisite)."""


@dataclass
class ModuleSpec:
    """Argument spec and constraints, shared by plugins/modules (docs) and plugins/action (logic)."""

    argument_spec: dict[str, Any]
    mutually_exclusive: list[Any] = field(default_factory=list)
    required_if: list[Any] = field(default_factory=list)
    required_one_of: list[Any] = field(default_factory=list)
    required_together: list[Any] = field(default_factory=list)
    required_by: dict[str, Any] = field(default_factory=dict)
    # Option path ("match.url", "conditions.pattern") -> kind of text it holds (module_utils/checks.py
    # KINDS: header_name, site, virtual_path, service_name, display_name). Every string option gets the
    # control-character and length check whether or not it is listed here.
    kinds: dict[str, str] = field(default_factory=dict)

    def module_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for AnsibleModule / validate_argument_spec."""
        return {
            "argument_spec": self.argument_spec,
            "mutually_exclusive": self.mutually_exclusive,
            "required_if": self.required_if,
            "required_one_of": self.required_one_of,
            "required_together": self.required_together,
            "required_by": self.required_by,
        }
