"""Any IIS setting: winflask.iis.config_property, config_collection, config_info, config_delegation.

Planning code only (standard library): argument specs, typed values, and the operations of
docs/architecture.md 3.4 from one config_read entry with ``"details": true`` (3.3: the schema's
attribute types and enum names, the collection's key attributes, the section's override modes).
docs/config.md maps these modules onto WebAdministrationDsc's WebConfigProperty,
WebConfigPropertyCollection and IisFeatureDelegation.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ansible_collections.winflask.iis.plugins.module_utils.checks import BACKUP_KINDS, SCOPE_KINDS
from ansible_collections.winflask.iis.plugins.module_utils.config import (
    APPHOST, BACKUP_OPTIONS, Address, ConfigRead, Node, PathStep, item_step, op_add, op_remove, op_reset, op_set,
    site_address, timespan_from_seconds, values_equal)
from ansible_collections.winflask.iis.plugins.module_utils.spec import ModuleError, ModuleSpec
from ansible_collections.winflask.iis.plugins.module_utils.transport import TargetError

if TYPE_CHECKING:  # the action base imports ansible.plugins: controller only
    from ansible_collections.winflask.iis.plugins.plugin_utils.action import WinflaskAction

ADDRESS_OPTIONS: dict[str, Any] = {
    "section": {"type": "str", "required": True},
    "site": {"type": "str"},
    "application": {"type": "str"},
    "in_apphost": {"type": "bool", "default": False},
}
ELEMENT_OPTION: dict[str, Any] = {"element": {"type": "str", "default": ""}}
ADDRESS_KINDS = {**SCOPE_KINDS, "section": "config_section", "element": "config_element"}

PROPERTY_SPEC = ModuleSpec(
    argument_spec={**ADDRESS_OPTIONS, **ELEMENT_OPTION,
                   # key attribute(s) -> value of one item of the section's collection (a site of
                   # system.applicationHost/sites); element is then walked inside that item
                   "item": {"type": "dict"},
                   "attributes": {"type": "dict", "required": True},
                   "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
                   **BACKUP_OPTIONS},
    required_by={"application": "site"},
    kinds={**ADDRESS_KINDS, **BACKUP_KINDS})

COLLECTION_SPEC = ModuleSpec(
    argument_spec={**ADDRESS_OPTIONS, **ELEMENT_OPTION,
                   "items": {"type": "list", "elements": "dict", "required": True},
                   "key": {"type": "list", "elements": "str", "no_log": False},  # attribute names, no secret
                   "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
                   "exclusive": {"type": "bool", "default": False},
                   **BACKUP_OPTIONS},
    required_by={"application": "site"},
    kinds={**ADDRESS_KINDS, **BACKUP_KINDS})

INFO_SPEC = ModuleSpec(argument_spec=dict(ADDRESS_OPTIONS), required_by={"application": "site"},
                       kinds=ADDRESS_KINDS)

MODES = ("Allow", "Deny", "Inherit")
DELEGATION_SPEC = ModuleSpec(
    argument_spec={"section": {"type": "str", "required": True}, "site": {"type": "str"},
                   "application": {"type": "str"},
                   "override_mode": {"type": "str", "choices": list(MODES), "required": True},
                   **BACKUP_OPTIONS},
    required_by={"application": "site"},
    kinds={**SCOPE_KINDS, "section": "config_section", **BACKUP_KINDS})

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$")
INTEGER_TYPES = ("int", "uint", "int64", "long")
# The numbers each integer type of the schema holds (UInt32, Int32, Int64: what config_apply.ps1 converts to).
TYPE_RANGES = {"uint": (0, 2 ** 32 - 1), "int": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1),
               "long": (-2 ** 63, 2 ** 63 - 1)}


def address_of(args: dict[str, Any]) -> Address:
    in_apphost = bool(args.get("in_apphost"))
    if in_apphost and not args.get("site"):
        raise ModuleError("in_apphost=true needs site: it addresses <location path=\"Site\"> in "
                          "applicationHost.config (the server level is applicationHost.config already)")
    return site_address(args["section"], args.get("site"), args.get("application"), in_apphost)


def element_path(args: dict[str, Any]) -> list[str]:
    return [step for step in (args.get("element") or "").split("/") if step]


def read_details(action: WinflaskAction, address: Address) -> tuple[ConfigRead, dict[str, Any]]:
    """The task's one config_read, with the schema details; the raw section entry alongside."""
    action.reads += 1
    try:
        result = action.call("config_read", {"reads": [dict(address.as_dict(), details=True)]})
    except TargetError as exc:
        if exc.code == "SectionNotRegistered":
            raise ModuleError(f"section {address.section!r} is not registered on the host (no <section> "
                              "declaration in applicationHost.config: a misspelt name, or the IIS feature or "
                              "extension that declares it is not installed)") from exc
        raise
    read = ConfigRead(result)
    read.get(address)  # the answer holds the section asked for
    return read, (result.get("sections") or [{}])[0]


