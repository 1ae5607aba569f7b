"""The role's pieces agree with each other and with the app: argument spec vs defaults, the
service command it hands to the nssm role, and the run_server.bat it writes."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
import yaml
from run_server import Settings, parse_settings
from sample_server import APP_DIR

ROLE = APP_DIR.parent


def load(relative: str) -> Any:
    return yaml.safe_load((ROLE / relative).read_text(encoding="utf-8"))


DEFAULTS: dict[str, Any] = load("defaults/main.yml")
SPECS: dict[str, Any] = load("meta/argument_specs.yml")["argument_specs"]


def render(text: str, variables: dict[str, Any]) -> str:
    return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).render(**variables)


def service_facts(variables: dict[str, Any]) -> dict[str, Any]:
    tasks = load("tasks/main.yml")
    facts = next(task["ansible.builtin.set_fact"] for task in tasks if "ansible.builtin.set_fact" in task)
    rendered: dict[str, Any] = {}
    for name, value in facts.items():
        if isinstance(value, list):
            rendered[name] = [render(item, variables) for item in value]
        else:
            rendered[name] = render(value, variables)
    return rendered


@pytest.mark.parametrize("entry_point", ["main", "verify"])
def test_argument_spec_defaults_match_defaults_file(entry_point: str) -> None:
    for name, spec in SPECS[entry_point]["options"].items():
        assert name in DEFAULTS, name
        assert spec["default"] == DEFAULTS[name], name


def test_every_default_is_documented() -> None:
    documented = set(SPECS["main"]["options"]) | set(SPECS["verify"]["options"])
    assert set(DEFAULTS) == documented


def test_service_command_runs_the_app_with_the_role_settings() -> None:
    facts = service_facts(DEFAULTS)
    assert facts["flask_app_service_application"] == "C:\\apps\\myApp\\venv\\Scripts\\python.exe"
    assert facts["flask_app_service_directory"] == "C:\\apps\\myApp"
    script, *arguments = facts["flask_app_service_arguments"]
    assert script == "C:\\apps\\myApp\\run_server.py"
    assert parse_settings(arguments, {}) == Settings(
        host="127.0.0.1", port=50100, prefix="/myApp", trusted_proxy="127.0.0.1",
        host_header="x-forwarded-host", threads=8, connection_limit=500, channel_timeout=120, backlog=1024,
        cleanup_interval=30, outbuf_high_watermark=16777216)
    assert parse_settings(arguments, {}) == Settings(), "the role's defaults are run_server.py's defaults"


def test_service_command_with_other_settings() -> None:
    variables = {**DEFAULTS, "flask_app_dir": "D:\\web\\shop", "flask_app_port": 8001,
                 "flask_app_prefix": "/shop/", "flask_app_trusted_proxy": "", "flask_app_threads": 8,
                 "flask_app_host_header": "x-original-host", "flask_app_connection_limit": 300,
                 "flask_app_channel_timeout": 600, "flask_app_backlog": 128, "flask_app_cleanup_interval": 5,
                 "flask_app_outbuf_high_watermark": 1048576}
    facts = service_facts(variables)
    assert facts["flask_app_service_application"] == "D:\\web\\shop\\venv\\Scripts\\python.exe"
    _script, *arguments = facts["flask_app_service_arguments"]
    # The command line wins over anything in the service's environment.
    environ = {"WINFLASK_APP_PORT": "1", "WINFLASK_APP_CONNECTION_LIMIT": "7", "WINFLASK_APP_BACKLOG": "7"}
    assert parse_settings(arguments, environ) == Settings(
        host="127.0.0.1", port=8001, prefix="/shop", trusted_proxy="", host_header="x-original-host", threads=8,
        connection_limit=300, channel_timeout=600, backlog=128, cleanup_interval=5, outbuf_high_watermark=1048576)


def parse_bat(text: str) -> dict[str, str]:
    """The values run_server.bat sets (``if not defined X set "X=value"`` lines)."""
    values = {}
    for line in text.splitlines():
        if line.startswith("if not defined "):
            assignment = line.split(" set ", 1)[1].strip('"')
            name, value = assignment.split("=", 1)
            values[name] = value
    return values


def test_run_server_bat_sets_the_role_settings() -> None:
    template = (ROLE / "templates" / "run_server.bat.j2").read_text(encoding="utf-8")
    text = render(template, {**DEFAULTS, "ansible_managed": "Ansible managed"})
    assert parse_bat(text) == {
        "WINFLASK_APP_HOST": "127.0.0.1",
        "WINFLASK_APP_PORT": "50100",
        "WINFLASK_APP_PREFIX": "/myApp",
        "WINFLASK_APP_TRUSTED_PROXY": "127.0.0.1",
        "WINFLASK_APP_HOST_HEADER": "x-forwarded-host",
        "WINFLASK_APP_THREADS": "8",
        "WINFLASK_APP_CONNECTION_LIMIT": "500",
        "WINFLASK_APP_CHANNEL_TIMEOUT": "120",
        "WINFLASK_APP_BACKLOG": "1024",
        "WINFLASK_APP_CLEANUP_INTERVAL": "30",
        "WINFLASK_APP_OUTBUF_HIGH_WATERMARK": "16777216",
    }
    assert parse_settings([], parse_bat(text)) == Settings()
    assert '"%~dp0venv\\Scripts\\python.exe" "%~dp0run_server.py" %*' in text.splitlines()


def test_run_server_bat_trusting_nobody_keeps_the_variable_set() -> None:
    # `set "X="` would delete X in cmd.exe and run_server.py would fall back to 127.0.0.1.
    template = (ROLE / "templates" / "run_server.bat.j2").read_text(encoding="utf-8")
    text = render(template, {**DEFAULTS, "flask_app_trusted_proxy": "", "ansible_managed": "x"})
    assert parse_bat(text)["WINFLASK_APP_TRUSTED_PROXY"] == "none"
    assert parse_settings([], parse_bat(text)).trusted_proxy == ""


def test_role_copies_exactly_the_app_files() -> None:
    tasks = load("tasks/main.yml")
    copy = next(task for task in tasks if "ansible.windows.win_copy" in task)
    shipped = {path.name for path in APP_DIR.iterdir() if path.is_file()}
    assert set(copy["loop"]) == shipped == {"app.py", "run_server.py", "requirements.txt"}


def test_role_uses_only_windows_modules_on_the_host() -> None:
    controller_side = {"ansible.builtin.assert", "ansible.builtin.set_fact"}
    for tasks_file in ("tasks/main.yml", "tasks/verify.yml", "handlers/main.yml"):
        for task in load(tasks_file):
            module = next(key for key in task if "." in key)
            assert module.startswith("ansible.windows.") or module in controller_side, (tasks_file, module)


def test_requirements() -> None:
    lines = [line for line in (APP_DIR / "requirements.txt").read_text().splitlines() if line and line[0] != "#"]
    assert lines == ["flask>=3.0,<4", "waitress>=3.0.2,<4"]
