"""config_apply: set / reset / add / remove / clear over the in-memory trees, all or nothing.

Like one Microsoft.Web.Administration ServerManager with one CommitChanges(): every operation is
checked and applied in memory first; only when all succeed is each touched file written once, after
the fingerprint check and a backup copy (docs/architecture.md 3.4).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from ..errors import LOCKED_HRESULT, LOCKED_MESSAGE, HostError
from ..host import Host
from ..paths import BACKUP_DIR, join, split
from . import values
from .address import APPHOST, Address
from .delegation import op_override_mode
from .merge import LayerElements, Node, build, drop_item, duplicate_error, find_item, insert_item, key_index, key_of
from .schema import ElementSchema
from .session import Session
from .xmlfiles import ConfigFiles, parent_map

Op = dict[str, Any]

DEFAULT_BACKUP_KEEP = 20
STAMP = re.compile(r"\d{8}-\d{6}-\d{3}(-\d+)?")
# What config_apply.ps1 gives %ProgramData%\winflask\backup: the two principals that hold the IIS
# config folder (SYSTEM and Administrators, full control, inherited by everything below), with
# inheritance from %ProgramData% (where Users may read) broken. docs/powershell.md "Backups".
BACKUP_ACL: dict[str, Any] = {
    "protected": True,
    "access": [
        {"sid": "S-1-5-18", "identity": "NT AUTHORITY\\SYSTEM", "rights": "FullControl",
         "inheritance": "ContainerInherit, ObjectInherit", "type": "Allow"},
        {"sid": "S-1-5-32-544", "identity": "BUILTIN\\Administrators", "rights": "FullControl",
         "inheritance": "ContainerInherit, ObjectInherit", "type": "Allow"},
    ],
}


def _unknown_attribute(name: str, element: str) -> HostError:
    return HostError("UnknownAttribute", f"Unrecognized attribute '{name}'. Note that attribute names are "
                     "case-sensitive.", attribute=name, element=element)


def _walk(address: Address, path: list[Any], create: bool) -> tuple[Node, ET.Element | None]:
    """Follow ``path`` in the effective view and in the local XML (created on the way when ``create``)."""
    trail = _trail(address, path, create)
    return trail[-1]


def _trail(address: Address, path: list[Any], create: bool) -> list[tuple[Node, ET.Element | None]]:
    """``_walk`` with every (node, local XML) pair on the way, the section element first."""
    node = address.view()
    xml = address.local_section(create)  # through configSource
    if not isinstance(path, list):
        raise HostError("InvalidValue", f"path must be a list, not {path!r}")
    trail = [(node, xml)]
    for step in path:
        if isinstance(step, str):
            if step not in node.children:
                raise HostError("UnknownElement", f"Unrecognized element '{step}'", element=step)
            node = node.children[step]
            if xml is not None:
                sub = xml.find(step)
                if sub is None and create:
                    sub = ET.SubElement(xml, step)
                xml = sub
        elif isinstance(step, dict) and isinstance(step.get("item"), dict):
            item = find_item(node, step["item"])
            if item is None:
                raise HostError("ItemNotFound", f"The collection entry {step['item']} does not exist in "
                                f"'{node.name}'", key=step["item"])
            if not item.local:
                raise HostError("ItemNotFound", f"The collection entry {step['item']} is inherited from a parent "
                                "level; it cannot be changed at this path", key=step["item"], inherited=True)
            node, xml = item, item.xml
        else:
            raise HostError("InvalidValue", f"Invalid path step {step!r}")
        trail.append((node, xml))
    return trail


def _parent(address: Address, elem: ET.Element, item: Node | None = None) -> ET.Element:
    if item is not None and item.parent_xml is not None and item.xml is elem:
        return item.parent_xml  # known from the merge: no walk over the whole file
    root = address.write_file().root
    assert root is not None
    return parent_map(root)[elem]


def op_set(address: Address, op: Op) -> None:
    attributes = op.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise HostError("InvalidValue", "set needs attributes as a mapping of name to value")
    node, xml = _walk(address, op.get("path") or [], create=True)
    assert xml is not None
    for name, value in attributes.items():
        attr = node.schema.attributes.get(name)
        if attr is None:
            raise _unknown_attribute(name, node.name)
        xml.set(name, values.to_xml(attr, value))


def op_reset(address: Address, op: Op) -> None:
    names = op.get("attributes") or []
    if not isinstance(names, list):
        raise HostError("InvalidValue", "reset needs attributes as a list of names")
    path = op.get("path") or []
    node, xml = _walk(address, path, create=False)
    for name in names:
        if name not in node.schema.attributes:
            raise _unknown_attribute(name, node.name)
    if xml is None:
        return
    for name in names:
        xml.attrib.pop(name, None)
    if path and isinstance(path[-1], str) and not xml.attrib and not len(xml):
        _parent(address, xml).remove(xml)  # IIS does not keep an element with nothing in it


def build_element(schema: ElementSchema, tag: str, spec: dict[str, Any], item: bool) -> ET.Element:
    if not isinstance(spec, dict):
        raise HostError("InvalidValue", f"Element spec for '{tag}' must be a mapping")
    elem = ET.Element(tag)
    for name, value in (spec.get("attributes") or {}).items():
        attr = schema.attributes.get(name)
        if attr is None:
            raise _unknown_attribute(name, tag)
        if value is not None:
            elem.set(name, values.to_xml(attr, value))
    if item:
        for attr in schema.attributes.values():
            if attr.required and attr.name not in elem.attrib:
                raise HostError("InvalidValue", f"Missing required attribute '{attr.name}'", attribute=attr.name,
                                element=tag)
    children = spec.get("children") or {}
    for child_name in children:
        if child_name not in schema.children:
            raise HostError("UnknownElement", f"Unrecognized element '{child_name}'", element=child_name)
    for child_name in (n for n in schema.children if n in children):  # IIS writes them in schema order
        child = build_element(schema.children[child_name], child_name, children[child_name] or {}, item=False)
        if child.attrib or len(child):
            elem.append(child)
    items = spec.get("items") or []
    if items:
        coll = schema.collection
        if coll is None:
            raise HostError("UnknownElement", f"Element '{tag}' has no collection", element=tag)
        for item_spec in items:
            item_tag = (item_spec or {}).get("name") or coll.add_names[0]
            if item_tag not in coll.add_names:
                raise HostError("UnknownElement", f"Unrecognized element '{item_tag}'", element=item_tag)
            elem.append(build_element(coll.item, item_tag, item_spec, item=True))
    return elem


def _collection_node(node: Node) -> Node:
    if node.schema.collection is None or node.items is None:
        raise HostError("UnknownElement", f"Element '{node.name}' has no collection", element=node.name)
    return node


def op_add(address: Address, op: Op) -> bool:
    trail = _trail(address, op.get("path") or [], create=True)
    node, xml = trail[-1]
    node = _collection_node(node)
    coll = node.schema.collection
    assert coll is not None and node.items is not None and xml is not None
    spec = op.get("element") or {}
    tag = spec.get("name") or coll.add_names[0] if isinstance(spec, dict) else coll.add_names[0]
    if tag not in coll.add_names:
        raise HostError("UnknownElement", f"Unrecognized element '{tag}'", element=tag)
    new = build_element(coll.item, tag, spec, item=True)
    new_item = build(coll.item, tag, [LayerElements([new], True, address.target_file)])
    key = key_of(coll, new_item.values)
    if key is not None and key_index(node).get(key):
        raise duplicate_error(coll, tag, new_item.values, address.target_file)
    index = op.get("index")
    if index is None or index == len(node.items):
        xml.append(new)
        # Last element of the level: last of the effective list (mergeAppend="false" puts it elsewhere).
        return coll.merge_append and _added(address, trail, new_item, new, xml, len(node.items))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(node.items):
        raise HostError("InvalidValue", f"index {index!r} is outside the collection (0..{len(node.items)})")
    before = node.items[index]
    if not before.local or before.xml is None:
        raise HostError("InvalidValue", f"index {index} is an item inherited from a parent level; "
                        "new items can only go among this level's items", index=index)
    parent = _parent(address, before.xml, before)
    parent.insert(list(parent).index(before.xml), new)
    # Right before ``before`` in the merge too, unless a <remove> of this level could drop it again.
    if coll.remove_name and any(child.tag == coll.remove_name for child in parent):
        return False
    return _added(address, trail, new_item, new, parent, index)


def _added(address: Address, trail: list[tuple[Node, ET.Element | None]], item: Node, elem: ET.Element,
           parent: ET.Element, position: int) -> bool:
    """Put an added item into the cached view, when that is certainly what a new merge would give: the
    collection's elements at this level are the one ``parent`` and every element on the path is the
    only one of its kind at this level (or was just created). False: the caller drops the view."""
    for node, xml in trail:
        if xml is None or (node.local_xml and (len(node.local_xml) != 1 or node.local_xml[0] is not xml)):
            return False
    if trail[-1][1] is not parent:
        return False
    for node, xml in trail:
        if not node.local_xml:  # just created at this level: now stored here
            assert xml is not None
            node.local_xml, node.local = [xml], True
    item.xml, item.file, item.parent_xml = elem, address.target_file, parent
    insert_item(trail[-1][0], position, item)
    return True


def op_remove(address: Address, op: Op) -> bool:
    path = op.get("path") or []
    node, _xml = _walk(address, path, create=False)
    node = _collection_node(node)
    coll = node.schema.collection
    assert coll is not None
    key = op.get("key")
    if not isinstance(key, dict) or not key:
        raise HostError("InvalidValue", "remove needs key: a mapping of key attribute to value")
    item = find_item(node, key)
    if item is None:
        raise HostError("ItemNotFound", f"Cannot find the collection entry {key} in '{node.name}'", key=key)
    if item.local and item.xml is not None:
        _parent(address, item.xml, item).remove(item.xml)
        drop_item(node, item)  # a merge without this add element gives the same list without the item
        return True
    if not coll.remove_name or not coll.key_names():
        raise HostError("InvalidValue", f"'{node.name}' has no remove element: the inherited entry {key} "
                        "cannot be removed at this path", key=key)
    _walked, xml = _walk(address, path, create=True)
    assert xml is not None
    attrs = {n: values.to_xml(coll.item.attributes[n], item.value(n)) for n in coll.key_names()
             if item.value(n) is not None}
    xml.insert(0, ET.Element(coll.remove_name, attrs))
    return False


def op_clear(address: Address, op: Op) -> None:
    node, xml = _walk(address, op.get("path") or [], create=True)
    node = _collection_node(node)
    coll = node.schema.collection
    assert coll is not None and node.items is not None and xml is not None
    names = set(coll.add_names) | {n for n in (coll.remove_name, coll.clear_name) if n}
    for child in list(xml):
        if child.tag in names:
            xml.remove(child)
    if any(not i.local for i in node.items):
        if not coll.clear_name:
            raise HostError("InvalidValue", f"'{node.name}' has no clear element: inherited entries cannot be "
                            "cleared at this path")
        xml.insert(0, ET.Element(coll.clear_name))


# An operation returns True when it brought the address's cached view up to date itself (session.py).
OPERATIONS: dict[str, Callable[[Address, Op], bool | None]] = {
    "set": op_set, "reset": op_reset, "add": op_add, "remove": op_remove, "clear": op_clear,
    "override_mode": op_override_mode,  # feature delegation (delegation.py)
}


def _check_required(node: Node) -> None:
    for child in node.children.values():
        _check_required(child)
    for item in node.items or []:
        for name, attr in item.schema.attributes.items():
            if attr.required and item.value(name) is None:
                raise HostError("InvalidValue", f"Missing required attribute '{name}'", attribute=name,
                                element=item.name)
        _check_required(item)


def check_fingerprint(host: Host, fingerprint: dict[str, Any], **details: Any) -> None:
    if not isinstance(fingerprint, dict):
        raise HostError("InvalidValue", "fingerprint must be a mapping of file to sha256")
    for path, expected in fingerprint.items():
        actual = host.sha256(path)
        if actual != expected:
            raise HostError("FingerprintMismatch", f"The configuration file '{path}' changed since it was read",
                            file=path, expected=expected, actual=actual, **details)


def moved_files(host: Host, fingerprint: dict[str, Any]) -> list[str]:
    """The files of the read whose content is no longer what the read saw."""
    return [path for path, expected in fingerprint.items() if host.sha256(path) != expected]


def backup_keep(request: dict[str, Any]) -> int:
    """How many backup folders to keep (request "backup_keep", default 20; 0 keeps every one)."""
    keep = request.get("backup_keep", DEFAULT_BACKUP_KEEP)
    if keep is None:
        return DEFAULT_BACKUP_KEEP
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
        raise HostError("InvalidValue", f"backup_keep must be a whole number >= 0, got {keep!r}",
                        backup_keep=keep)
    return keep


def backup_folder(host: Host) -> str:
    """A new stamp folder under BACKUP_DIR; BACKUP_DIR gets the config folder's ACL first."""
    def set_acl(state: dict[str, Any]) -> None:
        state.setdefault("acls", {})[BACKUP_DIR] = BACKUP_ACL

    host.local_path(BACKUP_DIR).mkdir(parents=True, exist_ok=True)
    if host.load_state().get("acls", {}).get(BACKUP_DIR) != BACKUP_ACL:
        host.update_state(set_acl)
    now = dt.datetime.now()
    stamp = now.strftime("%Y%m%d-%H%M%S-") + f"{now.microsecond // 1000:03d}"
    folder, suffix = join(BACKUP_DIR, stamp), 1
    while host.exists(folder):
        folder, suffix = join(BACKUP_DIR, f"{stamp}-{suffix}"), suffix + 1
    return folder


