"""Spanish tax identifiers, checked with their check digit by python-stdnum (never a hand-made table).

An entity's tax id is a CIF (legal persons: associations, foundations, companies), a NIF of a person
(DNI number and letter) or a NIE (foreigners); a legal representative is a person: DNI or NIE.
Values are stored compacted (no spaces, dots or dashes; upper case), so a tax id is unique as written.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from stdnum.es import cif, nie, nif
from stdnum.util import clean

from shared.problem_texts import invalid

# The first character tells what a tax id is meant to be, so the message can say which check failed.
NIE_LETTERS = "XYZ"


def _compact(value: object) -> object:
    return clean(value, " -./").upper().strip() if isinstance(value, str) else value


def _kind(value: str) -> str:
    if value[:1] in NIE_LETTERS:
        return "NIE"
    if value[:1].isdigit() or value[:1] in "KLM":  # DNI, and the NIFs K/L/M of persons without one
        return "NIF"
    return "CIF"


def _valid(value: str, kinds: tuple[str, ...]) -> bool:
    kind = _kind(value)
    if kind not in kinds:
        return False
    if kind == "NIE":
        return bool(nie.is_valid(value))
    if kind == "NIF":
        return bool(nif.is_valid(value))  # DNI, and K/L/M
    return bool(cif.is_valid(value))


def entity_tax_id(value: str) -> str:
    if not _valid(value, ("CIF", "NIF", "NIE")):
        raise invalid("invalid_tax_id", kind=_kind(value))
    return value


def person_id(value: str) -> str:
    if _kind(value) == "CIF":
        raise invalid("person_id_not_cif")
    if not _valid(value, ("NIF", "NIE")):
        raise invalid("invalid_tax_id", kind=_kind(value))
    return value


_FORM = Field(min_length=9, max_length=9, pattern=r"^[A-Z0-9]{9}$")
EntityTaxId = Annotated[
    str,
    BeforeValidator(_compact),
    _FORM,
    AfterValidator(entity_tax_id),
    Field(description="Spanish CIF, NIF or NIE, with its check digit (spaces and dashes are ignored)"),
]
PersonId = Annotated[
    str,
    BeforeValidator(_compact),
    _FORM,
    AfterValidator(person_id),
    Field(description="Spanish NIF (DNI) or NIE of a person, with its check digit"),
]
