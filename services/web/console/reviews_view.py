"""What a reviewer reads of an update: each reported actual beside its indicator's baseline and the
period's target (and what the project holds now), the narratives, the spending and every step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class ReportedActual:
    indicator: dict[str, str]
    measure: str
    start: str
    end: str
    baseline: dict[str, Any] | None
    target: str | None
    recorded: str | None  # the period's actual on the project now (the approved one, once approved)
    value: str | None
    comment: str | None
    found: bool  # False: the period is no longer in the project's framework


def _periods(project: dict[str, Any]) -> dict[tuple[str, str, str], tuple[dict[str, Any], dict[str, Any]]]:
    found = {}
    for result in project.get("results") or []:
        for indicator in result.get("indicators") or []:
            for period in indicator.get("periods") or []:
                found[(str(indicator.get("id")), str(period.get("start")), str(period.get("end")))] = (
                    indicator,
                    period,
                )
    return found


def reported_actuals(project: dict[str, Any], content: dict[str, Any]) -> list[ReportedActual]:
    periods = _periods(project)
    rows = []
    for actual in content.get("actuals") or []:
        key = (str(actual.get("indicator_id")), str(actual.get("period_start")), str(actual.get("period_end")))
        indicator, period = periods.get(key, ({}, {}))
        rows.append(
            ReportedActual(
                indicator=indicator.get("title") or {},
                measure=str(indicator.get("measure", "")),
                start=key[1],
                end=key[2],
                baseline=indicator.get("baseline"),
                target=period.get("target"),
                recorded=period.get("actual"),
                value=actual.get("value"),
                comment=actual.get("comment"),
                found=bool(period),
            )
        )
    return rows


def last_comments(receipt: dict[str, Any]) -> str:
    """The reviewer's comments of the latest review (what a returned update must address)."""
    for step in reversed(receipt.get("log") or []):
        if step.get("action") in ("approved", "returned"):
            return str(step.get("comments") or "")
    return ""


def queue_query(state: str, project: str) -> str:
    """The queue's filters, carried from the list to an update and back (the default state unsaid)."""
    return urlencode({k: v for k, v in (("state", state), ("project", project)) if v and v != "submitted"})
