"""The resolution as the administrative act it is, in Catalan, Spanish or English: HTML, PDF, CSV.

What the act says comes from the call (its title, reference, regulatory bases, rules, signatory),
the published resolution (its date of the act, its decisions) and the applications (project
titles, requests, objections). Its texts are the English msgids of the gettext catalogue in
`locale/<lang>/LC_MESSAGES/act.po`; money and dates are written by Babel in the act's locale. The
date of the act is the resolution's `resolved_on`, never the day the document is printed.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.funding.grants.models import GrantApplication, GrantCall, GrantEntity
from services.funding.grants.schemas import Resolution, ResolutionDecision
from shared.codelists import codelists
from shared.spreadsheet import csv_row

Lang = Literal["ca", "es", "en"]
HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
DOMAIN = "act"
LOCALES = {"ca": "ca_ES", "es": "es_ES", "en": "en_GB"}
# Long dates as an act writes them: "15 de desembre de 2026", "15 de diciembre de 2026". Catalan's
# month names in CLDR's format context already carry their "de"/"d'" ("de desembre", "d'octubre").
DATE_PATTERNS = {"ca": "d MMMM 'de' y", "es": "d 'de' MMMM 'de' y", "en": "d MMMM y"}
PLACE = "Barcelona"


def N_(text: str) -> str:
    """Marks a msgid for the catalogue where it is translated later."""
    return text


@functools.cache
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id and m.string and not m.fuzzy}


def translator(lang: str) -> Callable[..., str]:
    texts = _catalogue(lang)

    def gettext(message: str, **params: Any) -> str:
        text = texts.get(message, message)
        return text % params if params else text

    return gettext


def money(amount: Decimal, lang: str) -> str:
    return format_currency(amount, "EUR", locale=LOCALES[lang])


def long_date(day: date, lang: str) -> str:
    return format_date(day, DATE_PATTERNS[lang], locale=LOCALES[lang])


def localized(texts: dict[str, str] | None, lang: str) -> str:
    """The text in the act's language, else in the call's other languages (never empty if any)."""
    if not texts:
        return ""
    for candidate in (lang, "ca", "es", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()))


@dataclass
class Line:
    reference: str
    entity: str
    tax_id: str
    project: str
    modality: str
    rank: int | None
    score: str
    granted: dict[int, Decimal]
    reserve: int | None
    funded: bool
    reason: str
    total_score: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return sum(self.granted.values(), Decimal("0.00"))


@dataclass
class Act:
    lang: str
    kind: str
    institution: str
    title: str
    reference: str
    year: int
    act_date: date
    opens: date
    closes: date
    budget_total: Decimal
    budget_by_year: dict[int, Decimal]
    regulatory_bases: str
    call_text: str
    signatory_name: str
    signatory_post: str
    years: list[int]
    submitted: int
    admitted: int
    at_or_above_minimum: int
    min_score: str
    objections: int
    upheld: int
    objections_until: date | None
    acceptance_until: date | None
    granted_by_year: dict[int, Decimal]
    granted_total: Decimal
    beneficiaries: list[Line] = field(default_factory=list)
    reserve: list[Line] = field(default_factory=list)
    denied: list[Line] = field(default_factory=list)


def _points(value: Decimal | None, lang: str) -> str:
    return format_decimal(value, "#,##0.00", locale=LOCALES[lang]) if value is not None else ""


def _reason(decision: ResolutionDecision, application: GrantApplication, min_score: Decimal, lang: str) -> str:
    _ = translator(lang)
    requested = sum((Decimal(a) for a in application.requested.values()), Decimal(0))
    granted = sum(decision.granted.values(), Decimal(0))
    if decision.funded and decision.partial:
        return _(
            "Granted in part: %(granted)s of the %(requested)s requested; the applicant reformulates the project",
            granted=money(granted, lang),
            requested=money(requested, lang),
        )
    if decision.funded:
        return _("Granted in full, ranked %(rank)s in its modality", rank=decision.rank)
    if application.state == "not-admitted" or (decision.rank is None and decision.total_score is None):
        officer = application.decision_reason or ""
        return _("Not admitted: %(reason)s", reason=officer) if officer else _("Not admitted")
    if decision.total_score is not None and decision.total_score < min_score:
        return _(
            "Score of %(score)s points, below the minimum of %(minimum)s",
            score=_points(decision.total_score, lang),
            minimum=_points(min_score, lang),
        )
    if decision.reserve is not None:
        return _(
            "Ranked %(rank)s in its modality, whose budget was used up by applications ranked higher; "
            "reserve list, position %(position)s",
            rank=decision.rank,
            position=decision.reserve,
        )
    return _(
        "Ranked %(rank)s in its modality, whose budget was used up by applications ranked higher",
        rank=decision.rank,
    )


def act_of(
    call: GrantCall,
    resolution: Resolution,
    applications: list[GrantApplication],
    entities: dict[Any, GrantEntity],
    lang: str,
) -> Act:
    rules = call.rules
    modalities = {m["code"]: localized(m["title"], lang) for m in rules["modalities"]}
    institution = codelists()["institutions"].get(call.institution)
    signatory = rules.get("signatory") or {}
    by_id = {a.id: a for a in applications}
    years = sorted(resolution.figures.budget_by_year)
    budget = resolution.figures.budget_by_year
    opens, closes = datetime.fromisoformat(rules["opens_at"]), datetime.fromisoformat(rules["closes_at"])
    objected = [a for a in applications if a.objection is not None]
    act = Act(
        lang=lang,
        kind=resolution.kind,
        institution=institution.label(lang) if institution else call.institution,
        title=localized(rules.get("title"), lang),
        reference=call.code,
        year=call.year,
        act_date=resolution.resolved_on or resolution.resolved_at.date(),
        opens=opens.date(),
        closes=closes.date(),
        budget_total=sum(budget.values(), Decimal(0)),
        budget_by_year=budget,
        regulatory_bases=localized(rules.get("regulatory_bases"), lang),
        call_text=localized(rules.get("rules"), lang),
        signatory_name=str(signatory.get("name", "")),
        signatory_post=localized(signatory.get("post"), lang),
        years=years,
        submitted=resolution.figures.submitted,
        admitted=resolution.figures.admitted,
        at_or_above_minimum=resolution.figures.at_or_above_minimum,
        min_score=_points(resolution.min_score, lang),
        objections=len(objected),
        upheld=sum(1 for a in objected if (a.objection or {}).get("status") == "upheld"),
        objections_until=resolution.objections_until,
        acceptance_until=resolution.acceptance_until,
        granted_by_year=resolution.figures.granted_by_year,
        granted_total=resolution.figures.granted_total,
    )
    for decision in resolution.decisions:
        application = by_id[decision.application_id]
        entity = entities.get(application.entity_id)
        line = Line(
            reference=decision.reference,
            entity=decision.entity,
            tax_id=entity.tax_id if entity else "",
            project=localized(application.proposal.get("title"), lang),
            modality=modalities.get(decision.modality, decision.modality),
            rank=decision.rank,
            score=_points(decision.total_score, lang),
            granted=decision.granted,
            reserve=decision.reserve,
            funded=decision.funded,
            reason=_reason(decision, application, resolution.min_score, lang),
            total_score=decision.total_score,
        )
        if decision.funded:
            act.beneficiaries.append(line)
        else:
            act.denied.append(line)
            if decision.reserve is not None:
                act.reserve.append(line)
    act.reserve.sort(key=lambda line: (line.modality, line.reserve or 0))
    return act


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def act_html(act: Act) -> str:
    env = _environment().overlay()
    gettext = translator(act.lang)

    def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
        return gettext(singular if n == 1 else plural, n=n, **params)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["money"] = lambda amount: money(amount, act.lang)
    env.filters["long_date"] = lambda day: long_date(day, act.lang)
    return env.get_template("resolution_act.html").render(act=act)


def act_pdf(html: str) -> bytes:
    """The PDF of the act's HTML (WeasyPrint; CPU-bound, call it in a worker thread)."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # heavy: imported when a PDF is asked for

    pdf: bytes = HTML(string=html, base_url=str(HERE / "templates")).write_pdf()
    return pdf


def act_csv(act: Act) -> str:
    _ = translator(act.lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            _("Reference"),
            _("Entity"),
            _("Tax id"),
            _("Project"),
            _("Modality"),
            _("Rank"),
            _("Score"),
            _("Decision"),
            _("Reserve list position"),
        ]
        + [_("Amount %(year)s (EUR)", year=y) for y in act.years]
        + [_("Total (EUR)"), _("Reason")]
    )
    for line in act.beneficiaries + act.denied:
        decision = _("Granted") if line.funded else _("Denied")
        # Names, titles and reasons are applicants' and officers' text: neutralised for spreadsheets.
        writer.writerow(
            csv_row(
                [line.reference, line.entity, line.tax_id, line.project, line.modality, line.rank or ""]
                + [line.total_score if line.total_score is not None else "", decision, line.reserve or ""]
                + [line.granted.get(y, Decimal("0.00")) for y in act.years]
                + [line.total, line.reason]
            )
        )
    return out.getvalue()
