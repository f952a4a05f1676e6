"""The resolution as an administrative act: golden texts in ca and es, its CSV, and its PDF checked
page by page (pdftoppm images, pdftotext and pypdf text).

The golden files are the act as a civil servant would read it; regenerate one only after reading
the difference: `XARXA_GOLDEN=update pytest tests/funding/grants/test_resolution_act.py`.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from PIL import Image
from pypdf import PdfReader

from services.funding.grants import act as acts
from tests.support import act_sample as sample

GOLDEN = Path(__file__).parent / "golden"
BLOCKS = re.compile(r"</?(?:h1|h2|p|li|ol|tr|dt|dd|div|header|table|thead|tbody)\b[^>]*>")


def plain_text(document: str) -> str:
    """The act's text as read: one line per block, table cells separated by ' | '."""
    body = document.split("<body>", 1)[1]
    body = re.sub(r"</t[hd]>\s*<t[hd][^>]*>", " | ", body)
    body = re.sub(r"<br\s*/?>", " · ", body)
    body = BLOCKS.sub("\n", body)
    body = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = (" ".join(line.split()) for line in body.splitlines())
    return "\n".join(line for line in lines if line) + "\n"


def rendered(kind: str, lang: str) -> str:
    act = acts.act_of(sample.call(), sample.resolution(kind), sample.applications(), sample.entities(), lang)
    return acts.act_html(act)


@pytest.mark.parametrize("lang", ["ca", "es"])
@pytest.mark.parametrize("kind", ["definitive", "provisional"])
def test_the_act_reads_as_its_golden_text(kind: str, lang: str) -> None:
    text = plain_text(rendered(kind, lang))
    golden = GOLDEN / f"resolution_{kind}_{lang}.txt"
    if os.environ.get("XARXA_GOLDEN") == "update":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_figures_and_dates_are_written_in_the_acts_language() -> None:
    ca, es, en = (plain_text(rendered("definitive", lang)) for lang in ("ca", "es", "en"))
    # The date of the act (15 December), not the day it was resolved in the system or printed (18th).
    assert "Data de l'acte\n15 de desembre de 2026" in ca and "18 de desembre" not in ca
    assert "Fecha del acto\n15 de diciembre de 2026" in es
    assert "Date of the act\n15 December 2026" in en
    assert "Barcelona, 15 de desembre de 2026" in ca and "Barcelona, 15 de diciembre de 2026" in es
    # Money as each locale writes it, with its no-break space before the euro sign.
    raw = {lang: rendered("definitive", lang) for lang in ("ca", "es", "en")}
    assert "90.000,00\xa0€" in raw["ca"] and "90.000,00\xa0€" in raw["es"] and "€90,000.00" in raw["en"]
    assert "120.000,00\xa0€" in raw["ca"] and "120.000,00 €" in ca
    # Reasons in the document's language, the officer's own words kept as written.
    assert "Puntuació de 42,25 punts, inferior a la mínima de 50,00" in ca
    assert "Puntuación de 42,25 puntos, inferior a la mínima de 50,00" in es
    assert "No admesa: Manca el pressupost detallat" in ca
    assert "llista de reserva, posició 1" in ca and "lista de reserva, posición 1" in es
    # A project titled only in Catalan is shown in Catalan in every language.
    assert "Economia social a Tunis" in es
    # The English act speaks English only (no Catalan or Spanish texts of the template).
    assert "Resolució" not in en and "Resolución" not in en


def test_the_csv_has_its_headers_in_the_acts_language() -> None:
    for lang, headers in [
        ("ca", ["Referència", "Entitat", "NIF", "Projecte", "Modalitat", "Posició", "Puntuació", "Resolució"]),
        ("es", ["Referencia", "Entidad", "NIF", "Proyecto", "Modalidad", "Posición", "Puntuación", "Resolución"]),
    ]:
        act = acts.act_of(sample.call(), sample.resolution(), sample.applications(), sample.entities(), lang)
        rows = list(csv.reader(io.StringIO(acts.act_csv(act))))
        assert rows[0][: len(headers)] == headers
        years = {"ca": ["Import 2026 (EUR)", "Import 2027 (EUR)"], "es": ["Importe 2026 (EUR)", "Importe 2027 (EUR)"]}
        assert rows[0][-4:-2] == years[lang]
        body = {r[0]: r for r in rows[1:]}
        assert body["JG-2026-0001"][-4:-1] == ["60000.00", "20000.00", "80000.00"]
        assert body["JG-2026-0005"][8] == "1"  # reserve list position
        assert sum(float(r[-2]) for r in rows[1:]) == 120000.0


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_every_text_of_the_act_is_translated(lang: str) -> None:
    catalogue = acts._catalogue(lang)
    options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    found = [
        str(m[1])
        for method, path, opts in [
            ("jinja2.ext:babel_extract", acts.HERE / "templates" / "resolution_act.html", options),
            ("python", acts.HERE / "act.py", {}),
        ]
        for m in extract_from_file(method, str(path), keywords={"_": None}, options=opts)
    ]
    assert len(found) > 40
    assert [m for m in found if m not in catalogue] == []
    for msgid in found:
        assert set(re.findall(r"%\((\w+)\)s", catalogue[msgid])) == set(re.findall(r"%\((\w+)\)s", msgid))


def test_the_pdf_page_by_page(tmp_path: Path) -> None:
    pdf = acts.act_pdf(rendered("definitive", "ca"))
    path = tmp_path / "act.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages >= 2
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    texts = []
    for number, image_path in enumerate(images, start=1):
        with Image.open(image_path) as image:
            width, height = image.size
            assert abs(width / height - 210 / 297) < 0.01, "A4 portrait"
            grey = image.convert("L")
            dark = sum(grey.histogram()[:128])
            assert dark > 0.002 * width * height, f"page {number} is blank"
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert re.search(rf"\b{number}\s*/\s*{pages}\b", text), f"page {number} has its number"
        assert reader.pages[number - 1].extract_text().strip()
        texts.append(" ".join(text.split()))
    first, last, whole = texts[0], texts[-1], " ".join(texts)
    assert "Ajuntament de Barcelona" in first and "Resolució definitiva de la convocatòria" in first
    assert "JG-2026" in first and "15 de desembre de 2026" in first
    for heading in ("ANTECEDENTS", "FONAMENTS DE DRET", "RESOLUCIÓ", "RECURSOS"):
        assert heading in whole
    for figure in ("60.000,00 €", "20.000,00 €", "80.000,00 €", "90.000,00 €", "120.000,00 €"):
        assert figure in whole
    assert "Marta Ribas i Puig" in last and "Regidora de Justícia Global" in last
