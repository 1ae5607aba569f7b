"""The roles' variables as Ansible sees them: defaults and vars files loaded by Ansible's own loader
and expressions rendered by its templar (ansible-core 2.16 and 2.19+ alike), so the tests check
the roles' real Jinja, not a copy of it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

ROLES = Path(__file__).resolve().parents[3] / "roles"


@cache
def load(role: str, relative: str) -> Any:
    """A role file as Ansible loads it (strings trusted as templates on ansible-core 2.19+); read once,
    callers do not change it."""
    return DataLoader().load_from_file(str(ROLES / role / relative))


def role_variables(role: str, **overrides: Any) -> dict[str, Any]:
    """defaults/main.yml, then vars/main.yml (higher precedence), then ``overrides`` (like -e)."""
    variables: dict[str, Any] = dict(load(role, "defaults/main.yml") or {})
    if (ROLES / role / "vars" / "main.yml").exists():
        variables.update(load(role, "vars/main.yml") or {})
    variables.update(overrides)
    return variables


def resolved(role: str, **overrides: Any) -> dict[str, Any]:
    """role_variables() with every value rendered (a play renders them lazily; this templar, given a
    plain dict, does not render a variable that another one refers to)."""
    variables = role_variables(role, **overrides)
    passes = 3  # the roles' vars refer at most two levels deep
    for number in range(passes):
        for name, value in list(variables.items()):
            try:
                variables[name] = render(value, variables)
            except Exception:  # refers to a variable not rendered yet: next pass
                if number == passes - 1:
                    raise
    return variables


def render(expression: Any, variables: dict[str, Any]) -> Any:
    """``expression`` (from a role file, or a literal "{{ ... }}") rendered with ``variables``."""
    try:  # ansible-core 2.19+: only trusted strings are templates
        from ansible.template import trust_as_template
    except ImportError:  # 2.16
        def trust_as_template(value: Any) -> Any:
            return value
    if isinstance(expression, str):
        expression = trust_as_template(expression)
    return Templar(loader=DataLoader(), variables=variables).template(expression)


def truth(value: Any) -> bool:
    """A rendered condition: a bool on 2.19+, the text "True"/"False" on 2.16."""
    if isinstance(value, bool):
        return value
    assert str(value) in {"True", "False"}, f"not a condition result: {value!r}"
    return str(value) == "True"


def entry_checks(role: str) -> list[dict[str, Any]]:
    """The loop items of the role's first task (the entry check): name, value, ok, want."""
    first = load(role, "tasks/main.yml")[0]
    assert "ansible.builtin.assert" in first, f"{role}: the first task is not the entry check"
    return first["loop"]


def failed_checks(role: str, **overrides: Any) -> dict[str, str]:
    """Which entry checks fail with these variables: name -> the message the role prints."""
    variables = role_variables(role, **overrides)
    first = load(role, "tasks/main.yml")[0]
    failed = {}
    for item in entry_checks(role):
        scope = {**variables, "item": {key: render(value, variables) for key, value in item.items()}}
        if not truth(render("{{ item.ok | bool }}", scope)):
            failed[item["name"]] = str(render(first["ansible.builtin.assert"]["fail_msg"], scope))
    return failed
