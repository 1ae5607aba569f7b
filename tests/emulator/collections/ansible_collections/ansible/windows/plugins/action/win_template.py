# Test-only stand-in for ansible.windows' win_template action plugin (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a template on the controller as ansible.windows 3.x win_template does (CRLF newlines by default,
``ansible_managed`` and the other template variables, trim_blocks on), then hand the file to the
(stand-in) ``ansible.windows.win_copy`` action, which writes it to the emulated host. The same steps as the
real action plugin, shortened; it works on ansible-core 2.16 (AnsibleEnvironment) and 2.19+ (data tagging)."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.plugins.action import ActionBase

try:  # ansible-core 2.19+
    from ansible._internal._templating._template_vars import generate_ansible_template_vars
    from ansible.template import trust_as_template

    AnsibleEnvironment = None
    DATA_TAGGING = True
except ImportError:  # ansible-core 2.16-2.18
    from ansible.template import AnsibleEnvironment, generate_ansible_template_vars  # type: ignore[attr-defined]

    DATA_TAGGING = False

TEMPLATE_ONLY = ("newline_sequence", "block_start_string", "block_end_string", "variable_start_string",
                 "variable_end_string", "comment_start_string", "comment_end_string", "trim_blocks", "lstrip_blocks",
                 "output_encoding")
NEWLINES = {"\\n": "\n", "\\r": "\r", "\\r\\n": "\r\n", "\n": "\n", "\r": "\r", "\r\n": "\r\n"}


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = self._task.args
        source, dest = args.get("src"), args.get("dest")
        newline = NEWLINES.get(str(args.get("newline_sequence", "\r\n")))
        try:
            if args.get("state") is not None:
                raise AnsibleActionFail("'state' cannot be specified on a template")
            if source is None or dest is None:
                raise AnsibleActionFail("src and dest are required")
            if newline is None:
                raise AnsibleActionFail("newline_sequence needs to be one of: \n, \r or \r\n")
            try:
                source = self._find_needle("templates", source)
            except AnsibleError as exc:
                raise AnsibleActionFail(str(exc)) from exc
            rendered = self._render(source, str(dest), newline, task_vars)
            local_dir = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
            try:
                rendered_file = os.path.join(local_dir, os.path.basename(source))
                with open(rendered_file, "wb") as handle:
                    handle.write(rendered.encode(str(args.get("output_encoding") or "utf-8")))
                new_task = self._task.copy()
                for option in TEMPLATE_ONLY:
                    new_task.args.pop(option, None)
                new_task.args.update(src=rendered_file, dest=dest)
                copy = self._shared_loader_obj.action_loader.get(
                    "ansible.windows.win_copy", task=new_task, connection=self._connection,
                    play_context=self._play_context, loader=self._loader, templar=self._templar,
                    shared_loader_obj=self._shared_loader_obj)
                result.update(copy.run(task_vars=task_vars))
            finally:
                shutil.rmtree(local_dir)
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
        return result

    def _render(self, source: str, dest: str, newline: str, task_vars: dict[str, Any]) -> str:
        args = self._task.args
        search = [*task_vars.get("ansible_search_path", []), self._loader._basedir, os.path.dirname(source)]
        searchpath = [p for base in search for p in (os.path.join(base, "templates"), base)]
        variables = dict(task_vars)
        extra = {"include_ansible_managed": "ansible_managed" not in task_vars} if DATA_TAGGING else {}
        variables.update(generate_ansible_template_vars(args.get("src"), fullpath=source, dest_path=dest, **extra))
        overrides = {"trim_blocks": bool(args.get("trim_blocks", True)),
                     "lstrip_blocks": bool(args.get("lstrip_blocks", False))}
        for key in ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                    "comment_start_string", "comment_end_string"):
            if args.get(key):
                overrides[key] = args[key]
        if DATA_TAGGING:
            templar = self._templar.copy_with_new_env(searchpath=searchpath, available_variables=variables)
            data = trust_as_template(self._loader.get_text_file_contents(source))
            rendered = templar.template(data, preserve_trailing_newlines=True, escape_backslashes=False,
                                        overrides={**overrides, "newline_sequence": newline})
        else:
            with open(source, encoding="utf-8") as handle:
                data = handle.read()
            templar = self._templar.copy_with_new_env(environment_class=AnsibleEnvironment, searchpath=searchpath,
                                                      newline_sequence=newline, available_variables=variables)
            rendered = templar.do_template(data, preserve_trailing_newlines=True, escape_backslashes=False,
                                           overrides=overrides)
        return "" if rendered is None else str(rendered)
