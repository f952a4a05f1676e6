"""One test per mapping, without servers: policy markers of every vocabulary and result
document-links are parsed into the project (the registry's model validates them) and exported
back attribute by attribute, in a file the 2.03 schema accepts."""

from __future__ import annotations

from typing import Any

from lxml import etree

from services.projects.imports import iati
from services.reporting.exports import iati as export
from shared.codelists import codelists
from tests.support.iati import iati_schema

PREFIX = "XARXA-BADALONA"
ACTIVITY = """<iati-activities version="2.03"><iati-activity default-currency="EUR">
<iati-identifier>XARXA-BADALONA-MAPPINGS-1</iati-identifier>
<title><narrative xml:lang="en">Mappings</narrative></title>
<description><narrative xml:lang="en">Every classification kept</narrative></description>
<activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/>
{body}</iati-activity></iati-activities>"""


def round_trip(body: str) -> tuple[dict[str, Any], list[str], etree._Element]:
    element = etree.fromstring(ACTIVITY.format(body=body).encode()).find("iati-activity")
    assert element is not None
    mapped = iati.activity(element, "badalona", "published", PREFIX)
    project = iati.validated(mapped)
    assert project is not None, mapped.notes
    state = {
        **project.model_dump(mode="json"),
        "iati_identifier": mapped.own_identifier,
        "updated_at": "2026-12-01T10:00:00+00:00",
    }
    out = export.activity(state, [], codelists()["institutions"].get("badalona"))  # type: ignore[arg-type]
    schema = iati_schema()
    assert schema.validate(etree.fromstring(b"".join(export.document([out])))), schema.error_log
    return project.model_dump(mode="json"), mapped.notes, out


MARKERS = """
<policy-marker vocabulary="1" code="1" significance="2"/>
<policy-marker code="2" significance="1"/>
<policy-marker vocabulary="1" code="4" significance=""/>
<policy-marker vocabulary="99" vocabulary-uri="https://example.org/markers" code="CLIMATE-A" significance="3">
  <narrative xml:lang="en">Climate adaptation</narrative></policy-marker>
<policy-marker vocabulary="42" code="X"/>
"""


def test_policy_markers_of_every_vocabulary_are_kept_and_given_back() -> None:
    project, notes, out = round_trip(MARKERS)
    assert project["policy_markers"] == [
        {"code": "1", "significance": "2"},
        {"code": "2", "significance": "1"},
    ]
    assert project["iati"]["policy_markers"] == [
        {"vocabulary": "1", "vocabulary_uri": None, "code": "4", "significance": "", "narrative": {}},
        {
            "vocabulary": "99",
            "vocabulary_uri": "https://example.org/markers",
            "code": "CLIMATE-A",
            "significance": "3",
            "narrative": {"en": "Climate adaptation"},
        },
    ]
    assert notes == ["policy-marker 'X' of vocabulary '42': left out"]  # not an IATI PolicyMarkerVocabulary
    exported = [(dict(m.attrib), [n.text for n in m.findall("narrative")]) for m in out.findall("policy-marker")]
    assert exported == [
        ({"vocabulary": "1", "code": "1", "significance": "2"}, []),
        ({"vocabulary": "1", "code": "2", "significance": "1"}, []),
        ({"vocabulary": "1", "code": "4", "significance": ""}, []),
        (
            {
                "vocabulary": "99",
                "vocabulary-uri": "https://example.org/markers",
                "code": "CLIMATE-A",
                "significance": "3",
            },
            ["Climate adaptation"],
        ),
    ]


RESULT = """
<result type="1"><title><narrative xml:lang="en">Wells built</narrative></title>
<document-link url="https://example.org/wells.pdf" format="application/pdf">
  <title><narrative xml:lang="en">Wells report</narrative></title><category code="A08"/>
  <language code="en"/><document-date iso-date="2024-06-30"/></document-link>
<document-link url="https://example.org/no-category.pdf" format="application/pdf">
  <title><narrative xml:lang="en">Uncategorised</narrative></title></document-link>
<indicator measure="1"><title><narrative xml:lang="en">Wells</narrative></title>
  <period><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><target value="10"/></period>
</indicator></result>
"""


def test_result_document_links_are_kept_and_given_back_in_the_result() -> None:
    project, notes, out = round_trip(RESULT)
    (result,) = project["results"]
    assert result["documents"] == [
        {
            "url": "https://example.org/wells.pdf",
            "title": {"en": "Wells report"},
            "category": "A08",
            "language": "en",
            "date": "2024-06-30",
            "format": "application/pdf",
        }
    ]
    assert notes == [
        "document-link 'https://example.org/no-category.pdf' without a title or a known category: left out"
    ]
    node = out.find("result")
    assert [child.tag for child in node] == ["title", "document-link", "indicator"]
    link = node.find("document-link")
    assert link.attrib == {"url": "https://example.org/wells.pdf", "format": "application/pdf"}
    assert (link.findtext("title/narrative"), link.find("category").get("code")) == ("Wells report", "A08")
    assert (link.find("language").get("code"), link.find("document-date").get("iso-date")) == ("en", "2024-06-30")
