"""Validate an XML document against tests/adx/adx.xsd.

With ``xmlschema`` or ``lxml`` installed (neither is in the lock files yet) the document is validated by
that library; without them, by :func:`check`, a validator of the small part of XML Schema that adx.xsd
uses (a sequence of elements with minOccurs/maxOccurs, required and extra attributes, simple types
restricted by a pattern, xs:string, xs:token, xs:decimal and xs:dateTime). It reads the schema file
itself, so an edit of the schema changes what it accepts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

XS = "{http://www.w3.org/2001/XMLSchema}"
SCHEMA = Path(__file__).with_name("adx.xsd")
BUILTIN = {
    "xs:string": lambda v: True,
    "xs:token": lambda v: v == " ".join(v.split()),
    "xs:decimal": lambda v: re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", v) is not None,
    "xs:dateTime": lambda v: (
        re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", v) is not None
        and _iso(v)
    ),
}


def _iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _library_errors(document: bytes) -> list[str] | None:
    try:
        import xmlschema  # type: ignore[import-not-found]
    except ImportError:
        xmlschema = None
    if xmlschema is not None:
        return [str(e) for e in xmlschema.XMLSchema(str(SCHEMA)).iter_errors(document.decode())]
    try:
        from lxml import etree  # type: ignore[import-not-found]
    except ImportError:
        return None
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    schema.validate(etree.fromstring(document))
    return [str(e) for e in schema.error_log]


def errors(document: bytes) -> list[str]:
    """Every way ``document`` breaks the schema (empty: valid)."""
    found = _library_errors(document)
    return check(document) if found is None else found


def check(document: bytes) -> list[str]:
    schema = ET.parse(SCHEMA).getroot()
    ns = "{" + schema.get("targetNamespace", "") + "}"
    complex_types = {t.get("name"): t for t in schema.findall(f"{XS}complexType")}
    simple_types = {t.get("name"): t for t in schema.findall(f"{XS}simpleType")}
    problems: list[str] = []

    def value_ok(type_name: str, value: str) -> bool:
        if type_name in BUILTIN:
            return BUILTIN[type_name](value)
        restriction = simple_types[type_name].find(f"{XS}restriction")
        assert restriction is not None
        if not BUILTIN[restriction.get("base", "xs:string")](value):
            return False
        return all(re.fullmatch(p.get("value", ""), value) for p in restriction.findall(f"{XS}pattern"))

    def element(node: ET.Element, type_name: str, where: str) -> None:
        ctype = complex_types.get(type_name)
        if ctype is None:  # a simple-content element
            if not value_ok(type_name, node.text or ""):
                problems.append(f"{where}: text is not a {type_name}")
            return
        declared = {a.get("name"): a for a in ctype.findall(f"{XS}attribute")}
        for name, attribute in declared.items():
            if name not in node.attrib and attribute.get("use") == "required":
                problems.append(f"{where}: attribute {name} is required")
            elif name in node.attrib and not value_ok(attribute.get("type", "xs:string"), node.attrib[name]):
                problems.append(
                    f"{where}: attribute {name}={node.attrib[name]!r} is not a {attribute.get('type')}"
                )
        if ctype.find(f"{XS}anyAttribute") is None:
            problems.extend(
                f"{where}: attribute {a} is not allowed" for a in node.attrib if a not in declared
            )
        if (node.text or "").strip():
            problems.append(f"{where}: text is not allowed")
        children = list(node)
        i = 0
        for particle in ctype.findall(f"{XS}sequence/{XS}element"):
            low = int(particle.get("minOccurs", "1"))
            high = particle.get("maxOccurs", "1")
            count = 0
            while i < len(children) and children[i].tag == ns + particle.get("name", ""):
                element(
                    children[i], particle.get("type", "xs:string"), f"{where}/{particle.get('name')}[{count}]"
                )
                i += 1
                count += 1
            if count < low or (high != "unbounded" and count > int(high)):
                problems.append(f"{where}: {count} {particle.get('name')} element(s), expected {low}..{high}")
        problems.extend(f"{where}: unexpected element {c.tag}" for c in children[i:])

    root = ET.fromstring(document)
    top = schema.find(f"{XS}element")
    assert top is not None
    if root.tag != ns + top.get("name", ""):
        return [f"root element {root.tag} is not {ns}{top.get('name')}"]
    element(root, top.get("type", ""), top.get("name", ""))
    return problems
