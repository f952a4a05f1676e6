"""Problems in the caller's language: stable codes with params, texts from the catalogues."""

from __future__ import annotations

import string

import httpx
import pytest

from shared.problem_texts import LANGUAGES, SOURCE_LANGUAGE, catalogue, language_of, localize
from tests.support.grants import call_body
from tests.support.projects import project_payload
from xarxa.problem_catalogue import missing, msgids

CITY = "partner_cities.0.name"
TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_problem_text_is_translated(language: str) -> None:
    assert missing(language) == [], f"run `make i18n-problems` and translate shared/locale/{language}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    texts = catalogue(language)
    for msgid in msgids():
        if msgid in texts:
            assert _fields(texts[msgid]) == _fields(msgid), (language, msgid)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("es-ES,es;q=0.9", "es"),
        ("de, ca;q=0.5", "ca"),
        ("fr-CA", "fr"),
        ("en;q=0.1, pt;q=0.8", "pt"),
        ("*", "en"),
        ("es;q=0, ca;q=0.2", "ca"),
    ],
)
def test_the_language_comes_from_accept_language(header: str | None, language: str) -> None:
    assert language_of(header) == language


def test_a_body_is_localized_by_code_and_params() -> None:
    body = {
        "type": "https://xarxa.barcelona/problems/validation-error",
        "title": "The request is not valid",
        "status": 422,
        "detail": "Invalid field(s): code, other",
        "errors": [
            {"field": "code", "code": "string_too_long", "params": {"max_length": 60}, "message": "x"},
            {"field": "other", "code": "no-template-for-this", "message": "Unknown currency"},
        ],
    }
    es = localize(body, "es")
    assert es["title"] == "La solicitud no es válida"
    assert es["detail"] == "Campos no válidos: code, other"
    assert es["errors"][0]["message"] == "Debe tener como máximo 60 caracteres"
    assert es["errors"][0]["code"] == "string_too_long"
    assert es["errors"][1]["message"] == "Moneda desconocida"
    assert localize(body, "en") == body


async def test_a_refused_project_speaks_the_callers_language(gateway: httpx.AsyncClient) -> None:
    payload = project_payload()
    payload["partner_cities"] = [{"name": "X" * 400, "country": "CU"}]
    payload["sdg_goals"] = [{"goal": "6", "share": "60"}, {"goal": "11", "share": "30"}]
    payload["recipient_countries"] = [{"code": "QQ", "percentage": "100"}]
    english = await gateway.post("/api/projects/projects", json=payload)
    assert english.status_code == 422
    assert english.headers["content-language"] == "en"
    by_field = {e["field"]: e for e in english.json()["errors"]}
    assert by_field[CITY]["code"] == "string_too_long"
    assert by_field[CITY]["params"]["max_length"] > 0
    assert by_field["sdg_goals"]["code"] == "sum_not_100"
    assert by_field["recipient_countries.0.code"]["code"] == "not_in_codelist"

    for language, title, word in [
        ("ca", "La petició no és vàlida", "caràcters"),
        ("es", "La solicitud no es válida", "caracteres"),
        ("pt", "O pedido não é válido", "caracteres"),
        ("fr", "La requête n'est pas valide", "caractères"),
    ]:
        answer = await gateway.post("/api/projects/projects", json=payload, headers={"Accept-Language": language})
        assert answer.status_code == 422
        assert answer.headers["content-language"] == language
        problem = answer.json()
        assert problem["title"] == title
        localized = {e["field"]: e for e in problem["errors"]}
        assert word in localized[CITY]["message"]
        assert localized[CITY]["code"] == "string_too_long"  # codes never change with the language
        assert "100" in localized["sdg_goals"]["message"]
        assert localized["sdg_goals"]["message"] != by_field["sdg_goals"]["message"]


async def test_a_refused_grant_call_names_each_field_with_its_code(gateway: httpx.AsyncClient) -> None:
    """The call's own rules answer stable codes naming their field (not `value_error`), in the caller's
    language, and nothing is created."""
    body = call_body("CODES-1")
    body["closes_at"] = body["opens_at"]
    body["payment_plan"] = [{"stage": "acceptance", "share_percent": "90"}]
    body["modalities"][0]["programme"] = "other"
    body["criteria"][0]["max_points"] = "40"
    expected = {
        "closes_at": ("closes_before_opens", "closes_at ha de ser posterior a opens_at"),
        "payment_plan": ("payment_plan_shares", "payment_plan: els percentatges han de sumar 100"),
        "modalities": ("modality_unknown_programme", "modalitat m: programa desconegut other"),
        "min_score": ("min_score_unreachable", "min_score supera la puntuació màxima que donen els criteris"),
    }
    catalan = await gateway.post("/api/funding/grants/calls", json=body, headers={"Accept-Language": "ca"})
    assert catalan.status_code == 422, catalan.text
    errors = {e["field"]: e for e in catalan.json()["errors"]}
    assert {f: (e["code"], e["message"]) for f, e in errors.items()} == expected
    assert errors["modalities"]["params"] == {"modality": "m", "programme": "other"}
    english = await gateway.post("/api/funding/grants/calls", json=body)
    in_english = {e["field"]: e["message"] for e in english.json()["errors"]}
    assert in_english["closes_at"] == "closes_at must be after opens_at"
    listed = await gateway.get("/api/funding/grants/calls")
    assert listed.status_code == 200 and "CODES-1" not in {c["code"] for c in listed.json()["items"]}


async def test_the_edge_refuses_in_the_callers_language(anonymous: httpx.AsyncClient) -> None:
    answer = await anonymous.post("/api/projects/projects", json=project_payload(), headers={"Accept-Language": "ca"})
    assert answer.status_code == 401
    assert answer.headers["content-language"] == "ca"
    assert answer.json()["title"] == "Cal un testimoni d'accés (bearer token) vàlid"
