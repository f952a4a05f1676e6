"""Spanish tax ids as the API reads them: the check digit decides, the form is normalised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from stdnum.es import cif, dni

from services.funding.grants.tax_ids import EntityTaxId, PersonId

ENTITY = TypeAdapter(EntityTaxId)
PERSON = TypeAdapter(PersonId)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("G00001016", "G00001016"),  # association
        ("b-1234567-4", "B12345674"),  # company, written with dashes and in lower case
        ("A58818501", "A58818501"),
        ("12345678Z", "12345678Z"),  # a person's NIF (DNI)
        ("X1234567L", "X1234567L"),  # NIE
        ("Y 1234567 X", "Y1234567X"),
        ("M1234567L", "M1234567L"),  # NIF of a foreigner without NIE
    ],
)
def test_valid_tax_ids_are_kept_compacted(written: str, stored: str) -> None:
    assert ENTITY.validate_python(written) == stored


@pytest.mark.parametrize(
    "written",
    [
        "G00001017",
        "B12345675",
        "12345678A",
        "X1234567A",
        "Z0000000A",
        "I12345678",
        "123456789",
        "G0000101",
        "",
        "ÑÑÑÑÑÑÑÑÑ",
    ],
)
def test_a_wrong_check_digit_or_form_is_refused(written: str) -> None:
    with pytest.raises(ValidationError):
        ENTITY.validate_python(written)


def test_a_person_is_not_a_company() -> None:
    assert PERSON.validate_python("12345678z") == "12345678Z"
    assert PERSON.validate_python("X1234567L") == "X1234567L"
    with pytest.raises(ValidationError, match="not a CIF"):
        PERSON.validate_python("G00001016")


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from("TRWAGMYFPDXBNJZSQVHLCKE"))
def test_only_the_right_dni_letter_passes(number: int, letter: str) -> None:
    written = f"{number:08d}{letter}"
    right = dni.calc_check_digit(f"{number:08d}") == letter
    try:
        ENTITY.validate_python(written)
        PERSON.validate_python(written)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == right


@given(
    st.sampled_from("ABCDEFGHJNPQRSUVW"),
    st.integers(min_value=0, max_value=9_999_999),
    st.sampled_from("0123456789ABCDEFGHIJ"),
)
def test_only_a_cif_with_its_control_passes(letter: str, number: int, control: str) -> None:
    base = f"{letter}{number:07d}"
    accepted = True
    try:
        ENTITY.validate_python(base + control)
    except ValidationError:
        accepted = False
    assert accepted == (control in cif.calc_check_digits(base) and cif.is_valid(base + control))
