"""secret_environment of winflask.iis.nssm_service: compared by HMAC, hidden in plan, diff, request, labels."""

import hashlib
import hmac

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import (
    SPEC, apply_request, apply_secrets, plan, read_request, shown, validate)

from nssm_reads import APP, read, service

KEY = "0f" * 32
SECRET = "Tok-5b2e-secret"


def digest(value: str, key: str = KEY) -> str:
    return hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()


def args(**given):
    result = {name: spec.get("default") for name, spec in SPEC.argument_spec.items()}
    result.update(given)
    return result


def masked(value: str, name: str = "TOKEN") -> dict:
    """An AppEnvironmentExtra entry as nssm_read returns it for a secret name of the task."""
    return {"name": name, "hmac_sha256": digest(value)}


def test_the_option_is_no_log():
    assert SPEC.argument_spec["secret_environment"] == {"type": "dict", "no_log": True}


def test_the_read_names_the_secret_variables_only():
    request = read_request(args(name="myapp", environment={"A": "1"}, secret_environment={"TOKEN": SECRET}))
    assert request["secret_names"] == ["TOKEN"] and SECRET not in repr(request)
    assert read_request(args(name="myapp"))["secret_names"] == []


def test_same_digest_is_no_change():
    svc = service(AppEnvironmentExtra=["A=1", masked(SECRET)])
    given = args(name="myapp", environment={"A": "1"}, secret_environment={"TOKEN": SECRET})
    p = plan(given, read(svc, application=None), KEY)
    assert p.commands == [] and not p.changed


def test_other_digest_is_one_registry_write_without_the_value():
    svc = service(AppEnvironmentExtra=["A=1", masked("old-value")])
    given = args(name="myapp", environment={"A": "1"}, secret_environment={"TOKEN": SECRET})
    p = plan(given, read(svc, application=None), KEY)
    assert p.commands == [["set", "myapp", "AppEnvironmentExtra", "A=1", "TOKEN=********"]]
    request = apply_request(given, read(svc, application=None), p)
    assert request["commands"] == [{"environment": [{"text": "A=1"}, {"secret": "TOKEN"}],
                                    "label": "set myapp AppEnvironmentExtra"}]
    # the rollback cannot hold the old secret: the host restores the value it saved before its write
    assert request["rollback"] == [{"restore": "AppEnvironmentExtra", "label": "set myapp AppEnvironmentExtra"}]
    # the concurrent-change guard compares the masked form, re-read on the host with the same key
    assert request["expected"] == {"values": {}, "parameters": {"AppEnvironmentExtra": ["A=1", masked("old-value")]}}
    assert request["secret_names"] == ["TOKEN"]
    assert SECRET not in repr(p) and SECRET not in repr(request) and "old-value" not in repr(request)
    assert apply_secrets(given, request, KEY) == {"SecretEnvironment": '{"TOKEN": "Tok-5b2e-secret"}',
                                                  "DigestKey": KEY}


def test_the_diff_and_result_show_secret_and_changed_never_values():
    svc = service(AppEnvironmentExtra=["A=1", masked(SECRET), masked("x", "OTHER")])
    given = args(name="myapp", environment={"A": "2"},
                 secret_environment={"TOKEN": SECRET, "OTHER": "y", "NEW": "z"})
    p = plan(given, read(svc, application=None), KEY)
    before, after = shown(p.before), shown(p.after, p.before, compare=True)
    assert before["environment"] == {"A": "1", "TOKEN": "(secret)", "OTHER": "(secret)"}
    assert after["environment"] == {"A": "2", "TOKEN": "(secret)", "OTHER": "(secret, changed)",
                                    "NEW": "(secret, changed)"}
    assert all(v not in repr((before, after)) for v in (SECRET, "x=", "'y'", "'z'"))


def test_a_new_service_gets_the_secret_through_the_registry_write():
    given = args(name="myapp", application=APP, secret_environment={"TOKEN": SECRET})
    p = plan(given, read(), KEY)
    request = apply_request(given, read(), p)
    env = [c for c in request["commands"] if "environment" in c]
    assert env == [{"environment": [{"secret": "TOKEN"}], "label": "set myapp AppEnvironmentExtra"}]
    assert request["rollback"] == [] and SECRET not in repr(request)


def test_plain_environment_alone_still_goes_through_nssm():
    svc = service(AppEnvironmentExtra=["A=1"])
    given = args(name="myapp", environment={"A": "2"})
    p = plan(given, read(svc, application=None), KEY)
    request = apply_request(given, read(svc, application=None), p)
    assert request["commands"] == [{"line": "set myapp AppEnvironmentExtra A=2",
                                    "label": "set myapp AppEnvironmentExtra"}]
    assert apply_secrets(given, request, KEY) == {}


def test_removing_every_variable_clears_the_value_on_the_host():
    svc = service(AppEnvironmentExtra=[masked(SECRET)])
    given = args(name="myapp", environment={}, secret_environment={})
    p = plan(given, read(svc, application=None), KEY)
    assert p.commands == [["reset", "myapp", "AppEnvironmentExtra"]]


@pytest.mark.parametrize("given, fragment", [
    ({"environment": {"Token": "1"}, "secret_environment": {"TOKEN": SECRET}},
     "secret_environment and environment both name the variable 'TOKEN'"),
    ({"secret_environment": {"A=B": SECRET}}, "secret_environment names must be non-empty and contain no '='"),
    ({"secret_environment": {"Token": SECRET, "TOKEN": "x"}},
     "secret_environment names the variable 'TOKEN' twice ('Token')"),
    ({"environment": {"path": "1", "PATH": "2"}}, "environment names the variable 'PATH' twice ('path')"),
    ({"secret_environment": {"": SECRET}}, "secret_environment names must be non-empty"),
])
def test_bad_secret_environment_is_refused_without_the_value(given, fragment):
    with pytest.raises(ModuleError) as error:
        validate(args(name="myapp", **given))
    assert fragment in str(error.value) and SECRET not in str(error.value)
