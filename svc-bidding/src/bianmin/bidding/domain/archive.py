"""The electronic archive of a finished project, with a manifest digest anyone can recompute.

The archive gathers every record the platform holds on a project once it is finished (awarded,
failed or cancelled): the project and its sections, the status history, invitations,
registrations, every bid version (commitment, SHA-256 of the ciphertext, receipt signature,
submitting IP and device, what the opening revealed), deposits, the numbered opening record,
confirmations and objections with answers, collusion flags and decisions, the expert draw and
scores, the committee's and tenderer's decisions (rejections, low prices, defaults, next
candidates), complaints, escrow recoveries with their share log, and the auction with its bids.

Manifest: one entry per part, ``{"name", "count", "sha256"}`` where ``sha256`` is taken over the
part's canonical JSON (UTF-8, sorted keys, no whitespace; times ISO 8601, money as strings),
entries sorted by name; ``digest`` = SHA-256 over the canonical JSON of the entry list. The
archive is deterministic: the same records give the same digest whenever it is generated.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.errors import NotFinished
from bianmin.bidding.domain.projects import FINISHED
from bianmin.bidding.models import (
    Auction,
    AuctionBid,
    Base,
    Bid,
    CollusionFlag,
    Complaint,
    Deposit,
    EscrowRecovery,
    EscrowShare,
    EvaluationDecision,
    ExpertDraw,
    ExpertScore,
    Invitation,
    OpeningRecord,
    OpeningResponse,
    Project,
    ProjectTransition,
    Registration,
    ScoreRevision,
)
from bianmin.kit.identifiers import mask_name, mask_phone, mask_resident_id

SKIP = frozenset({"ciphertext", "share"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot archive {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes of an archive part."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain).encode()


def manifest(parts: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The manifest of archive parts: per-part SHA-256 and the digest over the sorted listing."""
    entries = [{"name": name, "count": len(rows), "sha256": hashlib.sha256(canonical(rows)).hexdigest()}
               for name, rows in sorted(parts.items())]
    return {"algorithm": "sha256", "entries": entries, "digest": hashlib.sha256(canonical(entries)).hexdigest()}


def _row(obj: Base) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in obj.__table__.columns:
        if column.key in SKIP:
            continue
        out[column.key] = getattr(obj, column.key)
    if isinstance(obj, Registration) and obj.contact_phone:
        # 个人信息保护法 §6 (minimum necessary): the record keeps the bidder's contact phone masked.
        out["contact_phone"] = mask_phone(obj.contact_phone)
    if isinstance(obj, Registration) and obj.id_number:
        # A natural person's ID number (sensitive, 个人信息保护法 §28) and own name stay masked too.
        out["id_number"] = mask_resident_id(obj.id_number)
        out["person_name"] = mask_name(obj.person_name or "")
    if isinstance(obj, Bid):
        out["ciphertext_sha256"] = hashlib.sha256(obj.ciphertext.encode()).hexdigest()
    return json.loads(canonical(out))


async def _rows(session: AsyncSession, model: type[Base], *where: Any) -> list[dict[str, Any]]:
    primary = next(iter(model.__table__.primary_key.columns))
    result = await session.execute(select(model).where(*where).order_by(primary))
    return [_row(r) for r in result.scalars()]


async def build(session: AsyncSession, project: Project) -> dict[str, Any]:
    """The archive of a finished project: its parts and their manifest."""
    if project.status not in FINISHED:
        raise NotFinished(f"Project {project.code} is {project.status}; it is archived when finished.")
    pid = project.id
    recoveries = await _rows(session, EscrowRecovery, EscrowRecovery.project_id == pid)
    auctions = await _rows(session, Auction, Auction.project_id == pid)
    parts: dict[str, list[dict[str, Any]]] = {
        "project": [_row(project)],
        "sections": [_row(s) for s in project.sections],
        "transitions": await _rows(session, ProjectTransition, ProjectTransition.project_id == pid),
        "invitations": await _rows(session, Invitation, Invitation.project_id == pid),
        "registrations": await _rows(session, Registration, Registration.project_id == pid),
        "bids": await _rows(session, Bid, Bid.project_id == pid),
        "deposits": await _rows(session, Deposit, Deposit.project_code == project.code),
        "opening_record": await _rows(session, OpeningRecord, OpeningRecord.project_id == pid),
        "responses": await _rows(session, OpeningResponse, OpeningResponse.project_id == pid),
        "collusion_flags": await _rows(session, CollusionFlag, CollusionFlag.project_id == pid),
        "expert_draw": await _rows(session, ExpertDraw, ExpertDraw.project_id == pid),
        "expert_scores": await _rows(session, ExpertScore, ExpertScore.project_id == pid),
        "score_revisions": await _rows(session, ScoreRevision, ScoreRevision.project_id == pid),
        "evaluation_decisions": await _rows(session, EvaluationDecision, EvaluationDecision.project_id == pid),
        "complaints": await _rows(session, Complaint, Complaint.project_id == pid),
        "escrow_recoveries": recoveries,
        "escrow_shares": await _rows(session, EscrowShare,
                                     EscrowShare.recovery_id.in_([r["id"] for r in recoveries])),
        "auction": auctions,
        "auction_bids": await _rows(session, AuctionBid, AuctionBid.auction_id.in_([a["id"] for a in auctions])),
    }
    return {"project_code": project.code, "status": project.status, "manifest": manifest(parts), "parts": parts}