def prune_backups(host: Host, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` stamp folders (0 keeps all); returns the deleted folders."""
    base = host.local_path(BACKUP_DIR)
    if keep == 0 or not base.is_dir():
        return []
    stamps = sorted((entry for entry in base.iterdir() if entry.is_dir() and STAMP.fullmatch(entry.name)),
                    key=lambda entry: _stamp_order(entry.name))
    pruned = stamps[:-keep] if len(stamps) > keep else []
    for entry in pruned:
        shutil.rmtree(entry)
    return [join(BACKUP_DIR, entry.name) for entry in pruned]


def _stamp_order(name: str) -> tuple[str, int]:
    stamp, suffix = name[:19], name[20:]
    return stamp, int(suffix) if suffix else 0


def apply(host: Host, request: dict[str, Any], check_mode: bool = False) -> dict[str, Any]:
    # The host's writer lock from the first load of a file through the last save: two applies never
    # interleave, so the fingerprint check below cannot pass for both of two racing writers.
    with host.lock():
        return _apply(host, request, check_mode)


def _apply(host: Host, request: dict[str, Any], check_mode: bool) -> dict[str, Any]:
    files = ConfigFiles(host)
    files.apphost()
    fingerprint = request.get("fingerprint") or {}
    check_fingerprint(host, fingerprint)  # early: a stale request makes no backup
    keep = backup_keep(request)
    operations = request.get("operations") or []
    if not isinstance(operations, list):
        raise HostError("InvalidValue", "operations must be a list")
    session = Session(files)
    touched: list[Address] = []
    for index, op in enumerate(operations):
        try:
            if not isinstance(op, dict) or op.get("op") not in OPERATIONS:
                raise HostError("InvalidValue", f"unknown operation {op!r} (one of {', '.join(OPERATIONS)})")
            address = session.resolve(op.get("section", ""), op.get("pspath") or APPHOST, op.get("location") or "")
            reason = address.lock_reason()
            if reason:
                raise HostError("SectionLocked", LOCKED_MESSAGE, section=address.section, pspath=address.pspath,
                                location=address.location, reason=reason, hresult=LOCKED_HRESULT)
            updated = OPERATIONS[op["op"]](address, op)
            address.write_file().touched = True
            touched.append(address)
            session.operation_done(address, bool(updated))
        except HostError as exc:
            exc.details.setdefault("operation", index)
            raise
    checked: set[int] = set()
    for address in touched:  # each address once: its view is the merge of the final XML
        if id(address) not in checked:
            checked.add(id(address))
            _check_required(address.view())
    # Like powershell/config_apply.ps1: "changed" means an operation touched a file; each touched file that
    # exists is backed up and saved once.
    changed = files.touched_files()
    backups: list[str] = []
    if changed and not check_mode:
        if request.get("backup", True):
            folder = backup_folder(host)
            copies = [(join(folder, *_drive_parts(f.win_path)), f.original) for f in changed
                      if f.original is not None]
            host.write_files([(target, data) for target, data in copies if data is not None])
            backups = [target for target, _data in copies]
            prune_backups(host, keep)
        # Immediately before the commit, as config_apply.ps1 does before CommitChanges().
        check_fingerprint(host, fingerprint, backups=backups)
        try:
            files.save(changed)
        except OSError as exc:
            # Like config_apply.ps1: a commit that failed part-way may have written some files; say which
            # ones now differ from the read, so the module does not claim that nothing was written.
            raise HostError("ConfigFileError", f"Cannot commit configuration changes: {exc}",
                            backups=backups, moved=moved_files(host, fingerprint)) from exc
    return {"changed": bool(changed), "backups": backups}


def _drive_parts(win_path: str) -> list[str]:
    drive, parts = split(win_path)
    return [drive, *parts]
