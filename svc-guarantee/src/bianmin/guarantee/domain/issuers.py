"""Issuers, their dated tariffs and color rules, and the fee rule.

Fee rule: the tariff in force on the application date is the one of the issuer and guarantee type
with the latest ``effective_from`` on or before that date. The applicant's credit color may carry a
discount (a fraction, configured per issuer as data) that lowers the rate:
``fee = max(amount × rate × (1 − discount), minimum fee)``, computed exactly in ``Decimal`` and
rounded half-up to the fen once, at the end; the minimum fee is a floor the discount does not lower.
A color rule may instead refuse the color outright (an underwriting rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain.errors import IssuerExists, IssuerNotFound, TariffExists
from bianmin.guarantee.models import ColorRule, EnterpriseColor, Issuer, Tariff
from bianmin.kit.errors import Unprocessable

FEN = Decimal(100)
ZERO = Decimal(0)


def fee_fen(amount: Decimal, rate: Decimal, minimum_fee_fen: int, discount: Decimal = ZERO) -> int:
    """The fee in fen: max(amount × rate × (1 − discount), minimum), rounded half-up to the fen."""
    if amount < 0 or rate < 0 or minimum_fee_fen < 0 or not ZERO <= discount <= 1:
        raise ValueError("amount, rate and minimum must not be negative; discount is a fraction")
    computed = (amount * rate * (1 - discount) * FEN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(computed), minimum_fee_fen)


def fen_to_yuan(fen: int) -> Decimal:
    """Fen as a two-place yuan amount."""
    return (Decimal(fen) / FEN).quantize(Decimal("0.01"))


async def get_issuer(session: AsyncSession, code: str, *, lock: bool = False) -> Issuer:
    """An issuer by code; 404 when unknown."""
    statement = select(Issuer).where(Issuer.code == code)
    if lock:
        statement = statement.with_for_update()
    found = (await session.execute(statement)).scalar_one_or_none()
    if found is None:
        raise IssuerNotFound(f"No issuer {code}.")
    return found


async def all_issuers(session: AsyncSession) -> list[Issuer]:
    """Every registered issuer, by code."""
    return list((await session.execute(select(Issuer).order_by(Issuer.code))).scalars())


async def create_issuer(session: AsyncSession, *, code: str, name: str, kind: str, credit_code: str,
                        max_single_amount: Decimal, max_outstanding_amount: Decimal, now: datetime) -> Issuer:
    """Register an issuer; 409 when the code is taken."""
    if (await session.get(Issuer, code)) is not None:
        raise IssuerExists(f"Issuer {code} already exists.")
    if max_outstanding_amount < max_single_amount:
        raise Unprocessable.field("max_outstanding_amount", "must not be below max_single_amount")
    issuer = Issuer(code=code, name=name, kind=kind, credit_code=credit_code, max_single_amount=max_single_amount,
                    max_outstanding_amount=max_outstanding_amount, active=True, created_at=now)
    session.add(issuer)
    await session.flush()
    return issuer


async def add_tariff(session: AsyncSession, issuer: Issuer, *, type: str, effective_from: date, rate: Decimal,
                     minimum_fee_fen: int, now: datetime) -> Tariff:
    """Add a dated tariff; 409 when one already starts on that date for that type."""
    clash = (await session.execute(select(Tariff.id).where(
        Tariff.issuer_code == issuer.code, Tariff.type == type, Tariff.effective_from == effective_from))).first()
    if clash is not None:
        raise TariffExists(f"{issuer.code} already has a {type} tariff from {effective_from}.")
    tariff = Tariff(issuer_code=issuer.code, type=type, effective_from=effective_from, rate=rate,
                    minimum_fee_fen=minimum_fee_fen, created_at=now)
    session.add(tariff)
    await session.flush()
    return tariff


async def tariffs_of(session: AsyncSession, issuer_code: str) -> list[Tariff]:
    """Every tariff of an issuer, by type and date."""
    return list((await session.execute(select(Tariff).where(Tariff.issuer_code == issuer_code)
                                       .order_by(Tariff.type, Tariff.effective_from))).scalars())


async def tariff_on(session: AsyncSession, issuer_code: str, type: str, day: date) -> Tariff | None:
    """The tariff of an issuer and type in force on ``day``."""
    return (await session.execute(
        select(Tariff).where(Tariff.issuer_code == issuer_code, Tariff.type == type, Tariff.effective_from <= day)
        .order_by(Tariff.effective_from.desc()).limit(1))).scalar_one_or_none()


async def set_color_rule(session: AsyncSession, issuer: Issuer, *, color: str, discount: Decimal,
                         refuse: bool) -> ColorRule:
    """Set (or replace) what the issuer does for a credit color."""
    rule = await session.get(ColorRule, (issuer.code, color))
    if rule is None:
        rule = ColorRule(issuer_code=issuer.code, color=color, discount=discount, refuse=refuse)
        session.add(rule)
    else:
        rule.discount, rule.refuse = discount, refuse
    await session.flush()
    return rule


async def color_rules_of(session: AsyncSession, issuer_code: str) -> list[ColorRule]:
    """The color rules of an issuer."""
    return list((await session.execute(select(ColorRule).where(ColorRule.issuer_code == issuer_code)
                                       .order_by(ColorRule.color))).scalars())


async def color_of(session: AsyncSession, credit_code: str | None) -> str | None:
    """An enterprise's current credit color, when credit has published one."""
    if not credit_code:
        return None
    row = await session.get(EnterpriseColor, credit_code)
    return None if row is None else row.color


@dataclass(frozen=True)
class Quote:
    """What one issuer would charge for one guarantee on one date."""

    issuer: Issuer
    tariff: Tariff
    color: str | None
    discount: Decimal
    refused: bool
    fee_fen: int


async def quote(session: AsyncSession, issuer: Issuer, *, type: str, amount: Decimal, day: date,
                color: str | None) -> Quote | None:
    """The issuer's quote, or None when it has no tariff in force for that type on that day."""
    tariff = await tariff_on(session, issuer.code, type, day)
    if tariff is None:
        return None
    rule = None if color is None else await session.get(ColorRule, (issuer.code, color))
    discount = rule.discount if rule is not None else ZERO
    refused = bool(rule and rule.refuse)
    return Quote(issuer, tariff, color, discount, refused,
                 fee_fen(amount, tariff.rate, tariff.minimum_fee_fen, discount))


async def quotes(session: AsyncSession, *, type: str, amount: Decimal, day: date, color: str | None) -> list[Quote]:
    """Every active issuer's quote, cheapest first; issuers that would refuse the color are listed last."""
    issuers = (await session.execute(select(Issuer).where(Issuer.active.is_(True)).order_by(Issuer.code))).scalars()
    found = [q for i in issuers if (q := await quote(session, i, type=type, amount=amount, day=day, color=color))]
    return sorted(found, key=lambda q: (q.refused, q.fee_fen, q.issuer.code))
