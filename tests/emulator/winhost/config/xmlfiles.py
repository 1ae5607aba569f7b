"""Config files as XML trees: loading, section declarations, locating sections, saving.

All reads and writes of one script call go through one ``ConfigFiles`` so that an apply can change
the trees in memory, validate the result, and only then write each touched file once (MWA's single
``CommitChanges()``).
"""

from __future__ import annotations

import copy
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from ..errors import HostError
from ..host import Host
from ..paths import APPHOST_CONFIG, normalize

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
NEW_WEB_CONFIG = XML_DECLARATION + "<configuration>\n</configuration>\n"


def parse_xml(data: bytes, label: str) -> ET.Element:
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        raise HostError("ConfigFileError", f"Configuration file is not well-formed XML: {exc}", file=label) from exc


def serialize(root: ET.Element) -> bytes:
    clone = copy.deepcopy(root)
    ET.indent(clone, space="    ")
    return (XML_DECLARATION + ET.tostring(clone, encoding="unicode") + "\n").encode("utf-8")


def is_comment(elem: ET.Element) -> bool:
    return elem.tag is ET.Comment  # type: ignore[comparison-overlap]


class ConfigFile:
    def __init__(self, host: Host, win_path: str) -> None:
        self.win_path = win_path
        self.original = host.read_bytes(win_path)
        self.root: ET.Element | None = None
        if self.original is not None:
            self.root = parse_xml(self.original, win_path)
            if self.root.tag != "configuration":
                raise HostError("ConfigFileError", "Configuration file does not have a root <configuration> tag",
                                file=win_path)
        self.baseline = serialize(self.root) if self.root is not None else None
        self.touched = False

    def writable_root(self) -> ET.Element:
        """The <configuration> element, created in memory for a new web.config (IIS does that)."""
        if self.root is None:
            self.root = ET.Element("configuration")
        self.touched = True
        return self.root

    def changed(self) -> bool:
        """True when the content differs from the file on disk (touched or not)."""
        return self.root is not None and serialize(self.root) != self.baseline


class ConfigFiles:
    def __init__(self, host: Host) -> None:
        self.host = host
        self._files: dict[str, ConfigFile] = {}
        # (declarations, schemas) once per script call: configSections and the schema folder do not
        # change while one script runs (no operation can write them).
        self.registered: tuple[dict[str, SectionDecl], dict[str, Any]] | None = None

    def get(self, win_path: str) -> ConfigFile:
        key = normalize(win_path).lower()
        if key not in self._files:
            self._files[key] = ConfigFile(self.host, win_path)
        return self._files[key]

    def apphost(self) -> ConfigFile:
        if not self.host.iis_installed:
            raise HostError("IISNotInstalled", "IIS is not installed: "
                            f"{APPHOST_CONFIG} does not exist (install the Web-Server role first)")
        return self.get(APPHOST_CONFIG)

    def touched_files(self) -> list[ConfigFile]:
        """Files an operation wrote to: MWA's CommitChanges() saves them, whether or not a value moved."""
        return [f for f in self._files.values() if f.touched and f.root is not None]

    def save(self, config_files: list[ConfigFile]) -> None:
        """Write each file whole (temporary file + rename), all new contents staged before any rename."""
        self.host.write_files([(f.win_path, serialize(f.root)) for f in config_files if f.root is not None])

    def parsed_sha256(self, win_path: str) -> str | None:
        """SHA-256 of the bytes the file was parsed from (None: it did not exist when loaded)."""
        original = self.get(win_path).original
        return None if original is None else hashlib.sha256(original).hexdigest()


@dataclass
class SectionDecl:
    name: str
    override_mode_default: str = "Allow"
    allow_definition: str = "Everywhere"
    allow_location: bool = True


def declarations(apphost_root: ET.Element) -> dict[str, SectionDecl]:
    """Every ``<section>`` of ``<configSections>``, by full name (group/group/section)."""
    found: dict[str, SectionDecl] = {}

    def walk(node: ET.Element, prefix: str) -> None:
        for child in node:
            if child.tag == "sectionGroup":
                walk(child, prefix + child.get("name", "") + "/")
            elif child.tag == "section":
                name = prefix + child.get("name", "")
                found[name] = SectionDecl(
                    name=name,
                    override_mode_default=child.get("overrideModeDefault", "Allow"),
                    allow_definition=child.get("allowDefinition", "Everywhere"),
                    allow_location=child.get("allowLocation", "true").lower() != "false",
                )

    sections = apphost_root.find("configSections")
    if sections is not None:
        walk(sections, "")
    return found


def find_section(container: ET.Element, section: str) -> ET.Element | None:
    node: ET.Element | None = container
    for part in section.split("/"):
        assert node is not None
        node = node.find(part)
        if node is None:
            return None
    return node


def ensure_section(container: ET.Element, section: str) -> ET.Element:
    node = container
    for part in section.split("/"):
        child = node.find(part)
        if child is None:
            child = ET.SubElement(node, part)
        node = child
    return node


def location_path(elem: ET.Element) -> str:
    """A <location path> normalised: no slashes at the ends; "." and "" both mean the file's own level."""
    path = elem.get("path", "").strip().strip("/")
    return "" if path == "." else path


def locations(root: ET.Element) -> list[ET.Element]:
    return [child for child in root if child.tag == "location"]


def parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}
