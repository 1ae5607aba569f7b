"""Node JSON for URL Rewrite sections, shaped like config_read returns it (every attribute, is_default)."""

from __future__ import annotations

from typing import Any

from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model

from replay import FakeHost

APPHOST_FILE = "C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config"
SITE_FILE = "C:\\inetpub\\wwwroot\\web.config"
FINGERPRINT = {APPHOST_FILE: "ab" * 32, SITE_FILE: "cd" * 32}


def _attrs(values: dict[str, Any], attrs: dict[str, tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for opt, (attr, default) in attrs.items():
        value = values.get(opt, default)
        if opt == "filter_by_tags":
            out[attr] = {"value": ", ".join(value) if value else "None", "is_default": not value}
            continue
        if default is None and value is None:
            out[attr] = {"value": None, "is_default": True}
            continue
        out[attr] = {"value": value, "is_default": value == default}
    return out


def _node(name: str, attributes: dict[str, Any], items: list[dict[str, Any]] | None = None,
          children: dict[str, Any] | None = None, local: bool = True) -> dict[str, Any]:
    return {"name": name, "attributes": attributes, "children": children or {}, "items": items,
            "locally_stored": local}


def rule_node(rule: dict[str, Any], flavor: str = model.INBOUND, local: bool = True) -> dict[str, Any]:
    """A rule element node from a (partial) module-shaped rule, defaults filled like IIS does."""
    full = model.normalise_rule(rule, flavor)
    conditions_attrs = {
        "logicalGrouping": {"value": full["logical_grouping"], "is_default": full["logical_grouping"] == "MatchAll"},
        "trackAllCaptures": {"value": full["track_all_captures"],
                             "is_default": full["track_all_captures"] == (flavor == model.OUTBOUND)}}
    conditions = _node("conditions", conditions_attrs,
                       items=[_node("add", _attrs(c, model.CONDITION_ATTRS), local=local) for c in full["conditions"]],
                       local=local)
    children = {"match": _node("match", _attrs(full["match"], model.match_attrs(flavor)), local=local),
                "conditions": conditions,
                "action": _node("action", _attrs(full["action"], model.action_attrs(flavor)), local=local)}
    if flavor != model.OUTBOUND:
        children["serverVariables"] = _node("serverVariables", {}, local=local, items=[
            _node("set", _attrs(v, model.VARIABLE_ATTRS), local=local) for v in full["server_variables"]])
    return _node("rule", _attrs(full, model.rule_attrs(flavor)), children=children, local=local)


def section(section: str, pspath: str, location: str, file: str, element: dict[str, Any],
            locked: bool = False) -> dict[str, Any]:
    return {"section": section, "pspath": pspath, "location": location, "file": file, "locked": locked,
            "element": element}


def rules_section(rules: list[dict[str, Any]], flavor: str = model.INBOUND, site: str | None = "Default Web Site",
                  inherited: list[dict[str, Any]] = (), locked: bool = False,
                  preconditions: list[str] = ()) -> dict[str, Any]:
    items = [rule_node(r, flavor, local=False) for r in inherited] + [rule_node(r, flavor) for r in rules]
    children = {}
    if flavor == model.OUTBOUND:
        children["preConditions"] = _node("preConditions", {}, items=[
            _node("preCondition", {"name": {"value": p, "is_default": False}}) for p in preconditions])
    element = _node(flavor, {}, items=items, children=children)
    pspath = "MACHINE/WEBROOT/APPHOST" + (f"/{site}" if site else "")
    return section(model.SECTIONS[flavor], pspath, "", SITE_FILE if site else APPHOST_FILE, element, locked)


def allowed_section(names: list[str], location: str = "Default Web Site", inherited: list[str] = ()
                    ) -> dict[str, Any]:
    items = [_node("add", {"name": {"value": n, "is_default": False}}, local=False) for n in inherited]
    items += [_node("add", {"name": {"value": n, "is_default": False}}) for n in names]
    return section(model.ALLOWED_SECTION, "MACHINE/WEBROOT/APPHOST", location, APPHOST_FILE,
                   _node("allowedServerVariables", {}, items=items))


def read_reply(*sections: dict[str, Any]) -> dict[str, Any]:
    return FakeHost.ok({"fingerprint": FINGERPRINT, "sections": list(sections)})


def applied(backups: list[str] = ("C:\\ProgramData\\winflask\\backup\\x\\web.config",)) -> dict[str, Any]:
    return FakeHost.ok({"changed": True, "backups": list(backups)})


REVERSE_PROXY = {
    "name": "ReverseProxyInboundRule1",
    "stop_processing": True,
    "match": {"url": "(.*)"},
    "server_variables": [{"name": "HTTP_X_ORIGINAL_HOST", "value": "{HTTP_HOST}"}],
    "action": {"type": "Rewrite", "url": "http://localhost:50100/{R:1}"},
}
