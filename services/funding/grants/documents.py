"""A resolution as the lists an institution publishes: CSV, and a printable HTML page in ca/es/en."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html import escape

from services.funding.grants.schemas import Resolution
from shared.spreadsheet import csv_row

LABELS: dict[str, dict[str, str]] = {
    "ca": {
        "provisional": "Resolució provisional",
        "definitive": "Resolució definitiva",
        "call": "Convocatòria",
        "submitted": "Sol·licituds presentades",
        "admitted": "Sol·licituds admeses",
        "eligible": "Amb la puntuació mínima o més",
        "funded": "Projectes subvencionats",
        "share": "Subvencionats sobre els que arriben al mínim",
        "total": "Import total atorgat",
        "year": "Exercici pressupostari",
        "programme": "Programa",
        "reference": "Referència",
        "entity": "Entitat",
        "modality": "Modalitat",
        "rank": "Posició",
        "score": "Puntuació",
        "granted": "Import atorgat",
        "reason": "Motiu",
        "yes": "Atorgada",
        "no": "Denegada",
        "tie": "Desempat",
    },
    "es": {
        "provisional": "Resolución provisional",
        "definitive": "Resolución definitiva",
        "call": "Convocatoria",
        "submitted": "Solicitudes presentadas",
        "admitted": "Solicitudes admitidas",
        "eligible": "Con la puntuación mínima o más",
        "funded": "Proyectos subvencionados",
        "share": "Subvencionados sobre los que alcanzan el mínimo",
        "total": "Importe total otorgado",
        "year": "Ejercicio presupuestario",
        "programme": "Programa",
        "reference": "Referencia",
        "entity": "Entidad",
        "modality": "Modalidad",
        "rank": "Posición",
        "score": "Puntuación",
        "granted": "Importe otorgado",
        "reason": "Motivo",
        "yes": "Otorgada",
        "no": "Denegada",
        "tie": "Desempate",
    },
    "en": {
        "provisional": "Provisional resolution",
        "definitive": "Definitive resolution",
        "call": "Call",
        "submitted": "Applications submitted",
        "admitted": "Applications admitted",
        "eligible": "At or above the minimum score",
        "funded": "Projects funded",
        "share": "Funded among those at or above the minimum",
        "total": "Total granted",
        "year": "Budget year",
        "programme": "Programme",
        "reference": "Reference",
        "entity": "Entity",
        "modality": "Modality",
        "rank": "Rank",
        "score": "Score",
        "granted": "Granted",
        "reason": "Reason",
        "yes": "Granted",
        "no": "Denied",
        "tie": "Ties",
    },
}


def _years(resolution: Resolution) -> list[int]:
    return sorted(resolution.figures.budget_by_year)


def resolution_csv(resolution: Resolution) -> str:
    years = _years(resolution)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["reference", "entity", "programme", "modality", "rank", "total_score", "funded"]
        + [f"granted_{y}_eur" for y in years]
        + ["reason"]
    )
    # Entity names and reasons are applicants' and officers' text: neutralised (shared/spreadsheet.py);
    # amounts and scores go in as numbers so they are written as they are.
    for d in resolution.decisions:
        writer.writerow(
            csv_row(
                [
                    d.reference,
                    d.entity,
                    d.programme,
                    d.modality,
                    d.rank or "",
                    d.total_score or "",
                    str(d.funded).lower(),
                ]
                + [d.granted.get(y, Decimal("0.00")) for y in years]
                + [d.reason]
            )
        )
    return out.getvalue()


def resolution_html(resolution: Resolution, lang: str) -> str:
    t = LABELS.get(lang, LABELS["en"])
    f = resolution.figures
    years = _years(resolution)
    share = f"{f.funded_share_of_eligible_percent} %" if f.funded_share_of_eligible_percent is not None else "-"
    figures = [
        (t["submitted"], str(f.submitted)),
        (t["admitted"], str(f.admitted)),
        (t["eligible"], str(f.at_or_above_minimum)),
        (t["funded"], str(f.funded)),
        (t["share"], share),
        (t["total"], f"{f.granted_total:,.2f} €"),
    ] + [(f"{t['year']} {y}", f"{f.granted_by_year.get(y, 0):,.2f} €") for y in years]
    programme_rows = "".join(
        f"<tr><td>{escape(p)}</td>" + "".join(f"<td>{amounts.get(y, 0):,.2f} €</td>" for y in years) + "</tr>"
        for p, amounts in f.granted_by_programme.items()
    )
    decision_rows = "".join(
        "<tr>"
        f"<td>{escape(d.reference)}</td><td>{escape(d.entity)}</td><td>{escape(d.modality)}</td>"
        f"<td>{d.rank or ''}</td><td>{d.total_score or ''}</td><td>{t['yes'] if d.funded else t['no']}</td>"
        + "".join(f"<td>{d.granted.get(y, 0):,.2f} €</td>" for y in years)
        + f"<td>{escape(d.reason)}</td></tr>"
        for d in resolution.decisions
    )
    year_heads = "".join(f"<th>{y}</th>" for y in years)
    title = f"{t[resolution.kind]} · {t['call']} {escape(resolution.call_code)}"
    return f"""<!doctype html>
<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }} table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #999; padding: .25em .5em; text-align: left; }} @media print {{ body {{ margin: 0; }} }}
</style></head><body>
<h1>{title}</h1>
<p>{escape(resolution.institution)} · {resolution.resolved_at:%Y-%m-%d}</p>
<table>{"".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in figures)}</table>
<table><tr><th>{t["programme"]}</th>{year_heads}</tr>{programme_rows}</table>
<table><tr><th>{t["reference"]}</th><th>{t["entity"]}</th><th>{t["modality"]}</th><th>{t["rank"]}</th>
<th>{t["score"]}</th><th>{t["granted"]}</th>{year_heads}<th>{t["reason"]}</th></tr>{decision_rows}</table>
<p>{t["tie"]}: {escape(resolution.tie_break)}</p>
</body></html>
"""
