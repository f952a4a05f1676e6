"""Applying an imported activity's money and reading it back. Functions flush; the consumer's
transaction commits, with the inbox row and the answer event."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.iati_money.models import IatiMoneyEntry, IatiMoneySet
from services.funding.iati_money.schemas import IatiMoney, IatiMoneyEntryRead, IatiMoneyTotal
from services.funding.ledger import imported
from services.funding.ledger.service import readable
from services.funding.rates.conversion import EUR, Conversion, euro_conversion, to_eur
from services.funding.rates.service import MAX_RATE_AGE, rate_for
from shared.auth import Principal
from shared.codelists import codelists
from shared.contracts import funding as events
from shared.contracts import iati_money as contract
from shared.emit import caused_by, emit
from shared.events import CloudEvent
from shared.kafka import FUNDING_TOPIC

SOURCE = "/xarxa/funding/iati-money"


class _Rates:
    """Rates looked up once per currency and date within one activity's set."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.found: dict[tuple[str, date], tuple[Decimal, date, str] | None] = {}

    async def conversion(self, value: Decimal, currency: str, on: date) -> Conversion | None:
        if currency == EUR:
            return euro_conversion(value, on)
        key = (currency, on)
        if key not in self.found:
            rate = await rate_for(self.session, currency, on)
            self.found[key] = None if rate is None else (rate.units_per_eur, rate.rate_date, rate.source)
        hit = self.found[key]
        if hit is None:
            return None
        return Conversion(to_eur(value, hit[0]), hit[0], hit[1], hit[2])


async def _valued(
    rates: _Rates, entry: contract.MoneyEntryV1
) -> tuple[Conversion | None, contract.FlaggedEntryV1 | None]:
    """The entry's EUR value, or the flag saying why it has none (the entry is kept either way)."""

    def flag(name: str, message: str) -> tuple[None, contract.FlaggedEntryV1]:
        return None, contract.FlaggedEntryV1(kind=entry.kind, ordinal=entry.ordinal, flag=name, message=message)

    if entry.value is None:
        return flag("no-value", "; ".join(entry.notes) or "no value")
    if entry.currency is None:
        return flag("no-currency", "neither the value nor the activity states a currency")
    if entry.currency not in codelists()["Currency"]:
        return flag("no-currency", f"{entry.currency!r} is not an ISO 4217 currency")
    if entry.value_date is None:
        return flag("no-date", "no value date, transaction date or period start")
    conversion = await rates.conversion(entry.value, entry.currency, entry.value_date)
    if conversion is None:
        return flag(
            "no-rate",
            f"no {entry.currency} rate on {entry.value_date} or in the {MAX_RATE_AGE.days} days before",
        )
    return conversion, None


def _fingerprint(entry: contract.MoneyEntryV1) -> str:
    """What an entry says, wherever it stands in the file: a re-import keeps the booking of an
    entry it finds unchanged (values compared as numbers, 1000000 and 1.00E+6 alike)."""
    said = entry.model_dump(mode="json", exclude={"ordinal", "value"})
    value = None if entry.value is None else str(entry.value.normalize())
    return json.dumps([said, value], sort_keys=True)


def _held(row: IatiMoneyEntry) -> contract.MoneyEntryV1:
    """The entry an earlier import sent, rebuilt from its row (the row keeps all of it)."""
    return contract.MoneyEntryV1.model_validate(
        {
            **row.detail,
            "kind": row.kind,
            "ordinal": row.ordinal,
            "code": row.code,
            "status": row.status,
            "value": row.value,
            "currency": row.currency,
            "value_date": row.value_date,
        }
    )


def _org_name(org: contract.OrgV1 | None) -> str | None:
    return (org.name or org.ref) if org is not None else None


