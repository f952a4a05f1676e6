"""Problems in the caller's language.

Every error item of a problem carries a stable `code` and its `params`; the human `message` is the
English template of the code filled with the params, translated by the gettext catalogues in
shared/locale (ca, es, pt, fr; English is the source) into the language Accept-Language asks for.
Titles and fixed details are translated by their English text. A client that shows errors to a
person may also build its own text from `code` and `params`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from pydantic_core import PydanticCustomError

from shared.languages import negotiate

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "ca", "es", "pt", "fr")
LOCALE_DIR = Path(__file__).parent / "locale"

# English templates of the field-error codes: Pydantic's own error types (their ctx gives the
# params) and the platform's rules. The msgids of the catalogues.
TEMPLATES: dict[str, str] = {
    # Pydantic
    "missing": "Field required",
    "extra_forbidden": "Extra inputs are not permitted",
    "string_type": "Input should be a valid string",
    "string_too_short": "Should have at least {min_length} characters",
    "string_too_long": "Should have at most {max_length} characters",
    "string_pattern_mismatch": "Should match the pattern {pattern}",
    "too_short": "Should have at least {min_length} items",
    "too_long": "Should have at most {max_length} items",
    "int_parsing": "Input should be a valid integer",
    "int_type": "Input should be a valid integer",
    "int_from_float": "Input should be a valid integer, without a fractional part",
    "float_parsing": "Input should be a valid number",
    "float_type": "Input should be a valid number",
    "decimal_parsing": "Input should be a valid decimal number",
    "decimal_type": "Input should be a valid decimal number",
    "decimal_max_digits": "Should have at most {max_digits} digits in total",
    "decimal_max_places": "Should have at most {decimal_places} decimal places",
    "decimal_whole_digits": "Should have at most {whole_digits} digits before the decimal point",
    "finite_number": "Input should be a finite number",
    "greater_than": "Should be greater than {gt}",
    "greater_than_equal": "Should be greater than or equal to {ge}",
    "less_than": "Should be less than {lt}",
    "less_than_equal": "Should be less than or equal to {le}",
    "multiple_of": "Should be a multiple of {multiple_of}",
    "bool_parsing": "Input should be a valid boolean",
    "bool_type": "Input should be a valid boolean",
    "date_parsing": "Input should be a valid date in the format YYYY-MM-DD",
    "date_from_datetime_parsing": "Input should be a valid date in the format YYYY-MM-DD",
    "date_from_datetime_inexact": "Input should be a date without a time",
    "date_type": "Input should be a valid date",
    "datetime_parsing": "Input should be a valid date and time",
    "datetime_from_date_parsing": "Input should be a valid date and time",
    "datetime_type": "Input should be a valid date and time",
    "timezone_aware": "Input should have a time zone",
    "uuid_parsing": "Input should be a valid UUID",
    "uuid_type": "Input should be a valid UUID",
    "literal_error": "Input should be {expected}",
    "enum": "Input should be {expected}",
    "json_invalid": "Invalid JSON",
    "json_type": "Input should be valid JSON",
    "model_type": "Input should be an object",
    "model_attributes_type": "Input should be an object",
    "dict_type": "Input should be an object",
    "list_type": "Input should be a list",
    "set_type": "Input should be a list of distinct values",
    "url_parsing": "Input should be a valid URL",
    "url_scheme": "URL scheme should be {expected_schemes}",
    "url_type": "Input should be a valid URL",
    "union_tag_invalid": "Input tag {tag} does not match any of the expected tags: {expected_tags}",
    "union_tag_not_found": "Unable to extract the tag using discriminator {discriminator}",
    "value_error": "Value error: {error}",
    "assertion_error": "Assertion failed: {error}",
    # The platform's rules
    "invalid": "Invalid value",
    "required": "Required",
    "not_in_codelist": "Not a code of the {codelist} codelist",
    "unknown_code": "Not in the {listname} list",
    "range_reversed": "After {other} ({other_value})",
    "alias_differs": "Differs from its deprecated alias",
    "invalid_cursor": "Invalid cursor",
    "sum_not_100": "{what} must sum to 100, not {total}",
    "duplicate": "Each {what} may appear once",
    "target_not_under_goal": "Target {target} is not under goal {goal}",
    "end_before_start": "{end} is before {start}",
    "end_needs_start": "{end} needs {start}",
    "periods_overlap": "Periods overlap: {first} and {second}",
    "qualitative_takes_comments": "A qualitative indicator takes comments, not numbers",
    "percentage_range": "A percentage indicator takes values from 0 to 100",
    "undeclared_dimensions": "Dimension(s) {dimensions} not declared in disaggregations",
    "not_proposable": "{reason}",
    "unknown_scope": "Unknown scope",
    "scope_not_grantable": "Not a scope this organisation's API clients may have: {scopes}",
    "invalid_key": "Invalid key",
    "unknown_event_type": "Not in /asyncapi.json",
    "no_exchange_rate": "No exchange rate",
    "unknown_currency": "Unknown currency",
    "unknown_source": "Unknown source",
    "unknown_network": "Unknown network",
    "required_for_eu_sources": "Required for feder and ec-call sources",
    "required_for_eu_expenditure": "Required for expenditure on feder and ec-call sources",
    "only_for_eu_sources": "Only for EU sources",
    "update_empty": "An update needs a narrative, actuals or spending",
    "no_such_period": "No such indicator period in the project's results",
    "period_locked": "The period is locked (closed): it takes no new actuals",
    "takes_a_number": "This indicator takes a number",
    "takes_a_comment": "A qualitative indicator takes a comment",
    "unknown_geonames_id": "No city with this GeoNames id in {country}",
    "not_a_name_of": "Not a name of {city}",
    "too_far_from_city": "{km} km from {city}: leave the coordinates out to use the city's",
    "not_a_document_of": "No file {document} was uploaded to this application",
    "document_of_other_purpose": "Uploaded for the {actual}, not for the {purpose}",
    # The grant call's rules (services/funding/grants), the ledger's and the exchange rates'
    "local_holiday_repeated": "each local holiday may appear once",
    "payment_plan_stages": "payment_plan: at most one instalment per stage, acceptance first",
    "payment_plan_shares": "payment_plan: the shares add up to 100",
    "budget_category_repeated": "each budget category code may appear once",
    "closes_before_opens": "closes_at must be after opens_at",
    "programme_code_repeated": "each programme code may appear once",
    "modality_code_repeated": "each modality code may appear once",
    "criterion_code_repeated": "each criterion code may appear once",
    "modality_unknown_programme": "modality {modality}: unknown programme {programme}",
    "modality_remainder_to": "modality {modality}: remainder_to must name other modalities of the call",
    "modality_budget_before_year": "modality {modality}: budget years start at the call's year {year}",
    "min_score_unreachable": "min_score is above the most points the criteria give",
    "not_admitted_needs_reason": "a reason is required to not admit an application",
    "refused_line_needs_reason": "a refused line needs its reason",
    "invalid_tax_id": "not a valid Spanish {kind}: its check digit or its form is wrong",
    "person_id_not_cif": "a person is identified by a NIF (DNI) or a NIE, not a CIF",
    "in_kind_not_eur": "in-kind contributions are valued in EUR",
    "rate_out_of_range": "the rate must be above {min} and below {max} units per EUR",
    "rate_too_many_places": "the rate takes at most {places} decimal places",
    # What an IATI activity must carry before it is published (services/projects/projects/completeness.py)
    "publish_needs_description": "Required to publish: a description in at least one language",
    "publish_needs_start": "Required to publish: a planned start date (or the actual start of one under way)",
    "publish_needs_recipient": "Required to publish: a recipient country, or a recipient region",
    "publish_needs_sector": "Required to publish: at least one sector (OECD DAC purpose code)",
    "publish_needs_organisation": "Required to publish: at least one participating organisation",
}

# Details that are fixed texts (free-text details of a problem are passed through as they are).
DETAILS: dict[str, str] = {
    "invalid_fields": "Invalid field(s): {fields}",
}

# Titles and details written inline where a problem is answered without a ProblemError class (the
# edge guards, the probes, the last-resort handlers); the catalogues translate them like the rest.
FIXED_TEXTS = (
    "The request body is too large",
    "The body is not valid JSON",
    "The JSON body is nested too deeply",
    "Text may not contain control characters",
    "Only tab, line feed and carriage return are allowed below U+0020",
    "Too many requests",
    "Not ready",
    "The database is unavailable",
    "A dependency is not ready",
    "A value is out of range",
    "A date or number in the request is outside the range this operation can compute with.",
    "Internal error",
    "The error was logged with this request id.",
    "The service cannot reach its database now; nothing was changed. Retry later.",
    "Not Found",
    "Method Not Allowed",
)


def field_error(
    field: str, code: str, *, value: Any = None, location: str | None = None, **params: Any
) -> dict[str, Any]:
    """One entry of a problem's `errors`: the field, its code and params, the English message."""
    item: dict[str, Any] = {"field": field, "code": code, "message": render(code, params, SOURCE_LANGUAGE)}
    if params:
        item["params"] = {name: plain(v) for name, v in params.items()}
    if location:
        item["in"] = location
    if value is not None:
        item["value"] = value
    return item


