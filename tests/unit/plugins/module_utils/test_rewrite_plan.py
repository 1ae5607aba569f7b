"""Planning: add/change/remove/move of one rule and of an exclusive ordered list, with AddAt indexes."""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.config import ConfigRead
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model, plan
from ansible_collections.winflask.iis.plugins.module_utils.rewrite.scope import Scope

from rewrite_host import rules_section

SCOPE = Scope("Default Web Site")
ADDRESS = SCOPE.rules_address


def rule(name, url="(.*)", **extra):
    return {"name": name, "match": {"url": url}, **extra}


def current(names, inherited=(), flavor=model.INBOUND):
    section = rules_section([rule(n) for n in names], flavor, inherited=[rule(n) for n in inherited])
    state = ConfigRead({"fingerprint": {}, "sections": [section]}).get(ADDRESS)
    return plan.Current.from_state(state, flavor)


def shaped(name, url="(.*)", **extra):
    return model.normalise_rule(rule(name, url, **extra), model.INBOUND)


def summary(ops):
    return [(o["op"], o.get("key", {}).get("name") or o["element"]["attributes"]["name"], o.get("index"))
            for o in ops]


def apply(names, ops):
    """What the host's list becomes (the effective collection, like the emulator)."""
    result = list(names)
    for op in ops:
        if op["op"] == "remove":
            result.remove(op["key"]["name"])
        else:
            result.insert(op["index"], op["element"]["attributes"]["name"])
    return result


def test_new_rule_goes_last_by_default():
    ops, before, after = plan.plan_rule(ADDRESS, current(["a", "b"]), shaped("c"), "c")
    assert summary(ops) == [("add", "c", 2)]
    assert before is None and after["position"] == 2


def test_unchanged_rule_makes_no_operation():
    ops, before, after = plan.plan_rule(ADDRESS, current(["a", "b"]), shaped("a"), "a")
    assert ops == [] and before == after


def test_changed_rule_is_replaced_at_the_same_index():
    ops, _before, after = plan.plan_rule(ADDRESS, current(["a", "b", "c"]), shaped("b", "^x$"), "B")
    assert summary(ops) == [("remove", "b", None), ("add", "b", 1)]
    assert after["position"] == 1


@pytest.mark.parametrize("position, relative_to, order", [
    ("first", None, ["c", "a", "b", "d"]),
    ("last", None, ["a", "b", "d", "c"]),
    ("before", "a", ["c", "a", "b", "d"]),
    ("after", "a", ["a", "c", "b", "d"]),
    ("after", "d", ["a", "b", "d", "c"]),
])
def test_positions_move_a_rule(position, relative_to, order):
    names = ["a", "b", "c", "d"]
    ops, _before, _after = plan.plan_rule(ADDRESS, current(names), shaped("c"), "c", position, relative_to)
    assert apply(names, ops) == order


@pytest.mark.parametrize("position, relative_to", [("before", "d"), ("after", "b"), (None, None)])
def test_rule_already_in_place_is_not_moved(position, relative_to):
    names = ["a", "b", "c", "d"]
    ops, _before, _after = plan.plan_rule(ADDRESS, current(names), shaped("c"), "c", position, relative_to)
    assert ops == []


def test_relative_to_must_exist_here():
    with pytest.raises(ModuleError, match="relative_to 'zz' is not a rule stored at this level"):
        plan.plan_rule(ADDRESS, current(["a"]), shaped("c"), "c", "before", "zz")
    with pytest.raises(ModuleError, match="another rule than 'c'"):
        plan.plan_rule(ADDRESS, current(["a", "c"]), shaped("c"), "c", "after", "C")


def test_absent():
    ops, before, after = plan.plan_rule(ADDRESS, current(["a", "b"]), None, "B")
    assert summary(ops) == [("remove", "b", None)] and after is None and before["position"] == 1
    assert plan.plan_rule(ADDRESS, current(["a"]), None, "zz") == ([], None, None)


def test_indexes_count_inherited_rules_first():
    cur = current(["a", "b"], inherited=["parent1", "parent2"])
    ops, _before, _after = plan.plan_rule(ADDRESS, cur, shaped("c"), "c", "first")
    assert summary(ops) == [("add", "c", 2)]
    ops, _before, _after = plan.plan_rule(ADDRESS, current([], inherited=["p"]), shaped("c"), "c")
    assert summary(ops) == [("add", "c", 1)]


