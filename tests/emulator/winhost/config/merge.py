"""The effective view of a section: layers of XML merged the way the IIS config system merges them.

Attributes: the last layer that writes one wins, else the schema default (``is_default``).
Collections: each layer's ``<clear/>`` drops what came before, ``<remove key=.../>`` drops one item,
add elements append (``mergeAppend="false"`` puts a level's items before its parents'). Items are not
merged across levels: adding a key that an upper level already has is a config error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from ..errors import HostError
from . import values
from .schema import CollectionSchema, ElementSchema
from .xmlfiles import is_comment

# Attributes every config element may carry (locking and configSource), not part of any schema.
META_ATTRIBUTES = {"lockAttributes", "lockAllAttributesExcept", "lockElements", "lockAllElementsExcept",
                   "lockItem", "configSource", "xmlns"}


@dataclass
class LayerElements:
    """The XML elements that stand for one element at one level (several <location> tags can)."""
    elements: list[ET.Element]
    local: bool
    file: str


@dataclass
class Node:
    schema: ElementSchema
    name: str
    values: dict[str, tuple[Any, bool]] = field(default_factory=dict)  # name -> (value, is_default)
    children: dict[str, Node] = field(default_factory=dict)
    items: list[Node] | None = None
    local: bool = False
    xml: ET.Element | None = None  # an item's add element (items only)
    file: str | None = None
    # Bookkeeping for config_apply's cached views (apply.py), not part of the JSON:
    local_xml: list[ET.Element] = field(default_factory=list, repr=False, compare=False)  # this level's elements
    parent_xml: ET.Element | None = field(default=None, repr=False, compare=False)  # an item's collection element
    key_index: dict[tuple[Any, ...], list[Node]] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "attributes": {k: {"value": v, "is_default": d} for k, (v, d) in self.values.items()},
            "children": {k: c.to_json() for k, c in self.children.items()},
            "items": None if self.items is None else [i.to_json() for i in self.items],
            "locally_stored": self.local,
        }

    def value(self, name: str) -> Any:
        return self.values[name][0]


def config_error(message: str, file: str, code: str = "ConfigFileError", **details: Any) -> HostError:
    """An error in a config file. Codes as powershell/config_read.ps1 maps MWA's messages: "Unrecognized
    attribute/element" -> UnknownAttribute/UnknownElement, anything else (0x8007000D) -> ConfigFileError."""
    return HostError(code, message, file=file, hresult="0x8007000D", **details)


def _check_attributes(schema: ElementSchema, elem: ET.Element, file: str) -> None:
    for name in elem.attrib:
        if name not in schema.attributes and name not in META_ATTRIBUTES and not name.startswith("xmlns"):
            raise config_error(f"Unrecognized attribute '{name}'. Note that attribute names are case-sensitive.",
                               file, "UnknownAttribute", attribute=name, element=elem.tag)


def _check_children(schema: ElementSchema, elem: ET.Element, file: str) -> None:
    coll = schema.collection
    allowed = set(schema.children)
    if coll is not None:
        allowed.update(coll.add_names)
        allowed.update(n for n in (coll.remove_name, coll.clear_name) if n)
    for child in elem:
        if not is_comment(child) and child.tag not in allowed:
            raise config_error(f"Unrecognized element '{child.tag}'", file, "UnknownElement", element=child.tag)


def key_of(coll: CollectionSchema, node_values: dict[str, tuple[Any, bool]]) -> tuple[Any, ...] | None:
    names = coll.key_tuple()
    if not names or coll.allow_duplicates:
        return None
    item = coll.item.attributes
    return tuple(values.key_form(item[n], node_values.get(n, (None, True))[0]) for n in names)


def duplicate_error(coll: CollectionSchema, tag: str, node_values: dict[str, tuple[Any, bool]],
                    file: str | None) -> HostError:
    names = coll.key_names()
    shown = [str(node_values.get(n, (None, True))[0]) for n in names]
    if coll.key_kind() == "unique" and len(names) == 1:
        message = (f"Cannot add duplicate collection entry of type '{tag}' with unique key attribute "
                   f"'{names[0]}' set to '{shown[0]}'")
    else:
        message = (f"Cannot add duplicate collection entry of type '{tag}' with combined key attributes "
                   f"'{', '.join(names)}' respectively set to '{', '.join(shown)}'")
    return HostError("DuplicateKey", message, file=file, key=dict(zip(names, shown, strict=True)))


def _attribute_values(schema: ElementSchema, layers: list[LayerElements]) -> dict[str, tuple[Any, bool]]:
    result: dict[str, tuple[Any, bool]] = {}
    for name, attr in schema.attributes.items():
        found: tuple[Any, bool] | None = None
        for layer in layers:
            for elem in layer.elements:
                text = elem.get(name)
                if text is not None:
                    try:
                        found = (values.from_file(attr, text), False)
                    except ValueError as exc:
                        raise config_error(f"The value of attribute '{name}' is invalid: {exc}", layer.file,
                                           attribute=name) from None
        result[name] = found if found is not None else (values.default_value(attr), True)
    return result


