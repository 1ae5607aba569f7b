"""Config files as XML trees: loading, section declarations, locating sections, saving.

All reads and writes of one script call go through one ``ConfigFiles`` so that an apply can change
the trees in memory, validate the result, and only then write each touched file once (MWA's single
``CommitChanges()``).
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from ..errors import HostError
from ..host import Host
from ..paths import APPHOST_CONFIG, join, normalize, split

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
CONFIG_SOURCE = "configSource"
# A file's BOM and the codec it stands for (UTF-8, UTF-16 little and big endian).
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARATION = re.compile(r"<\?xml\s[^>]*?\?>")
_ENCODING = re.compile(rb"""^<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_MISC = re.compile(r"(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.DOTALL)  # what may stand around the root element
_ROOT_END = re.compile(r"</configuration\s*>|<configuration\b[^>]*/>")


@dataclass(frozen=True)
class FileFormat:
    """How a config file is laid out on disk, kept when it is saved (docs/emulator.md "How files are read
    and saved"): its encoding, BOM, line ends, XML declaration and what stands before and after the root
    element (comments, blank lines). ``prolog``/``epilog`` use LF; ``newline`` is applied on save."""
    codec: str = "utf-8"
    bom: bytes = b""
    newline: str = "\r\n"
    declaration: str = XML_DECLARATION
    prolog: str = "\n"
    epilog: str = "\n"


NEW_FILE = FileFormat()  # a config file the config system creates: UTF-8, no BOM, CRLF, declaration


def config_file_error(message: str, label: str, **details: Any) -> HostError:
    return HostError("ConfigFileError", message, file=label, hresult="0x8007000D", **details)


def _codec(name: str, label: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise config_file_error(f"Cannot read configuration file {label}: it declares the encoding '{name}', "
                                "which is not supported", label, encoding=name) from None


def decode(data: bytes, label: str) -> tuple[str, FileFormat]:
    """The text of a config file and its layout: a BOM decides the encoding, else the XML declaration's
    ``encoding``, else UTF-8 (UTF-16 without a BOM is recognised by its first two bytes, as XML's
    appendix F describes)."""
    bom, codec = b"", ""
    for mark, name in BOMS:
        if data.startswith(mark):
            bom, codec = mark, name
            break
    body = data[len(bom):]
    declared = ""
    if not codec:
        if body.startswith(b"<\x00?\x00"):
            codec = "utf-16-le"
        elif body.startswith(b"\x00<\x00?"):
            codec = "utf-16-be"
        else:
            match = _ENCODING.match(body)
            declared = match.group(1).decode("ascii", "replace") if match else ""
            codec = _codec(declared, label) if declared else "utf-8"
            if codec in ("utf-16", "utf-32"):  # the byte order is not known without a BOM
                codec = "utf-16-le" if codec == "utf-16" else "utf-32-le"
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        shown = declared or codec
        raise config_file_error(f"Cannot read configuration file {label}: it is not valid {shown} text "
                                f"(byte {exc.start})", label, encoding=shown) from None
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    declaration = ""
    match = _DECLARATION.match(text)
    if match:
        declaration, text = match.group(0), text[match.end():]
    misc = _MISC.match(text)
    prolog = misc.group(0) if misc else ""
    epilog = ""
    ends = list(_ROOT_END.finditer(text))
    if ends:
        tail = text[ends[-1].end():]
        if _MISC.fullmatch(tail):
            epilog = tail
    return text, FileFormat(codec=codec, bom=bom, newline=newline, declaration=declaration, prolog=prolog,
                            epilog=epilog)


def parse_xml(data: bytes | str, label: str) -> ET.Element:
    text = data if isinstance(data, str) else decode(data, label)[0]
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    try:
        parser.feed(text)
        return parser.close()
    except ET.ParseError as exc:
        raise config_file_error(f"Configuration file is not well-formed XML: {exc}", label) from exc


def serialize(root: ET.Element, layout: FileFormat = NEW_FILE) -> bytes:
    """The file's bytes: the root element (indented) inside the file's own declaration, comments and line
    ends, in its encoding and with its BOM; characters the encoding lacks become character references."""
    clone = copy.deepcopy(root)
    ET.indent(clone, space="    ")
    text = layout.declaration + layout.prolog + ET.tostring(clone, encoding="unicode") + layout.epilog
    if layout.newline != "\n":
        text = text.replace("\n", layout.newline)
    return layout.bom + text.encode(layout.codec, errors="xmlcharrefreplace")


def is_comment(elem: ET.Element) -> bool:
    return elem.tag is ET.Comment  # type: ignore[comparison-overlap]


class ConfigFile:
    def __init__(self, host: Host, win_path: str, root_tag: str = "configuration") -> None:
        self.win_path = win_path
        self.root_tag = root_tag
        self.original = host.read_bytes(win_path)
        self.root: ET.Element | None = None
        self.layout = NEW_FILE
        if self.original is not None:
            text, self.layout = decode(self.original, win_path)
            self.root = parse_xml(text, win_path)
            if self.root.tag != root_tag:
                raise config_file_error(f"Configuration file does not have a root <{root_tag}> tag", win_path)
        self.baseline = self.serialized()
        self.touched = False

    def serialized(self) -> bytes | None:
        return None if self.root is None else serialize(self.root, self.layout)

    def writable_root(self) -> ET.Element:
        """The <configuration> element, created in memory for a new web.config (IIS does that)."""
        if self.root is None:
            self.root = ET.Element(self.root_tag)
        self.touched = True
        return self.root

    def changed(self) -> bool:
        """True when the content differs from the file on disk (touched or not)."""
        return self.root is not None and self.serialized() != self.baseline


class ConfigFiles:
    def __init__(self, host: Host) -> None:
        self.host = host
        self._files: dict[str, ConfigFile] = {}
        # (declarations, schemas) once per script call: configSections and the schema folder do not
        # change while one script runs (no operation can write them).
        self.registered: tuple[dict[str, SectionDecl], dict[str, Any]] | None = None

    def get(self, win_path: str, root_tag: str = "configuration") -> ConfigFile:
        """The file, loaded once per script call (``root_tag``: the root element a new load expects)."""
        key = normalize(win_path).lower()
        if key not in self._files:
            self._files[key] = ConfigFile(self.host, win_path, root_tag)
        return self._files[key]

    def stored(self, owner: ConfigFile, elem: ET.Element, section: str) -> tuple[ConfigFile, ET.Element]:
        """Where a section element's content is stored: the element itself, or - with ``configSource`` - the
        root element of the file it names (docs/emulator.md "configSource")."""
        path = config_source_path(owner.win_path, elem)
        if path is None:
            return owner, elem
        source = self.get(path, section.rsplit("/", 1)[-1])
        if source.root is None:
            name = elem.get(CONFIG_SOURCE)
            raise config_file_error(f"Unable to open configSource file '{name}' ({path}), referenced by "
                                    f"{owner.win_path}", owner.win_path, config_source=name, referenced=path)
        return source, source.root

    def apphost(self) -> ConfigFile:
        if not self.host.iis_installed:
            raise HostError("IISNotInstalled", "IIS is not installed: "
                            f"{APPHOST_CONFIG} does not exist (install the Web-Server role first)")
        from .redirection import apphost_path  # shared configuration: redirection.config

        return self.get(apphost_path(self.host))

    def touched_files(self) -> list[ConfigFile]:
        """Files an operation wrote to: MWA's CommitChanges() saves them, whether or not a value moved."""
        return [f for f in self._files.values() if f.touched and f.root is not None]

    def save(self, config_files: list[ConfigFile]) -> None:
        """Write each file whole (temporary file + rename), all new contents staged before any rename."""
        self.host.write_files([(f.win_path, data) for f in config_files if (data := f.serialized()) is not None])

    def parsed_sha256(self, win_path: str) -> str | None:
        """SHA-256 of the bytes the file was parsed from (None: it did not exist when loaded)."""
        original = self.get(win_path).original
        return None if original is None else hashlib.sha256(original).hexdigest()


def config_source_path(owner: str, elem: ET.Element) -> str | None:
    """The Windows path a section element's ``configSource`` names; None without one.

    Like IIS: a relative physical path to a file in the owning file's folder or below ("file A can only
    include file B if B is in physical subdirectory of A"), and the referencing element holds nothing else.
    """
    name = elem.get(CONFIG_SOURCE)
    if name is None:
        return None
    parts = name.split("\\")
    if not name.strip() or "/" in name or ":" in name or any(p in ("", ".", "..") for p in parts):
        raise config_file_error(f"The configSource attribute '{name}' in {owner} is invalid: it must be a "
                                "relative physical path to a file in the same folder or below, with '\\' "
                                "between folders", owner, config_source=name)
    if set(elem.attrib) - {CONFIG_SOURCE} or any(not is_comment(child) for child in elem):
        raise config_file_error(f"The <{elem.tag}> element in {owner} has configSource='{name}': a section "
                                "using 'configSource' may contain no other attributes or elements", owner,
                                config_source=name)
    drive, folders = split(owner)
    return join(f"{drive}:", *folders[:-1], *parts)


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