def _ledger_entry(
    money: contract.ActivityMoneyV1, entry: contract.MoneyEntryV1, conversion: Conversion
) -> imported.ImportedEntry:
    assert entry.value is not None and entry.currency is not None and entry.value_date is not None  # valued
    origin = events.ImportedV1(
        import_id=money.import_id,
        iati_identifier=money.iati_identifier,
        kind=entry.kind,
        ordinal=entry.ordinal,
        value_date=entry.value_date,
        transaction_date=entry.transaction_date,
        reference=entry.reference,
        humanitarian=entry.humanitarian,
        provider=events.ImportedOrgV1.model_validate(entry.provider.model_dump()) if entry.provider else None,
        receiver=events.ImportedOrgV1.model_validate(entry.receiver.model_dump()) if entry.receiver else None,
        flow_type=entry.flow_type,
        finance_type=entry.finance_type,
        aid_types=entry.aid_types,
        tied_status=entry.tied_status,
        disbursement_channel=entry.disbursement_channel,
    )
    return imported.ImportedEntry(
        kind=entry.kind,
        code=entry.code,
        status=entry.status,
        amount=entry.value,
        currency=entry.currency,
        value_date=entry.value_date,
        period_start=entry.period_start,
        period_end=entry.period_end,
        description=entry.description,
        provider_org=_org_name(entry.provider),
        receiver_org=_org_name(entry.receiver),
        conversion=conversion,
        imported=origin,
    )


async def apply_activity_money(session: AsyncSession, event: CloudEvent) -> None:
    """Replace the project's imported money with the event's set, unless a newer set is held, and
    bring the ledger in line with it.

    Only ledger entries that an import booked are ever touched (each imported entry names its
    ledger entry; hand-booked money has none): an entry the new file states unchanged keeps its
    booking, a new or changed one is booked, and a booked one the file no longer states is withdrawn
    by a negating entry. So the same file again changes nothing in the ledger, and nobody's own
    bookings are replaced by an import."""
    if event.type != contract.IATI_MONEY_IMPORTED:
        return
    money = contract.ActivityMoneyV1.model_validate(event.data)
    now = datetime.now(UTC)
    held = await session.get(IatiMoneySet, money.project_id, with_for_update=True)
    counts = {
        "transactions": sum(e.kind == "transaction" for e in money.entries),
        "budgets": sum(e.kind == "budget" for e in money.entries),
        "planned_disbursements": sum(e.kind == "planned-disbursement" for e in money.entries),
    }
    if held is not None and held.imported_at > money.imported_at:
        answer = contract.MoneyAppliedV1(
            import_id=money.import_id,
            project_id=money.project_id,
            owner=money.owner,
            iati_identifier=money.iati_identifier,
            outcome="superseded",
            **counts,
            applied_at=now,
        )
        await _answer(session, event, answer)
        return
    earlier = list(
        (await session.execute(select(IatiMoneyEntry).where(IatiMoneyEntry.project_id == money.project_id))).scalars()
    )
    bookings: dict[str, list[uuid.UUID]] = defaultdict(list)  # what earlier imports booked, by what it says
    for row in earlier:
        if row.ledger_id is not None:
            bookings[_fingerprint(_held(row))].append(row.ledger_id)
    await session.execute(delete(IatiMoneyEntry).where(IatiMoneyEntry.project_id == money.project_id))
    actor = imported.import_actor(
        money.owner, (event.model_extra or {}).get("xarxarequestid"), SOURCE, event.traceparent
    )
    refusal = await imported.import_refusal(session, actor, money.project_id)
    rates = _Rates(session)
    rows = []
    flagged: list[contract.FlaggedEntryV1] = []
    converted = booked = unchanged = 0
    for entry in money.entries:
        conversion, flag = await _valued(rates, entry)
        ledger_id: uuid.UUID | None = None
        if conversion is not None:
            converted += 1
            kept = bookings.get(_fingerprint(entry))
            if kept:
                ledger_id = kept.pop()
                unchanged += 1
            elif refusal is not None:
                flag = contract.FlaggedEntryV1(
                    kind=entry.kind, ordinal=entry.ordinal, flag="not-fundable", message=refusal
                )
            else:
                try:
                    ledger_id = await imported.book_imported(
                        session, actor, money.project_id, money.owner, _ledger_entry(money, entry, conversion)
                    )
                    booked += 1
                except imported.NotBookable as exc:
                    flag = contract.FlaggedEntryV1(
                        kind=entry.kind, ordinal=entry.ordinal, flag=exc.flag, message=exc.message
                    )
        if flag is not None:
            flagged.append(flag)
        rows.append(
            {
                "id": uuid.uuid4(),
                "project_id": money.project_id,
                "owner": money.owner,
                "import_id": money.import_id,
                "kind": entry.kind,
                "ordinal": entry.ordinal,
                "code": entry.code,
                "status": entry.status,
                "value": entry.value,
                "currency": entry.currency,
                "value_date": entry.value_date,
                "period_start": entry.period_start,
                "period_end": entry.period_end,
                "amount_eur": conversion.amount_eur if conversion else None,
                "rate": conversion.rate if conversion else None,
                "rate_date": conversion.rate_date if conversion else None,
                "rate_source": conversion.rate_source if conversion else None,
                "flag": flag.flag if flag else None,
                "flag_message": flag.message if flag else None,
                "ledger_id": ledger_id,
                "detail": entry.model_dump(
                    mode="json",
                    exclude={"kind", "ordinal", "code", "status", "value", "currency", "value_date"},
                    exclude_none=True,
                ),
            }
        )
    withdrawn = 0
    kinds = {row.ledger_id: _held(row).kind for row in earlier if row.ledger_id is not None}
    for left in bookings.values():
        for ledger_id in left:
            withdrawn += await imported.withdraw_imported(
                session, actor, kinds[ledger_id], ledger_id, money.owner, money.import_id
            )
    if rows:
        await session.execute(insert(IatiMoneyEntry), rows)
    values = {
        "project_id": money.project_id,
        "owner": money.owner,
        "iati_identifier": money.iati_identifier,
        "import_id": money.import_id,
        "imported_at": money.imported_at,
        "default_currency": money.default_currency,
        "applied_at": now,
    }
    stmt = insert(IatiMoneySet).values(values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[IatiMoneySet.project_id], set_={k: stmt.excluded[k] for k in values if k != "project_id"}
        )
    )
    answer = contract.MoneyAppliedV1(
        import_id=money.import_id,
        project_id=money.project_id,
        owner=money.owner,
        iati_identifier=money.iati_identifier,
        outcome="applied",
        **counts,
        converted=converted,
        replaced=len(earlier),
        booked=booked,
        unchanged=unchanged,
        withdrawn=withdrawn,
        flagged=flagged,
        applied_at=now,
    )
    await _answer(session, event, answer)