def build(schema: ElementSchema, name: str, layers: list[LayerElements]) -> Node:
    """Merge one element over its layers (parent level first)."""
    for layer in layers:
        for elem in layer.elements:
            _check_attributes(schema, elem, layer.file)
            _check_children(schema, elem, layer.file)
    node = Node(schema=schema, name=name, local=any(lay.local and lay.elements for lay in layers))
    node.local_xml = [e for lay in layers if lay.local for e in lay.elements]
    node.values = _attribute_values(schema, layers)
    for child_name, child_schema in schema.children.items():
        child_layers = [LayerElements([c for e in lay.elements for c in e.findall(child_name)], lay.local, lay.file)
                        for lay in layers]
        node.children[child_name] = build(child_schema, child_name, child_layers)
    if schema.collection is not None:
        node.items = _collection(schema.collection, layers)
    return node


def _item(coll: CollectionSchema, elem: ET.Element, layer: LayerElements, parent: ET.Element) -> Node:
    item = build(coll.item, elem.tag, [LayerElements([elem], layer.local, layer.file)])
    item.xml = elem
    item.file = layer.file
    item.parent_xml = parent
    return item


def _collection(coll: CollectionSchema, layers: list[LayerElements]) -> list[Node]:
    items: list[Node] = []
    present: set[tuple[Any, ...]] = set()  # keys of items + level: the duplicate check is a set lookup
    for layer in layers:
        level: list[Node] = []
        for parent in layer.elements:
            for elem in parent:
                if is_comment(elem):
                    continue
                if coll.clear_name and elem.tag == coll.clear_name:
                    items, level = [], []
                    present = set()
                elif coll.remove_name and elem.tag == coll.remove_name:
                    _check_attributes(coll.item, elem, layer.file)
                    key = key_of(coll, _attribute_values(coll.item, [LayerElements([elem], layer.local, layer.file)]))
                    items = [i for i in items if key_of(coll, i.values) != key]
                    level = [i for i in level if key_of(coll, i.values) != key]
                    if key is not None:
                        present.discard(key)
                elif elem.tag in coll.add_names:
                    item = _item(coll, elem, layer, parent)
                    key = key_of(coll, item.values)
                    if key is not None:
                        if key in present:
                            raise duplicate_error(coll, elem.tag, item.values, layer.file)
                        present.add(key)
                    level.append(item)
        items = items + level if coll.merge_append else level + items
    return items


def key_index(node: Node) -> dict[tuple[Any, ...], list[Node]]:
    """The node's items by key (built once per node, then kept up to date by insert_item/drop_item)."""
    coll = node.schema.collection
    assert coll is not None and node.items is not None
    if node.key_index is None:
        index: dict[tuple[Any, ...], list[Node]] = {}
        for item in node.items:
            key = key_of(coll, item.values)
            if key is not None:
                index.setdefault(key, []).append(item)
        node.key_index = index
    return node.key_index


def insert_item(node: Node, position: int, item: Node) -> None:
    """Put an item into a node's effective list (an incremental update of a cached view)."""
    assert node.items is not None and node.schema.collection is not None
    node.items.insert(position, item)
    key = key_of(node.schema.collection, item.values)
    if node.key_index is not None and key is not None:
        node.key_index.setdefault(key, []).append(item)


def drop_item(node: Node, item: Node) -> None:
    """Take an item (this very object) out of a node's effective list."""
    assert node.items is not None and node.schema.collection is not None
    del node.items[next(n for n, i in enumerate(node.items) if i is item)]
    key = key_of(node.schema.collection, item.values)
    if node.key_index is not None and key is not None:
        same = node.key_index.get(key, [])
        same[:] = [i for i in same if i is not item]


def find_item(node: Node, key: dict[str, Any]) -> Node | None:
    """The effective item whose attributes match every ``key`` entry (typed, key comparison rules)."""
    coll = node.schema.collection
    if coll is None or node.items is None:
        raise HostError("UnknownElement", f"Element '{node.name}' has no collection", element=node.name)
    wanted = {}
    for name, raw in key.items():
        attr = coll.item.attributes.get(name)
        if attr is None:
            raise HostError("UnknownAttribute", f"Unrecognized attribute '{name}'", attribute=name)
        wanted[name] = values.key_form(attr, values.from_xml(attr, values.to_xml(attr, raw)))
    names = coll.key_tuple()
    if names and not coll.allow_duplicates and set(wanted) == set(names):
        found = key_index(node).get(tuple(wanted[n] for n in names), [])
        if len(found) <= 1:  # one item (or none) has this key: no need to scan in order
            return found[0] if found else None
    for item in node.items:
        if all(values.key_form(coll.item.attributes[n], item.value(n)) == v for n, v in wanted.items()):
            return item
    return None
