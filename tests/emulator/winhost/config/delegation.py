"""Feature delegation (a section's overrideMode on a <location> of applicationHost.config) and the
schema details a config_read entry asks for with ``"details": true`` (docs/architecture.md 3.3, 3.4).

What IIS does, copied here:
- ``ConfigurationSection.OverrideMode`` (Microsoft.Web.Administration, enum ``OverrideMode``: Inherit, Allow,
  Deny) is stored as ``<location path="X" overrideMode="Allow">`` around the section in applicationHost.config;
  ``appcmd unlock config -section:S`` writes ``<location path="" overrideMode="Allow">`` for the whole server.
  A section keeps its settings when its override mode changes: it moves into the location tag of the new mode
  ("How to Use Locking in IIS Configuration", learn.microsoft.com/iis/get-started/planning-for-security/
  how-to-use-locking-in-iis-configuration: move the section "inside a <location overrideMode="Allow">").
- The effective mode of a path (``OverrideModeEffective``, WMI ``SectionInformation.EffectiveOverrideMode``):
  the section declaration's ``overrideModeDefault`` (Allow when absent), then every location tag holding the
  section from the server down to the path, the deepest explicit mode winning (``address.web_config_lock``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..errors import HostError
from .address import Address, is_ancestor_or_self, _segments
from .merge import Node
from .schema import AttributeSchema, ElementSchema
from .xmlfiles import ensure_section, find_section, location_path, locations, parent_map

MODES = ("Inherit", "Allow", "Deny")


def _mode_of(container: ET.Element) -> str:
    if container.get("overrideMode") in ("Allow", "Deny"):
        return container.get("overrideMode", "Inherit")
    legacy = container.get("allowOverride")
    if legacy is not None:
        return "Allow" if legacy.lower() == "true" else "Deny"
    return "Inherit"


def _tags(address: Address) -> list[ET.Element]:
    root = address.levels[0].file.root
    assert root is not None
    return [loc for loc in locations(root) if location_path(loc).lower() == address.config_path.lower()]


def override_mode(address: Address) -> str:
    """``OverrideMode`` of the section at an applicationHost.config address (Inherit when no tag sets one)."""
    for tag in _tags(address):
        if find_section(tag, address.section) is not None and _mode_of(tag) != "Inherit":
            return _mode_of(tag)
    return "Inherit"


def effective_mode(address: Address) -> str:
    """``OverrideModeEffective`` at the address's config path (the default, then location tags shallow first)."""
    mode = address.decl.override_mode_default or "Allow"
    root = address.levels[0].file.root
    assert root is not None
    tags = [loc for loc in locations(root) if is_ancestor_or_self(location_path(loc), address.config_path)]
    for loc in sorted(tags, key=lambda t: len(_segments(location_path(t)))):
        if find_section(loc, address.section) is not None and _mode_of(loc) != "Inherit":
            mode = _mode_of(loc)
    return mode


def op_override_mode(address: Address, op: dict[str, Any]) -> None:
    """Set the section's overrideMode at ``location`` (pspath MACHINE/WEBROOT/APPHOST only)."""
    mode = op.get("mode")
    if mode not in MODES:
        raise HostError("InvalidValue", f"overrideMode must be one of {', '.join(MODES)}, got {mode!r}",
                        mode=mode)
    if not address.in_apphost:
        raise HostError("InvalidValue", "overrideMode is set in applicationHost.config: use pspath "
                        "MACHINE/WEBROOT/APPHOST with a location", pspath=address.pspath)
    if override_mode(address) == mode:
        return
    apphost = address.levels[0].file
    root = apphost.writable_root()
    path = address.config_path
    old_container, old = None, None
    for tag in ([root] if not path else []) + _tags(address):
        found = find_section(tag, address.section)
        if found is not None:
            old_container, old = tag, found
            break
    target = _container(root, path, mode)
    new = ensure_section(target, address.section)
    if old is not None and old is not new:
        new.attrib.update(old.attrib)
        new.extend(list(old))
        _prune(root, old_container, old)


def _container(root: ET.Element, path: str, mode: str) -> ET.Element:
    """The location tag of ``path`` with ``mode`` (Inherit: none set; the root itself for the server)."""
    if mode == "Inherit" and not path:
        return root
    for tag in locations(root):
        if location_path(tag).lower() == path.lower() and _mode_of(tag) == mode:
            return tag
    attrs = {"path": path} if mode == "Inherit" else {"path": path, "overrideMode": mode}
    return ET.SubElement(root, "location", attrs)


def _prune(root: ET.Element, container: ET.Element | None, elem: ET.Element) -> None:
    """Remove the moved section element and the group elements and location tag it leaves empty."""
    parents = parent_map(root)
    node = elem
    while node is not container and node is not root:
        parent = parents[node]
        parent.remove(node)
        if len(parent):
            return
        node = parent
    if container is not None and container is not root:
        root.remove(container)  # an empty <location> is dropped (UNCONFIRMED that MWA does: docs/powershell.md)


def schema_json(schema: ElementSchema) -> dict[str, Any]:
    """The node's ``schema`` detail: attribute types (with enum/flags names) and the collection's key."""
    def attributes(element: ElementSchema) -> dict[str, Any]:
        return {name: attribute_json(attr) for name, attr in element.attributes.items()}

    coll = schema.collection
    collection = None if coll is None else {"add": list(coll.add_names), "keys": coll.key_names(),
                                            "attributes": attributes(coll.item)}
    return {"attributes": attributes(schema), "collection": collection}


def attribute_json(attr: AttributeSchema) -> dict[str, Any]:
    """One attribute's schema detail, as config_read.ps1 gives it from MWA's ConfigurationAttributeSchema
    (Type, GetEnumValues(), IsRequired, ValidationType, ValidationParameter)."""
    entry: dict[str, Any] = {"type": attr.type}
    if attr.choices:
        entry["choices"] = [c[0] for c in attr.choices]
    if attr.required:
        entry["required"] = True
    if attr.validation_type:
        entry.update(validation_type=attr.validation_type, validation_parameter=attr.validation_parameter or "")
    return entry


def with_details(node: Node, data: dict[str, Any]) -> dict[str, Any]:
    """``Node.to_json()`` output with a ``schema`` entry on the element and on each child element."""
    data["schema"] = schema_json(node.schema)
    for name, child in node.children.items():
        with_details(child, data["children"][name])
    return data
