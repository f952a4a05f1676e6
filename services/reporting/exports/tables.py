"""Reports as tables (a header and rows), and tables as CSV or XLSX files.

Amounts stay exact decimal strings in CSV. XLSX cells hold numbers (spreadsheets store doubles),
with a two-decimal format; every figure here is far below 2^53 cents, so each shows exactly.
Text (project titles, city names: anyone's input) never becomes a formula: shared/spreadsheet.py.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from services.reporting.breakdown.schemas import Breakdown
from services.reporting.sdg.schemas import Money, SdgReport
from shared.spreadsheet import XLSX_OPTIONS, csv_row, write_xlsx_cell

Table = tuple[list[str], list[list[Any]]]
MONEY = ["budgeted_eur", "committed_eur", "disbursed_eur", "spent_eur"]


def _money(money: Money) -> list[Decimal]:
    return [getattr(money, field) for field in MONEY]


def sdg_table(report: SdgReport) -> Table:
    header = [
        "level",
        "code",
        "label_en",
        "label_ca",
        "projects",
        *(f"attributed_{f}" for f in MONEY),
        *(f"contributes_to_{f}" for f in MONEY),
    ]
    rows: list[list[Any]] = []
    for goal in report.goals:
        rows.append(
            [
                "goal",
                goal.goal,
                goal.label.get("en", ""),
                goal.label.get("ca", ""),
                goal.projects,
                *_money(goal.attributed),
                *_money(goal.contributes_to),
            ]
        )
        for target in goal.targets:
            rows.append(
                [
                    "target",
                    target.target,
                    "",
                    "",
                    target.projects,
                    *_money(target.attributed),
                    *_money(target.contributes_to),
                ]
            )
    rows.append(["unattributed", "", "", "", "", *_money(report.unattributed), *[""] * 4])
    rows.append(["total", "", "", "", report.projects, *_money(report.totals), *[""] * 4])
    return header, rows


def breakdown_table(report: Breakdown) -> Table:
    header = [
        report.dimension,
        "projects",
        *(f"attributed_{f}" for f in MONEY),
        *(f"contributes_to_{f}" for f in MONEY),
    ]
    rows: list[list[Any]] = [
        [row.value, row.projects, *_money(row.attributed), *_money(row.contributes_to)] for row in report.rows
    ]
    rows.append(["total", report.projects, *_money(report.totals), *[""] * 4])
    return header, rows


PROJECT_COLUMNS = [
    "iati_identifier",
    "owner",
    "code",
    "title",
    "status",
    "modality",
    "countries",
    "partner_cities",
    "sdg_goals",
    "sdg_targets",
    "sectors",
    "networks",
    "start",
    "end",
    *MONEY,
]


def project_row(state: dict[str, Any], money: dict[str, Decimal]) -> list[Any]:
    title = state.get("title", {})
    dates = state.get("dates", {})
    return [
        state["iati_identifier"],
        state["owner"],
        state["code"],
        title.get("ca") or title.get("es") or title.get("en") or next(iter(title.values()), ""),
        state["status"],
        state.get("modality") or "",
        " ".join(
            sorted(
                {c["country"] for c in state.get("partner_cities", [])}
                | {c["code"] for c in state.get("recipient_countries", [])}
            )
        ),
        "; ".join(c["name"] for c in state.get("partner_cities", [])),
        " ".join(f"{g['goal']}:{g['share']}" for g in state.get("sdg_goals", [])),
        " ".join(t for g in state.get("sdg_goals", []) for t in g.get("targets", [])),
        " ".join(f"{s['code']}:{s['percentage']}" for s in state.get("sectors", [])),
        " ".join(state.get("networks", [])),
        dates.get("actual_start") or dates.get("planned_start") or "",
        dates.get("actual_end") or dates.get("planned_end") or "",
        *(money[f.removesuffix("_eur")] for f in MONEY),
    ]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_row(table[0]))
    writer.writerows(csv_row(row) for row in table[1])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(table: Table, sheet: str) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, XLSX_OPTIONS)
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    formats = {
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "text": workbook.add_format({"quote_prefix": True}),
    }
    for c, name in enumerate(table[0]):
        worksheet.write_string(0, c, name, bold)
    for r, row in enumerate(table[1], start=1):
        for c, value in enumerate(row):
            write_xlsx_cell(worksheet, r, c, value, formats)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
