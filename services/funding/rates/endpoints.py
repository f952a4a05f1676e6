"""HTTP wiring of exchange rates."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from services.funding.rates import service
from services.funding.rates.schemas import (
    ConversionRead,
    Note,
    RateImport,
    RateRead,
    RateSet,
    RateSource,
    RateWritten,
)
from shared.auth import Principal, access, requires
from shared.dates import CalendarDate
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/rates", tags=["exchange rates"])
Currency = Annotated[str, Path(pattern=r"^[A-Z]{3}$")]
# Rates are reference data every institution's money is converted with: setting them is finance
# administration (rates:write, or admin), never one institution's funding:write.
RATE_WRITE = access("required", ("rates:write",))
RateWriter = Annotated[Principal, requires("rates:write")]


@router.get(
    "/{currency}",
    response_model=RateRead,
    openapi_extra=access("none"),
    responses=problem_responses(service.MissingRate),
    summary="The rate used for a value date",
)
async def rate_on(currency: Currency, session: SessionDep, on: Annotated[CalendarDate, Query()]) -> RateRead:
    return RateRead.model_validate(await service.rate_on(session, currency, on), from_attributes=True)


@router.get(
    "/{currency}/conversion",
    response_model=ConversionRead,
    openapi_extra=access("none"),
    responses=problem_responses(service.MissingRate),
    summary="An amount in EUR with the rate a booking of that value date would use (nothing is booked)",
)
async def conversion(
    currency: Currency,
    session: SessionDep,
    amount: Annotated[Decimal, Query(max_digits=15, decimal_places=2, allow_inf_nan=False)],
    on: Annotated[CalendarDate, Query()],
) -> ConversionRead:
    converted = await service.convert(session, amount, service.known_currency(currency), on)
    return ConversionRead(
        amount=amount,
        currency=currency,
        value_date=on,
        amount_eur=converted.amount_eur,
        rate=converted.rate,
        rate_date=converted.rate_date,
        rate_source=converted.rate_source,
    )


@router.put(
    "/{currency}/{rate_date}",
    response_model=RateWritten,
    openapi_extra=RATE_WRITE,
    responses=problem_responses(service.OutlierRate),
    summary="Set one rate (units per EUR); one far from its neighbours needs confirm_outlier",
)
async def set_rate(
    currency: Currency,
    rate_date: Annotated[CalendarDate, Path()],
    body: RateSet,
    session: SessionDep,
    principal: RateWriter,
) -> RateWritten:
    rate = await service.set_rate(session, principal, service.known_currency(currency), rate_date, body)
    return RateWritten.model_validate(rate, from_attributes=True)


@router.post(
    "/import",
    response_model=RateImport,
    openapi_extra=RATE_WRITE,
    responses=problem_responses(service.InvalidRateFile),
    summary="Load rates in bulk from a central bank CSV (Date column, one column per currency)",
)
async def import_rates(
    session: SessionDep,
    principal: RateWriter,
    body: Annotated[str, Body(media_type="text/csv", max_length=1_000_000)],
    source: Annotated[RateSource, Query()] = "ECB",
    note: Annotated[Note | None, Query()] = None,
    confirm_outliers: Annotated[bool, Query(description="Load rows far from their neighbours too")] = False,
) -> RateImport:
    loaded, currencies, skipped = await service.import_csv(session, principal, body, source, note, confirm_outliers)
    return RateImport(loaded=loaded, currencies=currencies, skipped=skipped[:100])
