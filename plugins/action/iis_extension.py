"""Action plugin of winflask.iis.iis_extension: URL Rewrite 2.1 and ARR 3.0 from their MSIs."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils import host_info, iis_extension
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError
from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction
from ansible_collections.winflask.iis.plugins.plugin_utils.diff import yaml_diff


def _installed(extensions: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: "present" if info["installed"] else "absent" for name, info in extensions.items()}


class ActionModule(WinflaskAction):
    MODULE = iis_extension.SPEC

    def manage(self, args: dict[str, Any]) -> dict[str, Any]:
        names = iis_extension.validate(args)  # before any call: bad input never reaches the host
        state = args["state"]
        self.reads += 1
        facts = self.host_facts()
        todo = iis_extension.plan(facts, names, state, self.check_mode)
        before = iis_extension.status(facts)
        result: dict[str, Any] = {"changed": bool(todo), "reboot_required": False,
                                  "installed" if state == "present" else "removed": todo}
        if not todo:
            result["extensions"] = before
            return result
        if self.check_mode:  # no download, no installer: say what would happen
            result["extensions"] = iis_extension.predicted(facts, todo, state)
            if state == "present" and not host_info.iis_installed(facts):
                result["warnings"] = [iis_extension.no_iis_message(facts, todo) + " (check mode: assuming an "
                                      "earlier task of this run installs it)"]
        else:
            done: list[str] = []
            for name in todo:  # one win_package call per MSI, URL Rewrite before ARR
                module_args = iis_extension.package_args(name, state, args)
                self.writes += 1
                answer = self._execute_module(module_name=iis_extension.WIN_PACKAGE, module_args=module_args,
                                              task_vars=self._task_vars)
                if answer.get("failed"):  # an MSI is all or nothing; say which ones went through before
                    key = "installed" if state == "present" else "removed"
                    return {"failed": True, "changed": bool(done), key: done,
                            "msg": iis_extension.package_failure_message(name, state, module_args.get("path"),
                                                                         answer)}
                done.append(name)
                result["reboot_required"] = result["reboot_required"] or bool(answer.get("reboot_required"))
            self.reads += 1
            after_facts = self.host_facts()  # the installers must have (un)registered the sections
            for name in todo:
                if host_info.extension_installed(after_facts, name) != (state == "present"):
                    product_id = args.get("product_id") or iis_extension.EXTENSIONS[name].product_id
                    if state == "present":
                        raise ModuleError(iis_extension.not_registered_message(name, after_facts, product_id))
                    raise ModuleError(f"{iis_extension.EXTENSIONS[name].title} was removed but its sections are "
                                      f"still registered in applicationHost.config")
            result["extensions"] = iis_extension.status(after_facts)
            result["sections"] = list(after_facts.get("sections") or [])
        result["diff"] = yaml_diff(_installed(before), _installed(result["extensions"]), "IIS extensions")
        return result
