"""The grant procedure's states in words: the API's codes (schemas of funding's grants) as a person
reads them, in the console's language. Templates use `grant_labels.application[a.state]`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GrantLabels:
    call: dict[str, str]
    application: dict[str, str]
    payment: dict[str, str]
    stage: dict[str, str]


def grant_labels(gettext: Callable[[str], str]) -> GrantLabels:
    _ = gettext
    return GrantLabels(
        call={
            "draft": _("Being prepared"),
            "open": _("Open for applications"),
            "closed": _("Closed, under evaluation"),
            "provisionally-resolved": _("Provisionally resolved"),
            "resolved": _("Resolved"),
        },
        application={
            "submitted": _("Submitted"),
            "admitted": _("Admitted"),
            "not-admitted": _("Not admitted"),
            "scored": _("Scored"),
            "provisionally-granted": _("Provisionally granted"),
            "provisionally-denied": _("Provisionally denied"),
            "objected": _("Objection filed"),
            "granted": _("Grant awarded"),
            "denied": _("Denied"),
            "accepted": _("Grant accepted"),
            "renounced": _("Renounced"),
            "excluded": _("Excluded"),
            "in-execution": _("In execution"),
            "justified": _("Justified"),
            "closed": _("File closed"),
        },
        payment={
            "planned": _("Payment planned"),
            "due": _("Payment due"),
            "paid": _("Payment made"),
            "cancelled": _("Payment cancelled"),
            "returned": _("Money returned"),
        },
        stage={
            "acceptance": _("On acceptance"),
            "justification": _("On justification"),
            "return": _("Return"),
        },
    )
