"""Dependencies and presenters the guarantee routers share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain.access import acts_for_issuer
from bianmin.guarantee.domain.errors import NotTheIssuer
from bianmin.guarantee.domain.issuers import fen_to_yuan
from bianmin.guarantee.domain.keys import KeyRing, key_password
from bianmin.guarantee.models import Claim, Guarantee, GuaranteeStep
from bianmin.guarantee.schemas import ClaimRead, GuaranteeRead, StepRead
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal


def cursor_id(after: list[Any]) -> int:
    """The row id inside a list cursor; 422 when the cursor holds anything else."""
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool) or not 0 <= after[0] < 2**62:
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return after[0]


async def get_settings(request: Request) -> GuaranteeSettings:
    """The service's settings."""
    return request.app.state.settings


SettingsDep = Annotated[GuaranteeSettings, Depends(get_settings)]


async def get_password(settings: SettingsDep) -> bytes:
    """The passphrase of the stored private keys."""
    return key_password(settings)


PasswordDep = Annotated[bytes, Depends(get_password)]


async def get_keyring(settings: SettingsDep) -> KeyRing:
    """The ledger's origin and the passphrase of the stored keys, for routes that sign."""
    return KeyRing.from_settings(settings)


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]


def ensure_manages_issuer(principal: Principal, issuer_code: str) -> None:
    """403 unless the principal is the issuer itself or district-wide trading-centre staff."""
    staff = principal.has_scope("guarantee:write") and principal.district_wide
    if not (staff or acts_for_issuer(principal, issuer_code)):
        raise NotTheIssuer("Only the issuer or district staff manage this issuer.")


async def guarantee_read(session: AsyncSession, guarantee: Guarantee, *, with_steps: bool = True) -> GuaranteeRead:
    """A guarantee with its recorded steps."""
    steps: list[StepRead] = []
    if with_steps:
        rows = (await session.execute(select(GuaranteeStep).where(GuaranteeStep.guarantee_id == guarantee.id)
                                      .order_by(GuaranteeStep.id))).scalars()
        steps = [StepRead.model_validate(r) for r in rows]
    return GuaranteeRead(
        number=guarantee.number, type=guarantee.type, status=guarantee.status, issuer_code=guarantee.issuer_code,
        applicant_credit_code=guarantee.applicant_credit_code, applicant_name=guarantee.applicant_name,
        beneficiary_name=guarantee.beneficiary_name, beneficiary_credit_code=guarantee.beneficiary_credit_code,
        project_code=guarantee.project_code, section_code=guarantee.section_code, site_code=guarantee.site_code,
        amount=guarantee.amount, currency=guarantee.currency, applied_on=guarantee.applied_on,
        valid_from=guarantee.valid_from, expires_on=guarantee.expires_on, rate=guarantee.rate,
        discount=guarantee.discount, fee=fen_to_yuan(guarantee.fee_fen), underwriting=guarantee.underwriting,
        issued_at=guarantee.issued_at, document_hash=guarantee.document_hash, key_name=guarantee.key_name,
        leaf_index=guarantee.leaf_index, amendment_count=guarantee.amendment_count, steps=steps)


def claim_read(claim: Claim, guarantee: Guarantee) -> ClaimRead:
    """A claim with its guarantee's number."""
    return ClaimRead(number=claim.number, guarantee_number=guarantee.number, status=claim.status, kind=claim.kind,
                     requested_expires_on=claim.requested_expires_on, suspended_until=claim.suspended_until,
                     amount=claim.amount, statement=claim.statement, source=claim.source, filed_by=claim.filed_by,
                     filed_at=claim.filed_at, examine_by=claim.examine_by, decided_by=claim.decided_by,
                     decided_at=claim.decided_at, discrepancies=claim.discrepancies,
                     payment_reference=claim.payment_reference)