async def _answer(session: AsyncSession, cause: CloudEvent, answer: contract.MoneyAppliedV1) -> None:
    await emit(
        session,
        caused_by(cause, SOURCE),
        FUNDING_TOPIC,
        str(answer.project_id),
        contract.IATI_MONEY_APPLIED,
        answer,
        schema_base=contract.SCHEMA_BASE,
    )


async def project_money(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> IatiMoney:
    """What the project holds from IATI: every entry, and sums per kind, type and currency."""
    await readable(session, principal, project_id)
    held = await session.get(IatiMoneySet, project_id)
    entries = list(
        (
            await session.execute(
                select(IatiMoneyEntry)
                .where(IatiMoneyEntry.project_id == project_id)
                .order_by(IatiMoneyEntry.kind, IatiMoneyEntry.ordinal)
            )
        ).scalars()
    )
    sums: dict[tuple[str, str | None, str | None], list[Decimal | int]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), 0, 0]
    )
    for entry in entries:
        total = sums[(entry.kind, entry.code, entry.currency)]
        total[0] += entry.value or 0
        total[1] += entry.amount_eur or 0
        total[2] += 1
        total[3] += entry.flag is not None
    return IatiMoney(
        project_id=project_id,
        import_id=held.import_id if held else None,
        iati_identifier=held.iati_identifier if held else None,
        imported_at=held.imported_at if held else None,
        entries=[IatiMoneyEntryRead.model_validate(e, from_attributes=True) for e in entries],
        totals=[
            IatiMoneyTotal(
                kind=kind,
                code=code,
                currency=currency,
                value=Decimal(v),
                amount_eur=Decimal(eur),
                entries=int(n),
                flagged=int(f),
            )
            for (kind, code, currency), (v, eur, n, f) in sorted(sums.items(), key=lambda i: tuple(map(str, i[0])))
        ],
    )
