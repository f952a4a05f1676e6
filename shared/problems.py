"""RFC 9457 problem details: domain errors carry their status and a stable `type`."""

from __future__ import annotations

import decimal
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.db_errors import is_transient, sqlstate
from shared.problem_texts import DETAILS, SOURCE_LANGUAGE, language_of, localize, plain, render

log = logging.getLogger("xarxa.problems")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://xarxa.barcelona/problems/"
RETRY_AFTER_SECONDS = 5


class FieldError(BaseModel):
    """One offending field: `code` and `params` are stable for programs, `message` is for people, in the
    language Accept-Language asked for (ca, es, en, pt, fr)."""

    model_config = ConfigDict(extra="allow")

    field: str = ""
    code: str = ""
    message: str = ""
    params: dict[str, Any] | None = None
    value: Any = None
    in_: str | None = Field(default=None, alias="in")


class Problem(BaseModel):
    """The problem+json body every error response has."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Base of every domain error; subclasses set `status`, `kind` and `title`."""

    status = 400
    kind = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra


class NotFound(ProblemError):
    status, kind, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, kind, title = 409, "conflict", "Conflict"


class PreconditionFailed(ProblemError):
    status, kind, title = 412, "precondition-failed", "The resource has changed"


class PreconditionRequired(ProblemError):
    status, kind, title = 428, "precondition-required", "If-Match header required"


class IdempotencyKeyRequired(PreconditionRequired):
    """A 428 whose title names the header it wants, like If-Match's."""

    title = "Idempotency-Key header required"


class Unprocessable(ProblemError):
    status, kind, title = 422, "validation-error", "The request is not valid"


class ServiceUnavailable(ProblemError):
    status, kind, title = 503, "service-unavailable", "A dependency is unavailable"


def problem_response(
    status: int,
    kind: str,
    title: str,
    request: Request,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    # Every error entry has a stable code: the problem's kind where the entry names none.
    coded = [e if "code" in e else {**e, "code": kind} for e in errors] if errors else None
    body = Problem(
        type=TYPE_BASE + kind,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=getattr(request.state, "request_id", None),
        errors=[FieldError.model_validate(e) for e in coded] if coded else None,
        **extra,
    )
    language = language_of(request.headers.get("accept-language"))
    content = localize(body.model_dump(mode="json", exclude_none=True, by_alias=True), language)
    return JSONResponse(
        content,
        status_code=status,
        headers={**(headers or {}), "Content-Language": language},
        media_type=PROBLEM_JSON,
    )


def _pydantic_errors(errors: Any, location: str | None) -> list[dict[str, Any]]:
    """Pydantic's errors as problem entries: the field, the error type as `code`, its ctx as `params`."""
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        where = location or (loc[0] if loc else "body")
        field = ".".join(loc) if location else (".".join(loc[1:]) or ".".join(loc))
        code = str(err.get("type", "invalid"))
        params = {k: plain(v) for k, v in (err.get("ctx") or {}).items()}
        item: dict[str, Any] = {"field": field, "in": where, "code": code}
        item["message"] = (render(code, params, SOURCE_LANGUAGE) if code != "value_error" else None) or err.get(
            "msg", "invalid"
        )
        if params:
            item["params"] = params
        if "input" in err and isinstance(err["input"], (str, int, float, bool)):
            item["value"] = err["input"]
        out.append(item)
    return out


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return _pydantic_errors(exc.errors(), None)


def invalid_fields(errors: list[dict[str, Any]]) -> str:
    fields = ", ".join(sorted({e["field"] for e in errors})) or "request"
    return DETAILS["invalid_fields"].format(fields=fields)


def invalid_input(exc: ValidationError, location: str = "body") -> Unprocessable:
    """A 422 naming each offending field, for input validated in the service layer (merge patches)."""
    errors = _pydantic_errors(exc.errors(), location)
    return Unprocessable(invalid_fields(errors), errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(
            exc.status, exc.kind, exc.title, request, exc.detail, exc.errors, exc.headers, **exc.extra
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _field_errors(exc)
        return problem_response(
            422, "validation-error", "The request is not valid", request, invalid_fields(errors), errors
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        kinds = {
            404: "not-found",
            405: "method-not-allowed",
            401: "unauthorized",
            403: "forbidden",
            413: "payload-too-large",
            415: "unsupported-media-type",
            429: "too-many-requests",
        }
        return problem_response(
            exc.status_code,
            kinds.get(exc.status_code, f"http-{exc.status_code}"),
            str(exc.detail) if exc.detail else "Error",
            request,
            headers=getattr(exc, "headers", None),
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_transient(exc):
            # The database (or a connection to it) is down for now: nothing was committed, and the
            # same request may succeed in a few seconds.
            log.warning(
                "unavailable on %s %s: %s", request.method, request.url.path, sqlstate(exc) or type(exc).__name__
            )
            return problem_response(
                503,
                ServiceUnavailable.kind,
                ServiceUnavailable.title,
                request,
                "The service cannot reach its database now; nothing was changed. Retry later.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        if isinstance(exc, (OverflowError, decimal.InvalidOperation)) or (sqlstate(exc) or "")[:2] == "22":
            # The last line of defence (inputs are bounded where they are declared): a value that
            # validation let through but that computation or the database cannot hold.
            log.warning("out of range on %s %s: %r", request.method, request.url.path, exc)
            return problem_response(
                422,
                "value-out-of-range",
                "A value is out of range",
                request,
                "A date or number in the request is outside the range this operation can compute with.",
            )
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal-error", "Internal error", request, "The error was logged with this request id."
        )

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an endpoint: the problems it may return, documented in OpenAPI."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        out[err.status] = {
            "model": Problem,
            "description": err.title,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
