"""Where a call stands: its applications counted per state, the next step due with its deadline,
and the ranking so far (the resolution's own once there is one: it alone allocates the money)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class NextStep:
    text: str
    deadline: str | None  # an ISO date or date-time, None when the step has none
    overdue: bool = False


def counts(applications: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(str(a["state"]) for a in applications))


def _passed(moment: str, now: datetime) -> bool:
    when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if when.tzinfo is None:  # a calendar date: over once its day is
        return when.date() < now.date()
    return when <= now


def next_step(
    call: dict[str, Any],
    applications: list[dict[str, Any]],
    resolution: dict[str, Any] | None,
    gettext: Callable[[str], str],
    now: datetime | None = None,
) -> NextStep:
    _ = gettext
    now = now or datetime.now(UTC)
    per_state = counts(applications)
    status = call["status"]
    if status == "draft":
        return NextStep(_("Open the call"), call["opens_at"], _passed(call["opens_at"], now))
    if status == "open":
        closes = call["closes_at"]
        if _passed(closes, now):
            return NextStep(_("Close the call: its period for applications is over"), closes, True)
        return NextStep(_("Applications are being received; close the call when the period ends"), closes)
    if status == "closed":
        if per_state.get("submitted"):
            text = _("Applications awaiting admission: %(count)s") % {"count": per_state["submitted"]}
            return NextStep(text, None)
        if per_state.get("admitted"):
            return NextStep(
                _("Admitted applications awaiting their score sheets: %(count)s") % {"count": per_state["admitted"]},
                None,
            )
        return NextStep(_("Adopt the provisional resolution"), None)
    until = (resolution or {}).get("objections_until") if status == "provisionally-resolved" else None
    if status == "provisionally-resolved":
        if per_state.get("objected"):
            text = _("Objections to decide: %(count)s") % {"count": per_state["objected"]}
            return NextStep(text, until)
        return NextStep(_("Adopt the definitive resolution once the objection period is over"), until)
    accept_until = (resolution or {}).get("acceptance_until")
    return NextStep(_("The grantees accept their grants"), accept_until)


@dataclass(frozen=True)
class Ranked:
    rank: int | None
    reference: str
    application_id: str
    modality: str
    total_score: Decimal | None
    funded: bool | None  # None before a resolution
    granted: Decimal
    reason: str


def ranking(applications: list[dict[str, Any]], resolution: dict[str, Any] | None) -> list[Ranked]:
    """The resolution's ranking when there is one; before, the scored applications by total score,
    best first (the API breaks ties with its `tie_break` rule when it resolves)."""
    if resolution is not None:
        return [
            Ranked(
                d.get("rank"),
                d["reference"],
                str(d["application_id"]),
                d["modality"],
                Decimal(str(d["total_score"])) if d.get("total_score") is not None else None,
                bool(d["funded"]),
                sum((Decimal(str(v)) for v in (d.get("granted") or {}).values()), Decimal(0)),
                str(d.get("reason") or ""),
            )
            for d in sorted(resolution["decisions"], key=lambda d: (d["modality"], d.get("rank") or 10**6))
        ]
    scored = [a for a in applications if a.get("total_score") is not None and a["state"] != "not-admitted"]
    scored.sort(key=lambda a: (a["modality"], -Decimal(str(a["total_score"])), a["submitted_at"]))
    ranked: list[Ranked] = []
    for a in scored:
        same = [r for r in ranked if r.modality == a["modality"]]
        ranked.append(
            Ranked(
                len(same) + 1,
                a["reference"],
                str(a["id"]),
                a["modality"],
                Decimal(str(a["total_score"])),
                None,
                Decimal(0),
                "",
            )
        )
    return ranked
