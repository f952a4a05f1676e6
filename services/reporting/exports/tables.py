"""Reports as tables (a header and rows), and tables as CSV or XLSX files.

Amounts stay exact decimal strings in CSV. XLSX cells hold numbers (spreadsheets store doubles),
with a two-decimal format; every figure here is far below 2^53 cents, so each shows exactly.
Text (project titles, city names: anyone's input) never becomes a formula: shared/spreadsheet.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from services.reporting.breakdown.schemas import Breakdown, CityPlace
from services.reporting.portfolio.years import YearSums, year_order
from services.reporting.sdg.schemas import Money, SdgReport
from shared.spreadsheet import XLSX_OPTIONS, csv_row, write_xlsx_cell

Table = tuple[list[str], list[list[Any]]]
MONEY = ["budgeted_eur", "committed_eur", "disbursed_eur", "spent_eur"]
NO_MONEY = Money()
CENT = Decimal("0.01")


def _money(money: Money) -> list[Decimal]:
    return [getattr(money, field) for field in MONEY]


def report_years(blocks: list[Money]) -> list[str]:
    """The years the money blocks are split into (reports asked `by_year`), in order, `undated` last;
    none otherwise, and the tables then have no year columns."""
    return sorted({year for block in blocks for year in block.years or {}}, key=year_order)


def year_header(prefix: str, years: list[str]) -> list[str]:
    """`attributed_committed_eur_2025`: one column per year and figure, after the lifetime columns."""
    return [f"{prefix}{field}_{year}" for year in years for field in MONEY]


def _year_cells(money: Money | None, years: list[str]) -> list[Any]:
    """A block's money per year (0.00 for a year it has none of); blank where the block is not
    split by year at all (the overlapping contributes-to columns of the total rows)."""
    if money is None or money.years is None:
        return [""] * (len(years) * len(MONEY))
    return [getattr(money.years.get(year, NO_MONEY), field) for year in years for field in MONEY]


def sdg_table(report: SdgReport) -> Table:
    years = report_years([report.totals])
    header = [
        "level",
        "code",
        "label_en",
        "label_ca",
        "projects",
        *(f"attributed_{f}" for f in MONEY),
        *(f"contributes_to_{f}" for f in MONEY),
        *year_header("attributed_", years),
        *year_header("contributes_to_", years),
    ]

    def cells(attributed: Money, contributes_to: Money | None) -> list[Any]:
        lifetime = _money(contributes_to) if contributes_to else [""] * len(MONEY)
        return [*_money(attributed), *lifetime, *_year_cells(attributed, years), *_year_cells(contributes_to, years)]

    rows: list[list[Any]] = []
    for goal in report.goals:
        label = goal.label
        rows.append(
            [
                "goal",
                goal.goal,
                label.get("en", ""),
                label.get("ca", ""),
                goal.projects,
                *cells(goal.attributed, goal.contributes_to),
            ]
        )
        for target in goal.targets:
            rows.append(
                ["target", target.target, "", "", target.projects, *cells(target.attributed, target.contributes_to)]
            )
    rows.append(["unattributed", "", "", "", "", *cells(report.unattributed, None)])
    rows.append(["total", "", "", "", report.projects, *cells(report.totals, None)])
    return header, rows


PLACE_COLUMNS = ("geonames_id", "country_code", "latitude", "longitude")


def _place_cells(place: CityPlace | None) -> list[Any]:
    if place is None:
        return [""] * len(PLACE_COLUMNS)
    return ["" if v is None else v for v in (place.geonames_id, place.country, place.latitude, place.longitude)]


def breakdown_table(report: Breakdown) -> Table:
    years = report_years([report.totals])
    # A city row says where the city is (for maps), after every money column so none moves.
    places = report.dimension == "city"
    header = [
        report.dimension,
        "projects",
        *(f"attributed_{f}" for f in MONEY),
        *(f"contributes_to_{f}" for f in MONEY),
        *year_header("attributed_", years),
        *year_header("contributes_to_", years),
        *(PLACE_COLUMNS if places else ()),
    ]
    rows: list[list[Any]] = [
        [
            row.value,
            row.projects,
            *_money(row.attributed),
            *_money(row.contributes_to),
            *_year_cells(row.attributed, years),
            *_year_cells(row.contributes_to, years),
            *(_place_cells(row.place) if places else ()),
        ]
        for row in report.rows
    ]
    rows.append(
        [
            "total",
            report.projects,
            *_money(report.totals),
            *[""] * 4,
            *_year_cells(report.totals, years),
            *_year_cells(None, years),
            *([""] * len(PLACE_COLUMNS) if places else ()),
        ]
    )
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


def project_years(per_project: list[YearSums]) -> list[str]:
    return sorted({year for years in per_project for year in years}, key=year_order)


def project_header(years: list[str]) -> list[str]:
    return [*PROJECT_COLUMNS, *year_header("", years)]


def project_row(
    state: dict[str, Any], money: dict[str, Decimal], by_year: YearSums | None = None, years: Sequence[str] = ()
) -> list[Any]:
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
        *(
            (by_year or {}).get(year, {}).get(f.removesuffix("_eur"), Decimal(0)).quantize(CENT)
            for year in years
            for f in MONEY
        ),
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
