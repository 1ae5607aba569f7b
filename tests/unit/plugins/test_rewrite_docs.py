"""The documented options of the URL Rewrite modules match their argument specs, level by level."""

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule, server_variable

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
SPECS = {"rewrite_rule": rewrite_rule.SPEC, "rewrite_rules": rewrite_rule.RULES_SPEC,
         "rewrite_rule_info": rewrite_rule.INFO_SPEC, "server_variable": server_variable.SPEC,
         "server_variable_info": server_variable.INFO_SPEC}
KEYS = ("type", "required", "choices", "default", "elements", "aliases")


def documented(module):
    tree = ast.parse((MODULES / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError(module)


def compare(doc_options, spec_options, where):
    assert set(doc_options) == set(spec_options), where
    for name, spec in spec_options.items():
        doc = doc_options[name]
        for key in KEYS:
            want = spec.get(key, False if key == "required" else None)
            assert doc.get(key, False if key == "required" else None) == want, f"{where}.{name}.{key}"
        assert doc.get("description"), f"{where}.{name} has no description"
        if "options" in spec:
            compare(doc["suboptions"], spec["options"], f"{where}.{name}")


@pytest.mark.parametrize("module", sorted(SPECS))
def test_documentation_matches_argument_spec(module):
    compare(documented(module)["options"], SPECS[module].argument_spec, module)
