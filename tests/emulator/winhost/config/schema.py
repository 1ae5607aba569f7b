"""IIS schema files (``inetsrv/config/schema/*.xml``) parsed into a small model.

IIS reads every file in the schema folder at start; a section exists for the config system when it
has both a ``<sectionSchema>`` here and a ``<section>`` declaration in applicationHost.config.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HostError


def _bool(text: str | None) -> bool:
    return (text or "").strip().lower() == "true"


@dataclass
class AttributeSchema:
    name: str
    type: str = "string"
    default: str | None = None
    required: bool = False
    unique_key: bool = False
    combined_key: bool = False
    case_sensitive: bool = False
    encrypted: bool = False
    validation_type: str | None = None
    validation_parameter: str | None = None
    choices: list[tuple[str, int]] = field(default_factory=list)  # enum / flag names and values


@dataclass
class CollectionSchema:
    add_names: list[str]
    remove_name: str | None
    clear_name: str | None
    item: ElementSchema
    merge_append: bool = True
    allow_duplicates: bool = False
    _keys: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def key_names(self) -> list[str]:
        """Unique key attributes, else combined key attributes, else none (duplicates allowed)."""
        return list(self.key_tuple())

    def key_tuple(self) -> tuple[str, ...]:
        """``key_names()`` worked out once (schemas do not change once loaded)."""
        if self._keys is None:
            unique = [a.name for a in self.item.attributes.values() if a.unique_key]
            self._keys = tuple(unique or [a.name for a in self.item.attributes.values() if a.combined_key])
        return self._keys

    def key_kind(self) -> str:
        return "unique" if any(a.unique_key for a in self.item.attributes.values()) else "combined"


@dataclass
class ElementSchema:
    name: str
    attributes: dict[str, AttributeSchema] = field(default_factory=dict)
    children: dict[str, ElementSchema] = field(default_factory=dict)
    collection: CollectionSchema | None = None


def _parse_attribute(node: ET.Element) -> AttributeSchema:
    attr = AttributeSchema(
        name=node.get("name", ""),
        type=node.get("type", "string"),
        default=node.get("defaultValue"),
        required=_bool(node.get("required")),
        unique_key=_bool(node.get("isUniqueKey")),
        combined_key=_bool(node.get("isCombinedKey")),
        case_sensitive=_bool(node.get("caseSensitive")),
        encrypted=_bool(node.get("encrypted")),
        validation_type=node.get("validationType"),
        validation_parameter=node.get("validationParameter"),
    )
    for choice in node:
        if choice.tag in ("enum", "flag"):
            attr.choices.append((choice.get("name", ""), int(choice.get("value", "0"), 0)))
    return attr


def _parse_element(node: ET.Element, name: str) -> ElementSchema:
    element = ElementSchema(name=name)
    for child in node:
        if child.tag == "attribute":
            attr = _parse_attribute(child)
            element.attributes[attr.name] = attr
        elif child.tag == "element":
            child_name = child.get("name", "")
            element.children[child_name] = _parse_element(child, child_name)
        elif child.tag == "collection":
            add_names = [n.strip() for n in child.get("addElement", "add").split(",") if n.strip()]
            element.collection = CollectionSchema(
                add_names=add_names,
                remove_name=child.get("removeElement"),
                clear_name=child.get("clearElement"),
                item=_parse_element(child, add_names[0]),
                merge_append=child.get("mergeAppend", "true").lower() != "false",
                allow_duplicates=_bool(child.get("allowDuplicates")),
            )
    return element


def load_schema_dir(folder: Path) -> dict[str, ElementSchema]:
    """Every ``<sectionSchema>`` of every ``*.xml`` file in the folder, by full section name."""
    sections: dict[str, ElementSchema] = {}
    if not folder.is_dir():
        return sections
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".xml":
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise HostError("ConfigFileError", f"schema file {path.name} is not valid XML: {exc}") from exc
        for node in root.iter("sectionSchema"):
            full = node.get("name", "")
            sections[full] = _parse_element(node, full.rsplit("/", 1)[-1])
    return sections