def test_inherited_rule_names_are_refused():
    with pytest.raises(ModuleError, match="rule 'P' is inherited .* from a parent level"):
        current(["a"], inherited=["p"]).refuse_inherited(["P"], SCOPE)


def test_list_unchanged_means_no_operations():
    ops, before, after = plan.plan_rules(ADDRESS, current(["a", "b"]), [shaped("a"), shaped("b")])
    assert ops == [] and [r["name"] for r in after] == ["a", "b"]


def test_list_from_empty_adds_in_order():
    ops, _before, _after = plan.plan_rules(ADDRESS, current([]), [shaped("a"), shaped("b"), shaped("c")])
    assert summary(ops) == [("add", "a", 0), ("add", "b", 1), ("add", "c", 2)]


def test_list_removes_extra_rules_and_changes_in_place():
    names = ["a", "x", "b", "c"]
    ops, _before, _after = plan.plan_rules(ADDRESS, current(names), [shaped("a"), shaped("b", "^new$"), shaped("c")])
    assert summary(ops) == [("remove", "x", None), ("remove", "b", None), ("add", "b", 1)]
    assert apply(names, ops) == ["a", "b", "c"]


def test_list_reorder_moves_the_fewest_rules():
    names = ["a", "b", "c", "d", "e"]
    desired = ["e", "a", "b", "c", "d"]
    ops, _before, _after = plan.plan_rules(ADDRESS, current(names), [shaped(n) for n in desired])
    assert summary(ops) == [("remove", "e", None), ("add", "e", 0)]
    assert apply(names, ops) == desired


@pytest.mark.parametrize("names, desired", [
    (["a", "b", "c"], ["c", "b", "a"]),
    (["a", "b", "c", "d"], ["b", "d", "new", "a"]),
    ([], []),
    (["a", "b"], []),
])
def test_list_reaches_the_desired_order(names, desired):
    ops, _before, _after = plan.plan_rules(ADDRESS, current(names), [shaped(n) for n in desired])
    assert apply(names, ops) == desired


def test_list_with_inherited_rules_keeps_them_first():
    names = ["p1", "a", "b"]
    cur = current(["a", "b"], inherited=["p1"])
    ops, _before, _after = plan.plan_rules(ADDRESS, cur, [shaped("b"), shaped("n"), shaped("a")])
    assert apply(names, ops) == ["p1", "b", "n", "a"]


def test_two_hundred_rules_in_one_plan():
    desired = [shaped(f"r{n}", f"^p{n}/(.*)") for n in range(200)]
    ops, _before, _after = plan.plan_rules(ADDRESS, current([]), desired)
    assert len(ops) == 200 and [o["index"] for o in ops] == list(range(200))


def test_variables_to_allow():
    rules = [shaped("a", server_variables=[{"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}])]
    assert plan.variables_to_allow(rules, SCOPE, ["http_x_original_host"], [], False) == []
    assert plan.variables_to_allow(rules, SCOPE, [], ["HTTP_X_ORIGINAL_HOST"], False) == []
    assert plan.variables_to_allow(rules, SCOPE, [], [], True) == ["HTTP_X_ORIGINAL_HOST"]
    with pytest.raises(ModuleError, match=r"HTTP_X_ORIGINAL_HOST \(set by rule 'a'\).*winflask.iis.server_variable "
                                          r"\(name: \[HTTP_X_ORIGINAL_HOST\], site: Default Web Site\)"):
        plan.variables_to_allow(rules, SCOPE, [], [], False)
    assert plan.variables_to_allow(rules, Scope(), [], [], False) == []  # global rules need no allow list


def test_list_diff_shows_order_and_only_the_rules_that_differ():
    before = [shaped("a"), shaped("b"), shaped("c")]
    after = [shaped("c"), shaped("a", "^new$"), shaped("d")]
    old, new = plan.list_diff(before, after)
    assert old["order"] == ["a", "b", "c"] and new["order"] == ["c", "a", "d"]
    assert [r["name"] for r in old["rules"]] == ["a", "b"]
    assert [r["name"] for r in new["rules"]] == ["a", "d"]
