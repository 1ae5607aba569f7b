"""Replay of win_powershell results for action plugin tests (the ansible.windows way)."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import MagicMock


class FakeHost:
    """Replays win_powershell results, one per call, and records the calls (ansible.windows style)."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, module_name: str, module_args: dict[str, Any], task_vars: Any = None) -> dict[str, Any]:
        script = module_args["script"].splitlines()[1].split(":", 1)[1].strip()
        self.calls.append({"module": module_name, "script": script,
                           "request": json.loads(module_args["parameters"]["Request"])})
        return self.replies.pop(0)

    @staticmethod
    def ok(payload: dict[str, Any]) -> dict[str, Any]:
        return {"changed": False, "failed": False, "result": json.dumps(payload), "output": [], "error": []}

    @staticmethod
    def error(code: str, message: str) -> dict[str, Any]:
        return {"changed": False, "failed": True, "msg": message, "output": [], "error": [],
                "result": json.dumps({"error": {"code": code, "message": message}})}


def make_action(action_class: type, args: dict[str, Any], host: FakeHost, check_mode: bool = False,
                diff: bool = False) -> Any:
    task = MagicMock()
    task.args = dict(args)
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    connection = MagicMock()
    connection._shell.tmpdir = None
    action = action_class(task, connection, MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = host
    # set by the plugin loader in a real run; ansible-core 2.16 names it in argument errors
    action._load_name = "winflask.iis." + action_class.__module__.rsplit(".", 1)[-1]
    return action
