"""The answers of the guarantee API built from stored rows (and the domain's results): no queries here.

Fees are kept in fen and answered in yuan; a guarantee's steps and a checkpoint's witness lines are
read by the domain and passed in, so every view is a plain function of what it is given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from bianmin.guarantee.domain import issuers, validity
from bianmin.guarantee.domain.verification import Bundle, Verdict
from bianmin.guarantee.models import (
    Checkpoint,
    Claim,
    Delivery,
    DeliveryAttempt,
    Guarantee,
    GuaranteeStep,
    LedgerLeaf,
    Project,
    ProjectSection,
    Tariff,
)
from bianmin.guarantee.schemas import (
    CheckpointRead,
    CheckRead,
    ClaimRead,
    DeliveryRead,
    GuaranteeRead,
    HistoryEntry,
    LeafRead,
    ProjectRead,
    ProofRead,
    QuoteRead,
    SectionRead,
    SignedDocument,
    StepRead,
    TariffRead,
    VerificationRead,
)


def guarantee_read(guarantee: Guarantee, steps: Sequence[GuaranteeStep] = ()) -> GuaranteeRead:
    """A guarantee with the recorded steps given (lists leave them out)."""
    return GuaranteeRead(
        number=guarantee.number, type=guarantee.type, status=guarantee.status, issuer_code=guarantee.issuer_code,
        applicant_credit_code=guarantee.applicant_credit_code, applicant_name=guarantee.applicant_name,
        beneficiary_name=guarantee.beneficiary_name, beneficiary_credit_code=guarantee.beneficiary_credit_code,
        project_code=guarantee.project_code, section_code=guarantee.section_code, site_code=guarantee.site_code,
        amount=guarantee.amount, currency=guarantee.currency, applied_on=guarantee.applied_on,
        valid_from=guarantee.valid_from, expires_on=guarantee.expires_on, rate=guarantee.rate,
        discount=guarantee.discount, fee=issuers.fen_to_yuan(guarantee.fee_fen), underwriting=guarantee.underwriting,
        issued_at=guarantee.issued_at, document_hash=guarantee.document_hash, key_name=guarantee.key_name,
        leaf_index=guarantee.leaf_index, amendment_count=guarantee.amendment_count,
        steps=[StepRead.model_validate(s) for s in steps])


def claim_read(claim: Claim, guarantee: Guarantee) -> ClaimRead:
    """A claim with its guarantee's number."""
    return ClaimRead(number=claim.number, guarantee_number=guarantee.number, status=claim.status, kind=claim.kind,
                     requested_expires_on=claim.requested_expires_on, suspended_until=claim.suspended_until,
                     amount=claim.amount, statement=claim.statement, source=claim.source, filed_by=claim.filed_by,
                     filed_at=claim.filed_at, examine_by=claim.examine_by,
                     examine_by_provisional=claim.examine_by_provisional, examine_by_basis=claim.examine_by_basis,
                     decided_by=claim.decided_by,
                     decided_at=claim.decided_at, discrepancies=claim.discrepancies,
                     payment_reference=claim.payment_reference)


def tariff_read(tariff: Tariff) -> TariffRead:
    """A dated tariff, its minimum fee in yuan."""
    return TariffRead(id=tariff.id, issuer_code=tariff.issuer_code, type=tariff.type,
                      effective_from=tariff.effective_from, rate=tariff.rate,
                      minimum_fee=issuers.fen_to_yuan(tariff.minimum_fee_fen))


def quote_read(quote: issuers.Quote, amount: Decimal) -> QuoteRead:
    """One issuer's price for ``amount``, with the effective rate it comes to."""
    return QuoteRead(issuer_code=quote.issuer.code, issuer_name=quote.issuer.name, kind=quote.issuer.kind,
                     tariff_id=quote.tariff.id, effective_from=quote.tariff.effective_from, rate=quote.tariff.rate,
                     minimum_fee=issuers.fen_to_yuan(quote.tariff.minimum_fee_fen), color=quote.color,
                     discount=quote.discount, fee=issuers.fen_to_yuan(quote.fee_fen),
                     effective_rate=(Decimal(quote.fee_fen) / 100 / amount).quantize(Decimal("0.000001")),
                     refused=quote.refused)


def project_read(project: Project, sections: Sequence[ProjectSection]) -> ProjectRead:
    """A tender's guarantee terms, section by section."""
    return ProjectRead(code=project.code, name=project.name, site_code=project.site_code,
                       tenderer_name=project.tenderer_name, tenderer_credit_code=project.tenderer_credit_code,
                       bid_deadline=project.bid_deadline, opening_at=project.opening_at,
                       bid_valid_until=validity.bid_valid_until(project), closed_at=project.closed_at,
                       failed_at=project.failed_at, awarded_at=project.awarded_at,
                       sections=[SectionRead(code=s.code, name=s.name, bid_bond_amount=s.bid_bond_amount,
                                             winner_credit_code=s.winner_credit_code, award_amount=s.award_amount,
                                             failed_at=s.failed_at)
                                 for s in sections])


def delivery_read(delivery: Delivery, attempts: Sequence[DeliveryAttempt]) -> DeliveryRead:
    """One push and the log of its attempts."""
    return DeliveryRead(id=delivery.id, guarantee_number=delivery.guarantee_number, kind=delivery.kind,
                        status=delivery.status, attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
                        delivered_at=delivery.delivered_at, last_error=delivery.last_error,
                        log=[{"at": a.at.isoformat(), "status_code": a.status_code, "error": a.error,
                              "duration_ms": a.duration_ms} for a in attempts])


def checkpoint_read(checkpoint: Checkpoint, origin: str, witness_lines: Sequence[str]) -> CheckpointRead:
    """A signed checkpoint with the witnesses' countersignature lines appended to its note."""
    note = checkpoint.note + "".join(f"{line}\n" for line in witness_lines)
    return CheckpointRead(origin=origin, size=checkpoint.size, root_hash=checkpoint.root, note=note,
                          witnesses=list(witness_lines))


def verification_read(number: str | None, found: Verdict, presented: str | None,
                      checked_at: datetime) -> VerificationRead:
    """The verdict of 验真 with every check, for the document hash presented (if any)."""
    return VerificationRead(number=number, verdict=found.verdict, status=found.status, reasons=found.reasons,
                            document_hash=presented, checked_at=checked_at,
                            checks=[CheckRead(name=c.name, ok=c.ok, reason=c.reason) for c in found.checks])


def leaf_read(leaf: LedgerLeaf) -> LeafRead:
    """A ledger entry as stored (canonical JSON, hashes and ids only) and its leaf hash."""
    return LeafRead(seq=leaf.seq, entry=json.loads(leaf.entry), leaf_hash=leaf.leaf_hash)


def proof_read(bundle: Bundle) -> ProofRead:
    """The offline verification bundle as ``bianmin-guarantee-verify`` reads it."""
    return ProofRead(signed=SignedDocument(**bundle.signed), leaf_index=bundle.leaf.seq, tree_size=bundle.tree_size,
                     entry=json.loads(bundle.leaf.entry), inclusion_proof=[p.hex() for p in bundle.inclusion_proof],
                     checkpoint=bundle.checkpoint, issuer_key=bundle.issuer_key, log_key=bundle.log_key,
                     history=[HistoryEntry(leaf_index=leaf.seq, entry=json.loads(leaf.entry),
                                           inclusion_proof=[p.hex() for p in path]) for leaf, path in bundle.history])
