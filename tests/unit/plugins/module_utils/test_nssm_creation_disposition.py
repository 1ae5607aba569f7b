"""stdout/stderr creation disposition of winflask.iis.nssm_service (community.windows#536).

nssm opens AppStdout/AppStderr with CreateFile at every start of the application (io.cpp
get_output_handles, called by start_service, also when nssm restarts an app that exited): the
disposition comes from AppStdoutCreationDisposition / AppStderrCreationDisposition, default 4
OPEN_ALWAYS (append: nssm then seeks to the end), 2 CREATE_ALWAYS empties the file first.
"""

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import SPEC, plan
from ansible_collections.winflask.iis.plugins.module_utils.nssm_settings import current_settings

from nssm_reads import APP, read, service

LOG = "C:\\apps\\myapp\\logs\\out.log"
ERR = "C:\\apps\\myapp\\logs\\err.log"


def args(**given):
    result = {name: spec.get("default") for name, spec in SPEC.argument_spec.items()}
    result.update(given)
    return result


def test_options_offer_append_and_truncate_without_a_default():
    for option in ("stdout_creation_disposition", "stderr_creation_disposition"):
        spec = SPEC.argument_spec[option]
        assert spec["choices"] == ["append", "truncate"] and "default" not in spec


@pytest.mark.parametrize("raw, shown", [(None, "append"), (4, "append"), (2, "truncate"), (1, 1), (5, 5)])
def test_registry_value_is_read_as_the_disposition(raw, shown):
    params = {} if raw is None else {"AppStdoutCreationDisposition": raw, "AppStderrCreationDisposition": raw}
    settings = current_settings(service(**params))
    assert settings["stdout_creation_disposition"] == shown
    assert settings["stderr_creation_disposition"] == shown


def test_truncate_is_set_as_create_always_and_append_goes_back_to_open_always():
    p = plan(args(name="myapp", application=APP, stdout_file=LOG, stderr_file=ERR,
                  stdout_creation_disposition="truncate", stderr_creation_disposition="append"),
             read(service(AppStdout=LOG, AppStderr=ERR, AppStderrCreationDisposition=2)))
    assert p.commands == [["set", "myapp", "AppStdoutCreationDisposition", "2"],
                          ["set", "myapp", "AppStderrCreationDisposition", "4"]]
    assert p.after["stdout_creation_disposition"] == "truncate"
    assert p.after["stderr_creation_disposition"] == "append"
    assert p.rollback == [["set", "myapp", "AppStdoutCreationDisposition", "4"],
                          ["set", "myapp", "AppStderrCreationDisposition", "2"]]


def test_same_disposition_is_no_change():
    p = plan(args(name="myapp", application=APP, stdout_file=LOG, stdout_creation_disposition="truncate",
                  stderr_creation_disposition="append"),
             read(service(AppStdout=LOG, AppStdoutCreationDisposition=2)))
    assert p.commands == [] and not p.changed


def test_new_service_with_default_disposition_sends_no_command():
    p = plan(args(name="myapp", application=APP, stdout_file=LOG, stdout_creation_disposition="append"), read())
    assert ["set", "myapp", "AppStdoutCreationDisposition", "4"] not in p.commands
    assert p.commands[-1] == ["set", "myapp", "AppStdout", LOG]


def test_a_disposition_nssm_ignores_is_refused_naming_the_option():
    # nssm opens stderr through stdout's handle when both are the same file (io.cpp): stderr's own
    # disposition is then never used, so a different one is a mistake the task names.
    with pytest.raises(ModuleError, match=r"stderr_creation_disposition 'append' would be ignored.*same "
                                          r"file.*stdout_creation_disposition 'truncate'"):
        plan(args(name="myapp", application=APP, stdout_file=LOG, stderr_file=LOG.upper(),
                  stdout_creation_disposition="truncate", stderr_creation_disposition="append"), read())