def walk(node: Node, steps: list[str], option: str = "element") -> Node:
    """The child element ``steps`` of the section; a name the schema lacks is refused naming the option."""
    current = node
    for n, step in enumerate(steps):
        children = current.data.get("children") or {}
        if step not in children:
            where = "/".join(steps[:n]) or "the section"
            known = ", ".join(sorted(children)) or "none"
            raise ModuleError(f"{option}: {step!r} is not a child element of {where} (child elements: {known})")
        current = Node(children[step])
    return current


def attribute_schemas(node: Node) -> dict[str, dict[str, Any]]:
    """The schema's attribute types; for an element config_read gives no schema of (inside a collection item,
    docs/architecture.md 3.3), the types its typed values show (bool, whole number; anything else a string)."""
    schema = (node.data.get("schema") or {}).get("attributes")
    if schema is not None:
        return schema
    return {name: {"type": _value_kind(value)} for name, value in node.values().items()}


def _value_kind(value: Any) -> str:
    """bool, whole number, timeSpan (config_read gives it as '[d.]hh:mm:ss[.fffffff]', 3.2), else string. A timeSpan
    taken for a string would send a number of seconds as text, which TimeSpan.Parse reads as DAYS ("120")."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    return "timeSpan" if isinstance(value, str) and _TIMESPAN.match(value) else "string"


def find_item(section: Node, key: dict[str, Any], option: str = "item") -> tuple[Node, list[PathStep]]:
    """The locally stored item of the section's collection whose key attributes are ``key``, and its path step."""
    schema = collection_schema(section, option)
    keys = list(schema.get("keys") or [])
    if sorted(key) != sorted(keys):
        raise ModuleError(f"{option} must give the key attribute(s) of the {section.name!r} collection's items, "
                          f"{', '.join(keys) or 'none'}; got {', '.join(sorted(key)) or 'none'}")
    schemas = schema.get("attributes") or {}
    wanted = {name: typed(schemas.get(name), value, f"{option}.{name}") for name, value in key.items()}
    found = section.find_item(**wanted)
    label = ", ".join(f"{k}={v!r}" for k, v in wanted.items())
    if found is None:
        names = "; ".join(", ".join(f"{k}={i.value(k)!r}" for k in keys) for i in section.items) or "none"
        raise ModuleError(f"{option}: no item of {section.name!r} has {label} (items: {names})")
    if not found.locally_stored:
        raise ModuleError(f"{option}: the item {label} is inherited from a parent level; change it there")
    stored = {k: found.value(k) for k in keys}  # the key as IIS stores it (the match ignores case)
    return Node(dict(found.data, schema={"attributes": schemas, "collection": None})), [item_step(**stored)]


def typed(schema: dict[str, Any] | None, value: Any, option: str) -> Any:
    """``value`` as the schema type wants it (what config_read returns for it), or ModuleError naming option."""
    kind = (schema or {}).get("type", "string")
    if value is None:
        raise ModuleError(f"{option} has no value: give one, or use state=absent to reset it to its default")
    if isinstance(value, (dict, list)):
        raise ModuleError(f"{option} must be a single value ({kind}), got {value!r}")
    text = str(value).strip()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ModuleError(f"{option} must be true or false (bool), got {value!r}")
    if kind in INTEGER_TYPES:
        if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text):
            raise ModuleError(f"{option} must be a whole number ({kind}), got {value!r}")
        return _in_range(schema or {}, int(text), value, option)
    if kind == "timeSpan":
        return _timespan_in_range(schema or {}, _timespan(value, text, option), value, option)
    if kind in ("enum", "flags"):
        return _choice(schema or {}, kind, text, option)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _string_valid(schema or {}, str(value), option)


