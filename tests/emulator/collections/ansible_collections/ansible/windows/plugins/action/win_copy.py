# Test-only stand-in for ansible.windows' win_copy action plugin (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve a controller-side ``src`` as the real action plugin does (the role's files/ folder, then the
play's), then run the stand-in win_copy module with the absolute path. Folders as src are not emulated."""

from __future__ import annotations

import os
from typing import Any

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        src = args.get("src")
        if src and not args.get("remote_src") and args.get("content") is None:
            try:
                found = self._find_needle("files", src)
            except AnsibleError as exc:
                result.update(failed=True, msg=str(exc))
                return result
            if os.path.isdir(found):
                result.update(failed=True, msg=f"winhost: win_copy of a folder ({found}) is not emulated")
                return result
            args["src"] = found
        result.update(self._execute_module(module_name="ansible.windows.win_copy", module_args=args,
                                           task_vars=task_vars))
        return result
