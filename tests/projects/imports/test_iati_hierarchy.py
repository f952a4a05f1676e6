"""IATI related activities of type 1 (parent) and 2 (child) become the programme hierarchy
(`parent_id`), whatever the order within the file and whether the other end is in the file or in
the registry; an end that is in neither stays a related activity, with a note, never a failure; a
re-import changes nothing of the hierarchy."""

from __future__ import annotations

import uuid

import httpx
from lxml import etree

from services.projects.imports import hierarchy, iati

BASE = "/api/projects/projects"
IMPORT = "/api/projects/imports/iati"
OWNER = "ajuntament-barcelona"
BCN = "ES-DIR3-L01080193"  # its iati_ref: these activities are its own
XML = {"Content-Type": "application/xml"}


def activity(identifier: str, *related: tuple[str, str]) -> str:
    links = "".join(f'<related-activity ref="{ref}" type="{kind}"/>' for ref, kind in related)
    return (
        f"<iati-activity><iati-identifier>{identifier}</iati-identifier>"
        f'<title><narrative xml:lang="ca">Activitat {identifier}</narrative></title>'
        f'<activity-status code="2"/>{links}</iati-activity>'
    )


def file(*activities: str) -> bytes:
    return f'<iati-activities version="2.03">{"".join(activities)}</iati-activities>'.encode()


def test_the_declared_links_are_the_first_parent_and_the_children() -> None:
    element = etree.fromstring(
        activity(
            f"{BCN}-C",
            (f"{BCN}-P", "1"),
            (f"{BCN}-Q", "1"),  # a second parent: an activity has one programme
            (f"{BCN}-C", "2"),  # itself
            ("GB-COH-1-K", "2"),  # another publisher's: keyed as the owner registers it
            (f"{BCN}-S", "3"),  # a sibling is no hierarchy link
        ).encode()
    )
    mapped = iati.activity(element, OWNER, "draft", BCN)
    found = hierarchy.declared(mapped, BCN)
    assert found.parent == f"{BCN}-P".lower()
    assert found.children == [f"{BCN}-GB-COH-1-K".lower()]
    assert any("second parent" in n for n in mapped.notes) and any("itself" in n for n in mapped.notes)


async def test_parent_and_children_in_reverse_order_and_a_re_import(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8].upper()
    parent, first, second = f"{BCN}-PRG-{tag}", f"{BCN}-PRJ1-{tag}", f"{BCN}-PRJ2-{tag}"
    gone = f"{BCN}-GONE-{tag}"
    # The children first: the first names its parent (type 1), the second is named only by the
    # parent (type 2), which also names a child that is nowhere and a sibling.
    content = file(
        activity(first, (parent, "1")),
        activity(second),
        activity(parent, (first, "2"), (second, "2"), (gone, "2"), (first, "3")),
    )
    report = await gateway.post(IMPORT, params={"owner": OWNER}, content=content, headers=XML)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["imported"] == 3 and body["skipped"] == 0, body
    items = {i["iati_identifier"]: i for i in body["items"]}
    programme = items[parent]["project_id"]
    assert items[first]["parent_id"] == items[second]["parent_id"] == programme
    assert items[parent]["parent_id"] is None
    (note,) = [n for n in items[parent]["notes"] if gone in n]
    assert "kept as a related activity" in note
    assert not any("not linked" in n for i in items.values() for n in i["notes"])
    children = (await gateway.get(BASE, params={"parent_id": programme})).json()["items"]
    assert {c["id"] for c in children} == {items[first]["project_id"], items[second]["project_id"]}
    kept = (await gateway.get(f"{BASE}/{programme}")).json()
    assert {"ref": gone, "type": "2"} in kept["iati"]["related_activities"]  # the missing one is kept
    versions = {i: (await gateway.get(f"{BASE}/{items[i]['project_id']}")).json()["version"] for i in items}

    again = (await gateway.post(IMPORT, params={"owner": OWNER}, content=content, headers=XML)).json()
    assert again["updated"] == 3 and again["imported"] == again["skipped"] == 0, again
    again_items = {i["iati_identifier"]: i for i in again["items"]}
    assert {i: again_items[i]["project_id"] for i in items} == {i: items[i]["project_id"] for i in items}
    assert again_items[first]["parent_id"] == again_items[second]["parent_id"] == programme
    for identifier, version in versions.items():  # one update each: the hierarchy is neither undone nor redone
        project = (await gateway.get(f"{BASE}/{items[identifier]['project_id']}")).json()
        assert project["version"] == version + 1, identifier
        assert project["parent_id"] == (None if identifier == parent else programme)
    assert len((await gateway.get(BASE, params={"parent_id": programme})).json()["items"]) == 2

    # A later file's child of the registry's programme, with a parent of its own that is nowhere.
    third, orphan = f"{BCN}-PRJ3-{tag}", f"{BCN}-PRJ4-{tag}"
    later = file(activity(third, (parent, "1")), activity(orphan, (gone, "1")))
    body = (await gateway.post(IMPORT, params={"owner": OWNER}, content=later, headers=XML)).json()
    assert body["imported"] == 2 and body["skipped"] == 0, body
    items = {i["iati_identifier"]: i for i in body["items"]}
    assert items[third]["parent_id"] == programme
    assert items[orphan]["parent_id"] is None
    assert any(gone in n and "kept as a related activity" in n for n in items[orphan]["notes"])
    assert (await gateway.get(f"{BASE}/{items[third]['project_id']}")).json()["version"] == 1  # set when registered


async def test_a_cycle_or_another_owners_programme_is_a_note(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8].upper()
    a, b, c = f"{BCN}-CYA-{tag}", f"{BCN}-CYB-{tag}", f"{BCN}-CYC-{tag}"
    amb = f"XARXA-AMB-{tag}"  # another owner's identifier: none of this owner's activities
    first = file(activity(a, (b, "1")), activity(b))
    items = {
        i["iati_identifier"]: i
        for i in (await gateway.post(IMPORT, params={"owner": OWNER}, content=first, headers=XML)).json()["items"]
    }
    assert items[a]["parent_id"] == items[b]["project_id"]
    # Now b says a is its parent: a cycle; both activities still update, the link is a note.
    cycle = file(activity(b, (a, "1")), activity(a, (b, "1")), activity(c, (amb, "1")))
    body = (await gateway.post(IMPORT, params={"owner": OWNER}, content=cycle, headers=XML)).json()
    assert body["updated"] == 2 and body["imported"] == 1 and body["skipped"] == 0, body
    again = {i["iati_identifier"]: i for i in body["items"]}
    assert any("inside itself" in n and "kept as a related activity" in n for n in again[b]["notes"]), again[b]
    assert any(amb in n and "kept as a related activity" in n for n in again[c]["notes"]), again[c]
    assert again[c]["parent_id"] is None
    assert (await gateway.get(f"{BASE}/{items[b]['project_id']}")).json()["parent_id"] is None
    assert (await gateway.get(f"{BASE}/{items[a]['project_id']}")).json()["parent_id"] == items[b]["project_id"]