def _validation(schema: dict[str, Any], kind: str) -> list[str] | None:
    """The schema's validationParameter split at commas when its validationType is ``kind`` (None otherwise:
    a read without the validation, docs/powershell.md, leaves the check to the host)."""
    if schema.get("validation_type") != kind:
        return None
    return [p.strip() for p in str(schema.get("validation_parameter") or "").split(",")]


def _bounds(params: list[str] | None, minimum: int) -> tuple[int, int, bool] | None:
    """(low, high, exclude) of an integerRange / timeSpanRange parameter; None when it is not numbers."""
    if not params or len(params) < minimum or not all(re.fullmatch(r"-?\d+", p) for p in params[:minimum]):
        return None
    return int(params[0]), int(params[1]), any(p.lower() == "exclude" for p in params[minimum:])


def _in_range(schema: dict[str, Any], number: int, value: Any, option: str) -> int:
    """The number when the type holds it and the schema's integerRange (IAppHostPropertySchema::
    ValidationParameter "<minimum>,<maximum>[,exclude]") allows it; else ModuleError naming the range."""
    kind = schema.get("type", "int64")
    low, high = TYPE_RANGES.get(kind, TYPE_RANGES["int64"])
    if not low <= number <= high:
        raise ModuleError(f"{option} must be a whole number from {low} to {high} ({kind}), got {value!r}")
    bounds = _bounds(_validation(schema, "integerRange"), 2)
    if bounds is not None:
        low, high, exclude = bounds
        if exclude == (low <= number <= high):
            allowed = f"not {low} to {high}" if exclude else f"{low} to {high}"
            raise ModuleError(f"{option} must be {allowed} (the schema's integerRange "
                              f"'{schema.get('validation_parameter')}'), got {value!r}")
    return number


def _timespan_in_range(schema: dict[str, Any], canonical: str, value: Any, option: str) -> str:
    """The timeSpan when the schema's timeSpanRange ("<minimum>,<maximum>,<granularity>[,exclude]", seconds)
    allows it; else ModuleError naming the range."""
    params = _validation(schema, "timeSpanRange")
    bounds = _bounds(params, 2)
    if bounds is None or params is None:
        return canonical
    low, high, exclude = bounds
    seconds = _timespan_seconds(canonical)
    if exclude == (low <= seconds <= high):
        span = f"{timespan_from_seconds(low)} to {timespan_from_seconds(high)}"
        raise ModuleError(f"{option} must be {'outside ' if exclude else ''}{span} (the schema's timeSpanRange "
                          f"'{schema.get('validation_parameter')}'), got {value!r}")
    step = int(params[2]) if len(params) > 2 and params[2].isdigit() else 0
    if step and seconds % step:
        unit = "second" if step == 1 else "seconds"
        raise ModuleError(f"{option} must be a whole multiple of {step} {unit} (the schema's timeSpanRange "
                          f"'{schema.get('validation_parameter')}'), got {value!r}")
    return canonical


def _timespan_seconds(canonical: str) -> Fraction:
    """Seconds of a canonical timeSpan text ('[d.]hh:mm:ss[.fffffff]'), the fraction kept exactly."""
    match = _TIMESPAN.match(canonical)
    days, hours, minutes, seconds, fraction = match.groups() if match else (0, 0, 0, 0, "")
    whole = ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)
    return whole + Fraction(int(fraction or 0), 10 ** len(fraction or ""))


