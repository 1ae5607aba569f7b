"""The documented options of the URL Rewrite modules match their argument specs, level by level."""

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.winflask.iis.plugins.module_utils import rewrite_rule, server_variable
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import maps, named, outbound

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
FRAGMENTS = MODULES.parent / "doc_fragments"
SPECS = {"rewrite_rule": rewrite_rule.SPEC, "rewrite_rules": rewrite_rule.RULES_SPEC,
         "rewrite_rule_info": rewrite_rule.INFO_SPEC, "server_variable": server_variable.SPEC,
         "server_variable_info": server_variable.INFO_SPEC,
         "rewrite_map": maps.SPEC, "rewrite_map_info": named.INFO_SPEC,
         "rewrite_outbound_precondition": outbound.PRECONDITION_SPEC,
         "rewrite_custom_tags": outbound.CUSTOM_TAGS_SPEC, "rewrite_outbound_info": named.INFO_SPEC}
KEYS = ("type", "required", "choices", "default", "elements", "aliases")


def documented(module):
    doc = _documentation(MODULES / f"{module}.py")
    for fragment in doc.get("extends_documentation_fragment") or []:  # the collection's own, as ansible-doc merges
        if fragment.startswith("winflask.iis."):
            extra = _documentation(FRAGMENTS / f"{fragment.split('.')[-1]}.py")
            doc["options"] = {**extra.get("options", {}), **doc.get("options", {})}
    return doc


def _documentation(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError(path)


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