def invalid(code: str, **params: Any) -> PydanticCustomError:
    """A validator's error with a stable code (Pydantic reports it as `type`, its params as ctx)."""
    return PydanticCustomError(code, TEMPLATES[code], {name: plain(v) for name, v in params.items()})


def plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return str(value)


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr of one language (empty for the source language)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "problems.po"
    if language == SOURCE_LANGUAGE or not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def translate(text: str, language: str) -> str:
    return catalogue(language).get(text, text)


def render(code: str, params: dict[str, Any], language: str) -> str | None:
    template = TEMPLATES.get(code)
    if template is None:
        return None
    try:
        return translate(template, language).format(**params)
    except (KeyError, IndexError, ValueError):
        # A template whose params the error did not carry: the English text is still right.
        return None


def language_of(accept_language: str | None) -> str:
    return negotiate(accept_language, LANGUAGES, SOURCE_LANGUAGE)


def localize(body: dict[str, Any], language: str) -> dict[str, Any]:
    """The problem body in `language`: title, a fixed detail and each error's message."""
    fields = ", ".join(sorted({str(e.get("field", "")) for e in body.get("errors") or []}))
    if language == SOURCE_LANGUAGE:
        return body
    out = dict(body)
    out["title"] = translate(str(body["title"]), language)
    detail = body.get("detail")
    if detail is not None:
        if fields and detail == DETAILS["invalid_fields"].format(fields=fields):
            out["detail"] = translate(DETAILS["invalid_fields"], language).format(fields=fields)
        else:
            out["detail"] = translate(str(detail), language)
    if body.get("errors"):
        out["errors"] = [_localized_error(e, language) for e in body["errors"]]
    return out


def _localized_error(error: dict[str, Any], language: str) -> dict[str, Any]:
    item = dict(error)
    code = str(item.get("code", ""))
    text = render(code, dict(item.get("params") or {}), language) if code != "value_error" else None
    item["message"] = text if text is not None else translate(str(item.get("message", "")), language)
    return item