def _string_valid(schema: dict[str, Any], text: str, option: str) -> str:
    """The text when the schema's string validation (nonEmptyString, requireTrimmedString) allows it."""
    kind = schema.get("validation_type")
    if kind == "nonEmptyString" and text == "":
        raise ModuleError(f"{option} must not be empty (the schema's nonEmptyString), got {text!r}")
    if kind == "requireTrimmedString" and text != text.strip():
        raise ModuleError(f"{option} must not start or end with white space (the schema's requireTrimmedString), "
                          f"got {text!r}")
    return text


def _timespan(value: Any, text: str, option: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timespan_from_seconds(value)
    match = _TIMESPAN.match(text)
    if not match or int(match.group(2)) > 23 or int(match.group(3)) > 59 or int(match.group(4)) > 59:
        raise ModuleError(f"{option} must be a timeSpan '[d.]hh:mm:ss[.fffffff]' or a number of seconds, "
                          f"got {value!r}")
    days, hours, minutes, seconds, fraction = match.groups()
    canonical = f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}"
    if int(days or 0):
        canonical = f"{int(days)}.{canonical}"
    fraction = (fraction or "").rstrip("0")
    return canonical + (f".{fraction}" if fraction else "")  # as config_read returns it (Format-TimeSpan)


def _choice(schema: dict[str, Any], kind: str, text: str, option: str) -> str:
    choices = [str(c) for c in schema.get("choices") or []]
    by_lower = {c.lower(): c for c in choices}
    parts = [p.strip() for p in text.split(",") if p.strip()] if kind == "flags" else [text]
    unknown = [p for p in parts if p.lower() not in by_lower]
    if unknown or not parts:
        raise ModuleError(f"{option} must be {'names' if kind == 'flags' else 'one'} of {', '.join(choices)} "
                          f"({kind}), got {text!r}")
    if kind == "enum":
        return by_lower[text.lower()]
    wanted = {by_lower[p.lower()] for p in parts}
    return ", ".join(c for c in choices if c in wanted)  # the order config_read gives flags names in


def same(have: Any, want: Any, kind: str) -> bool:
    if kind == "flags" and isinstance(have, str):
        return {p.strip() for p in have.split(",") if p.strip()} == {p.strip() for p in want.split(",")}
    return values_equal(have, want)


# -- config_property --------------------------------------------------------------------------------------

def plan_property(section: Node, args: dict[str, Any], address: Address
                  ) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """Operations, attributes before and after (only those the task names)."""
    prefix: list[PathStep] = []
    if args.get("item") is not None:
        section, prefix = find_item(section, args["item"])
    steps = [*prefix, *element_path(args)]
    node = walk(section, element_path(args))
    schemas = attribute_schemas(node)
    attributes = args["attributes"] or {}
    if not attributes:
        raise ModuleError("attributes must name at least one attribute")
    for name in attributes:
        if name not in node.attributes:
            known = ", ".join(sorted(node.attributes)) or "none"
            raise ModuleError(f"attributes: {name!r} is not an attribute of {node.name or args['section']} "
                              f"(attribute names are case-sensitive; known: {known})")
    before = {name: node.value(name) for name in attributes}
    after = dict(before)
    if args["state"] == "absent":
        names = [n for n in attributes if not node.is_default(n)] if node.locally_stored else []
        for name in names:
            after[name] = None  # the schema default, or a parent level's value
        return ([op_reset(address, steps, names)] if names else []), before, after
    changes = {}
    for name, value in attributes.items():
        schema = schemas.get(name)
        want = typed(schema, value, f"attributes.{name}")
        if not same(node.value(name), want, (schema or {}).get("type", "")):
            changes[name] = want
            after[name] = want
    return ([op_set(address, steps, changes)] if changes else []), before, after


# -- config_collection ------------------------------------------------------------------------------------

def collection_schema(node: Node, option: str = "element") -> dict[str, Any]:
    schema = (node.data.get("schema") or {}).get("collection")
    if schema is None or node.data.get("items") is None:
        raise ModuleError(f"{option}: {node.name!r} holds no collection; give the element that does "
                          f"(its child elements: {', '.join(sorted(node.data.get('children') or {})) or 'none'})")
    return schema


