"""Filters of the funding list routes: a filter on a code that does not exist is a 422 naming it,
not an empty page that reads as "nothing there"."""

from __future__ import annotations

from shared.codelists import codelists
from shared.problem_texts import field_error
from shared.problems import Unprocessable


class UnknownFilter(Unprocessable):
    kind, title = "unknown-filter-value", "A filter names a code that does not exist"


def check_institution(value: str | None, field: str = "institution") -> None:
    if value is not None and value not in codelists()["institutions"]:
        raise UnknownFilter(
            f"{field}={value}: no such institution",
            errors=[field_error(field, "not_in_codelist", value=value, codelist="institutions")],
        )
