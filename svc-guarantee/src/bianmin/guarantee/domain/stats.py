"""Figures of the guarantee business for a period (issue date in Asia/Shanghai).

- guarantees issued, by type and by issuer;
- amount guaranteed: the sum of issued guarantees' amounts — cash deposits that enterprises did
  not have to lock up;
- fees paid: the fees of the guarantees issued in the period (paid at issue), amendments included;
- average effective rate: fees paid ÷ amount guaranteed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from bianmin.guarantee.models import Guarantee
from bianmin.kit.stats import Figure, Period, StatsContext
from bianmin.kit.workdays import SHANGHAI


def _bounds(period: Period) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(period.start, time(0), tzinfo=SHANGHAI) if period.start else None
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=SHANGHAI) if period.end else None
    return start, end


async def figures(ctx: StatsContext) -> list[Figure]:
    """The cockpit's guarantee figures."""
    session, period = ctx.session, ctx.period
    start, end = _bounds(period)
    statement = (select(Guarantee.type, Guarantee.issuer_code, func.count(), func.sum(Guarantee.amount),
                        func.sum(Guarantee.fee_fen))
                 .where(Guarantee.issued_at.is_not(None)).group_by(Guarantee.type, Guarantee.issuer_code))
    if start:
        statement = statement.where(Guarantee.issued_at >= start)
    if end:
        statement = statement.where(Guarantee.issued_at < end)
    rows = (await session.execute(statement)).all()
    by_type: dict[str, Decimal | int | None] = {}
    by_issuer: dict[str, Decimal | int | None] = {}
    amount, fees, count = Decimal(0), 0, 0
    for type_, issuer, n, total, fee in rows:
        by_type[type_] = int(by_type.get(type_) or 0) + n
        by_issuer[issuer] = int(by_issuer.get(issuer) or 0) + n
        count += n
        amount += Decimal(str(total or 0))
        fees += int(fee or 0)
    fee_yuan = (Decimal(fees) / 100).quantize(Decimal("0.01"))
    rate = (fee_yuan / amount).quantize(Decimal("0.000001")) if amount else None
    return [
        Figure(name="guarantees_issued", value=count, unit="guarantees", breakdown=by_type | {
            f"issuer:{k}": v for k, v in by_issuer.items()},
               definition="Guarantees issued in the period, by type and by issuer."),
        Figure(name="amount_guaranteed", value=amount.quantize(Decimal("0.01")), unit="CNY",
               definition="Sum of the amounts of guarantees issued in the period: cash deposits enterprises did "
                          "not have to lock up."),
        Figure(name="fees_paid", value=fee_yuan, unit="CNY",
               definition="Fees of the guarantees issued in the period, amendments included."),
        Figure(name="average_effective_rate", value=rate, unit="ratio",
               definition="Fees paid ÷ amount guaranteed over the period."),
    ]