def plan_collection(section: Node, args: dict[str, Any], address: Address
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Operations, the collection's items before and after (each item's non-default attributes)."""
    steps = element_path(args)
    node = walk(section, steps)
    schema = collection_schema(node)
    keys = list(args.get("key") or schema.get("keys") or [])
    if not keys:
        raise ModuleError(f"key: the collection of {node.name!r} declares no key attribute; name the "
                          "attributes that identify an item in key")
    item_schemas = schema.get("attributes") or {}
    unknown = [k for k in keys if k not in item_schemas]
    if unknown:
        raise ModuleError(f"key: {unknown[0]!r} is not an attribute of the collection's items "
                          f"(known: {', '.join(sorted(item_schemas))})")
    desired = [_desired_item(item, n, keys, item_schemas) for n, item in enumerate(args["items"])]
    seen: dict[tuple[Any, ...], int] = {}
    for n, item in enumerate(desired):
        marker = _marker(item, keys)
        if marker in seen:
            raise ModuleError(f"items[{n}] has the same key as items[{seen[marker]}] "
                              f"({', '.join(f'{k}={item[k]!r}' for k in keys)})")
        seen[marker] = n
    current = node.items
    before = [_shown(i) for i in current]
    tag = (schema.get("add") or ["add"])[0]
    if args["state"] == "absent":
        return _absent(node, desired, keys, address, steps, before)
    return _present(current, desired, keys, item_schemas, address, steps, tag, bool(args["exclusive"]), before)


def _desired_item(item: dict[str, Any], n: int, keys: list[str], schemas: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for name, value in item.items():
        if name not in schemas:
            raise ModuleError(f"items[{n}]: {name!r} is not an attribute of the collection's items "
                              f"(attribute names are case-sensitive; known: {', '.join(sorted(schemas))})")
        result[name] = typed(schemas[name], value, f"items[{n}].{name}")
    missing = [k for k in keys if k not in result]
    if missing:
        raise ModuleError(f"items[{n}] lacks the key attribute {missing[0]!r} (key: {', '.join(keys)})")
    return result


def _marker(values: dict[str, Any], keys: list[str]) -> tuple[Any, ...]:
    """Key values compared as IIS compares keys (text case-insensitively)."""
    return tuple(str(values.get(k)).lower() if isinstance(values.get(k), str) else values.get(k) for k in keys)


def _shown(item: Node) -> dict[str, Any]:
    return {name: attr.get("value") for name, attr in item.attributes.items() if not attr.get("is_default")}


def _absent(node: Node, desired: list[dict[str, Any]], keys: list[str], address: Address, steps: list[str],
            before: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    gone = {_marker(item, keys) for item in desired}
    ops = [op_remove(address, steps, {k: item.value(k) for k in keys})
           for item in node.items if _marker(item.values(), keys) in gone]
    after = [before[n] for n, item in enumerate(node.items) if _marker(item.values(), keys) not in gone]
    return ops, before, after


def _present(current: list[Node], desired: list[dict[str, Any]], keys: list[str], schemas: dict[str, Any],
             address: Address, steps: list[str], tag: str, exclusive: bool, before: list[dict[str, Any]]
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    ops: list[dict[str, Any]] = []
    moved: dict[tuple[Any, ...], Node] = {}  # items removed to be added again at their place in the order
    by_key = {_marker(item.values(), keys): item for item in current}
    wanted = {_marker(item, keys) for item in desired}
    kept = current
    if exclusive:
        for item in current:
            if _marker(item.values(), keys) not in wanted:
                ops.append(op_remove(address, steps, {k: item.value(k) for k in keys}))
        kept = [i for i in current if _marker(i.values(), keys) in wanted]
        # Order: the longest start of the wanted list that the kept items already hold in that order stays;
        # the other items are removed and added again after it, in order (remove + add is how IIS moves one).
        order = [_marker(item, keys) for item in desired]
        kept_order = [_marker(i.values(), keys) for i in kept]
        stay, position = 0, 0
        while stay < len(order) and order[stay] in kept_order[position:]:
            position = kept_order.index(order[stay], position) + 1
            stay += 1
        staying = set(order[:stay])
        for item in kept:
            if _marker(item.values(), keys) in staying:
                continue
            if not item.locally_stored:
                raise ModuleError(f"items: {_label(item.values(), keys)} is inherited from a parent level and "
                                  "cannot be moved at this path; list it first, in the parent's order")
            ops.append(op_remove(address, steps, {k: item.value(k) for k in keys}))
            moved[_marker(item.values(), keys)] = by_key.pop(_marker(item.values(), keys))
        kept = [i for i in kept if _marker(i.values(), keys) in staying]
    after = [_shown(i) for i in kept] if exclusive else list(before)
    positions = {_marker(i.values(), keys): n for n, i in enumerate(current)}
    for n, item in enumerate(desired):
        marker = _marker(item, keys)
        have = by_key.get(marker)
        if marker in moved:  # added again as read, the task's attributes over it: nothing is lost
            spec = element_spec(moved[marker])
            given = {n: v for n, v in item.items() if n not in keys}  # the key as stored (matched like IIS)
            spec["attributes"].update(given)
            ops.append(op_add(address, steps, spec))
            after.append({**_shown(moved[marker]), **given})
            continue
        if have is None:
            _check_required(item, schemas, n)
            ops.append(op_add(address, steps, {"name": tag, "attributes": dict(item)}))
            after.append(dict(item))
            continue
        changes = {n: v for n, v in item.items()  # keys matched already (text case-insensitively, as IIS)
                   if n not in keys and not same(have.value(n), v, (schemas.get(n) or {}).get("type", ""))}
        if not changes:
            continue
        if not have.locally_stored:
            raise ModuleError(f"items: {_label(item, keys)} is inherited from a parent level; change it there "
                              "(its attributes differ: " + ", ".join(sorted(changes)) + ")")
        ops.append(op_set(address, [*steps, item_step(**{k: have.value(k) for k in keys})], changes))
        index = positions[marker] if not exclusive else next(
            n for n, shown in enumerate(after) if _marker(shown, keys) == marker)
        after[index] = {**after[index], **changes}
    return ops, before, after


def element_spec(node: Node) -> dict[str, Any]:
    """The config_apply ``add`` spec that writes ``node`` again as read (docs/architecture.md 3.4): its tag, the
    attributes set on it (not those at the schema default) and, recursively, each child element and nested
    collection item that holds anything. An exclusive reorder moves an item with remove + add; this keeps
    the attributes and children the task does not list."""
    spec: dict[str, Any] = {"name": node.name,
                            "attributes": {k: v for k, v in _shown(node).items() if v is not None}}
    children = {}
    for name, child in (node.data.get("children") or {}).items():
        inner = {k: v for k, v in element_spec(Node(child)).items() if k != "name" and v}
        if inner:
            children[name] = inner
    if children:
        spec["children"] = children
    items = [element_spec(i) for i in node.items]
    if items:
        spec["items"] = items
    return spec


def _check_required(item: dict[str, Any], schemas: dict[str, Any], n: int) -> None:
    """A new item must give every attribute the schema marks required (IIS refuses the add otherwise:
    "Missing required attribute"); a read without ``required`` leaves the check to the host."""
    required = [name for name, schema in schemas.items() if (schema or {}).get("required")]
    missing = [name for name in required if name not in item]
    if missing:
        raise ModuleError(f"items[{n}] is a new item and lacks the required attribute {missing[0]!r} "
                          f"(the schema's required attributes: {', '.join(required)})")


def _label(values: dict[str, Any], keys: list[str]) -> str:
    return "the item " + ", ".join(f"{k}={values.get(k)!r}" for k in keys)


# -- config_delegation ------------------------------------------------------------------------------------

def delegation_address(args: dict[str, Any]) -> Address:
    """The section at <location path="Site/app"> of applicationHost.config (location "": the whole server)."""
    address = site_address(args["section"], args.get("site"), args.get("application"), in_apphost=True)
    return Address(address.section, APPHOST, address.location)


def op_override_mode(address: Address, mode: str) -> dict[str, Any]:
    return {"op": "override_mode", **address.as_dict(), "path": [], "mode": mode}
