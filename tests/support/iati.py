"""The IATI 2.03 schemas (vendored under shared/data) and a parser that fetches nothing, for the export tests."""

from __future__ import annotations

from lxml import etree

from shared.codelists import DATA_DIR

ACTIVITIES_SCHEMA = DATA_DIR / "iati" / "schema" / "iati-activities-schema.xsd"
ORGANISATIONS_SCHEMA = DATA_DIR / "iati" / "schema" / "iati-organisations-schema.xsd"

# Hostile files every IATI reader must refuse: entity expansion and an external entity.
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>XX-&lol3;</iati-identifier>
<title><narrative>&lol3;</narrative></title></iati-activity></iati-activities>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<iati-activities version="2.03"><iati-activity><iati-identifier>XX-1</iati-identifier>
<title><narrative>&xxe;</narrative></title></iati-activity></iati-activities>"""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(no_network=True, resolve_entities=False)


def iati_schema() -> etree.XMLSchema:
    """The activities file's schema."""
    return etree.XMLSchema(etree.parse(str(ACTIVITIES_SCHEMA), _parser()))


def organisation_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ORGANISATIONS_SCHEMA), _parser()))


def parse(xml: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(xml, _parser()))
