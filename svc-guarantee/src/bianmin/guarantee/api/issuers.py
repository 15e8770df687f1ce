"""Issuers, their dated tariffs, color rules and public keys, and the public fee comparison."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import EVERYONE, ISSUER_OR_CENTRE, REGISTRAR, PasswordDep
from bianmin.guarantee.domain import access, keys
from bianmin.guarantee.domain import issuers as rules
from bianmin.guarantee.schemas import (
    Amount,
    Color,
    ColorRuleRead,
    ColorRuleSet,
    GuaranteeType,
    IssuerCreate,
    IssuerRead,
    KeyRead,
    QuoteRead,
    TariffCreate,
    TariffRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, district_only, public, require_scopes
from bianmin.kit.schemas import CreditCode
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["issuers"])


@router.post("/issuers", status_code=201, summary="Register an issuer",
             dependencies=[require_scopes("guarantee:write"), district_only(), REGISTRAR], responses=problem_responses(401, 403, 409, 422))
async def create_issuer(body: IssuerCreate, session: SessionDep, idem: IdempotencyDep, clock: ClockDep) -> IssuerRead:
    """Register an insurer or bank (district staff only)."""
    issuer = await rules.create_issuer(session, code=body.code, name=body.name, kind=body.kind,
                                       credit_code=body.credit_code, max_single_amount=body.max_single_amount,
                                       max_outstanding_amount=body.max_outstanding_amount, now=clock.now())
    return await idem.finish(session, IssuerRead.model_validate(issuer))


@router.get("/issuers", dependencies=[EVERYONE], summary="List issuers", responses=problem_responses(401), **public())
async def list_issuers(session: ReadSessionDep) -> list[IssuerRead]:
    """Every registered issuer (public: bidders choose among them)."""
    return [IssuerRead.model_validate(r) for r in await rules.all_issuers(session)]


@router.get("/issuers/{code}", dependencies=[EVERYONE], summary="An issuer", responses=problem_responses(401, 404), **public())
async def get_issuer(code: str, session: ReadSessionDep) -> IssuerRead:
    """One issuer."""
    return IssuerRead.model_validate(await rules.get_issuer(session, code))


@router.post("/issuers/{code}/tariffs", dependencies=[ISSUER_OR_CENTRE], status_code=201, summary="Add a dated tariff",
             responses=problem_responses(401, 403, 404, 409, 422))
async def add_tariff(code: str, body: TariffCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                     clock: ClockDep) -> TariffRead:
    """Add a tariff that applies to applications from its date on (the issuer or district staff)."""
    access.ensure_manages_issuer(who, code)
    issuer = await rules.get_issuer(session, code)
    fen = int((body.minimum_fee * 100).to_integral_value())
    tariff = await rules.add_tariff(session, issuer, type=body.type, effective_from=body.effective_from,
                                    rate=body.rate, minimum_fee_fen=fen, now=clock.now())
    return await idem.finish(session, views.tariff_read(tariff))


@router.get("/issuers/{code}/tariffs", dependencies=[EVERYONE], summary="An issuer's tariffs",
            responses=problem_responses(401, 404), **public())
async def list_tariffs(code: str, session: ReadSessionDep) -> list[TariffRead]:
    """Every dated tariff of an issuer (public, as fees must be)."""
    await rules.get_issuer(session, code)
    return [views.tariff_read(t) for t in await rules.tariffs_of(session, code)]


@router.put("/issuers/{code}/color-rules/{color}", dependencies=[ISSUER_OR_CENTRE], summary="Set a color rule",
            responses=problem_responses(401, 403, 404, 422))
async def set_color_rule(code: str, color: Color, body: ColorRuleSet, session: SessionDep,
                         who: PrincipalDep) -> ColorRuleRead:
    """Set the fee discount for a credit color, or refuse it (the issuer or district staff)."""
    access.ensure_manages_issuer(who, code)
    issuer = await rules.get_issuer(session, code)
    rule = await rules.set_color_rule(session, issuer, color=color, discount=body.discount, refuse=body.refuse)
    await session.commit()
    return ColorRuleRead.model_validate(rule)


@router.get("/issuers/{code}/color-rules", dependencies=[EVERYONE], summary="An issuer's color rules",
            responses=problem_responses(401, 404),
            **public())
async def list_color_rules(code: str, session: ReadSessionDep) -> list[ColorRuleRead]:
    """The issuer's discounts and refusals per credit color."""
    await rules.get_issuer(session, code)
    return [ColorRuleRead.model_validate(r) for r in await rules.color_rules_of(session, code)]


@router.get("/issuers/{code}/keys", dependencies=[EVERYONE], summary="An issuer's public keys", responses=problem_responses(401, 404),
            **public())
async def list_keys(code: str, session: ReadSessionDep) -> list[KeyRead]:
    """Every public key the issuer has signed with, and when each was valid (never a private key)."""
    await rules.get_issuer(session, code)
    return [KeyRead.model_validate(r) for r in await keys.keys_of(session, keys.issuer_owner(code))]


@router.post("/issuers/{code}/keys/rotate", dependencies=[ISSUER_OR_CENTRE], status_code=201, summary="Rotate an issuer's key",
             responses=problem_responses(401, 403, 404))
async def rotate_key(code: str, session: SessionDep, who: PrincipalDep, password: PasswordDep,
                     clock: ClockDep) -> KeyRead:
    """Close the current key's validity and start a new key (the issuer or district staff)."""
    access.ensure_manages_issuer(who, code)
    await rules.get_issuer(session, code)
    row = await keys.rotate_issuer_key(session, code, password=password, now=clock.now())
    await session.commit()
    return KeyRead.model_validate(row)


@router.get("/quotes", dependencies=[EVERYONE], summary="Compare issuers' fees", responses=problem_responses(401, 422), **public())
async def get_quotes(
    session: ReadSessionDep, clock: ClockDep,
    amount: Annotated[Amount, Query(description="Amount to guarantee, in yuan.")],
    type: Annotated[GuaranteeType, Query()] = "bid_bond",
    on: Annotated[date | None, Query(description="Application date; today by default.")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="Applicant, for its color discount.")] = None,
) -> list[QuoteRead]:
    """Every issuer's fee for this amount on this date, cheapest first (public)."""
    day = on or local_date(clock.now())
    color = await rules.color_of(session, credit_code)
    found = await rules.quotes(session, type=type, amount=amount, day=day, color=color)
    return [views.quote_read(q, amount) for q in found]
