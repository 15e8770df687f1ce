"""Backup decryption with the custodians' escrow shares, after a bidder's recorded technical failure.

Why: 招标投标法 §§34, 36 and 实施条例 §44 open every bid at the opening and not before, and
《电子招标投标办法》 has each bidder encrypt its bid and decrypt it online at the opening, the platform
keeping bids secret until then; the centre decrypts a bid itself only when the bidder's own
decryption failed. So no single person, the tender agent or an operator included, may ever hold what
decrypts a bid early.

- **Custodian keys**: each custodian (an account of kind ``custodian``) registers their own X25519
  public key (``PUT /custodians/me/key``, with a second factor) and may rotate it; the private key
  stays on the custodian's device (:mod:`bianmin.bidding.custody`).
- **Key**: while the tender is a draft, a fresh X25519 key pair is made and its private key split
  k of n among n *distinct* custodian accounts the tender agent names (Shamir); each share is
  sealed to that custodian's registered key (HPKE, RFC 9180: X25519, HKDF-SHA256, AES-256-GCM) and stored sealed.
  The private key is not kept, and the agent's answer holds no share: only the public key, k and
  the custodians' order.
- **Fetching**: a custodian fetches only their own sealed share of a tender, and only while a
  recovery of that tender collects shares (that is, after the deadline, during the opening), then
  opens it offline: before the deadline no custodian holds anything, so even k of them together
  cannot open a bid early.
- **Request**: while the opening runs and before the decryption window closes, the bidder (the key
  that registered it) records a technical-failure request for its own sealed bid, giving the
  reason. Only a tender with an escrow key and a bid carrying an escrow-wrapped key qualify.
  The opening cannot finish while a request is collecting shares.
- **Shares**: each custodian named at the split submits their opened share with their own account
  and a second factor; the custodian is the signed-in account, never a name in the body, and the
  share's x coordinate must be that custodian's position (1 … n), so a share handed to another
  custodian is refused. The same custodian counts once. Every submission is logged with the
  custodian, the submitting account and app, the time and the SHA-256 of the share; the log is public.
- **Recovery**: once at least k shares are in, every k-subset is tried until one reconstructs a
  private key whose public key is the tender's escrow public key; a wrong share thus never
  recovers a wrong key and, with n > k, the right shares still work. The private key exists only
  in memory inside this function: it unwraps the bidder's data key and salt, the bid is decrypted
  and checked against its commitment like a normal reveal, and the opening continues with it.
  The stored shares are erased the moment the recovery ends (completed, failed or abandoned), so
  the database never holds k shares beyond that transaction.
- A recovered key that does not open the bid (the bidder's wrapped key was wrong) ends the
  recovery as ``failed``; the bid stays sealed and is voided when the opening finishes.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from itertools import combinations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding import custody, sealing, shamir
from bianmin.bidding.domain.bidders import registration_of
from bianmin.bidding.domain.common import actor_of, new_id, record
from bianmin.bidding.domain.errors import (
    BidNotCounted,
    CustodianKeyNotFound,
    NoEscrow,
    NoRecoveryCollecting,
    NotACustodian,
    NotOpening,
    NotSignedIn,
    ProjectStatusForbids,
    RecoveryClosed,
    RecoveryNotFound,
    RecoveryPending,
    ShareSubmitted,
    WindowClosed,
)
from bianmin.bidding.domain.opening import apply_package, window_end
from bianmin.bidding.models import Bid, CustodianKey, EscrowCustody, EscrowRecovery, EscrowShare, Project
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal


async def register_key(session: AsyncSession, *, custodian: str, public_key: str, now: datetime) -> CustodianKey:
    """Register or rotate a custodian's own X25519 public key (shares already sealed keep the old one)."""
    try:
        digest = custody.fingerprint(public_key)
    except custody.CustodyError as exc:
        raise Unprocessable.field("public_key", str(exc)) from exc
    key = await session.get(CustodianKey, custodian)
    if key is None:
        key = CustodianKey(custodian=custodian, public_key=public_key, fingerprint=digest, registered_at=now)
        session.add(key)
    else:
        key.public_key, key.fingerprint, key.registered_at = public_key, digest, now
    await session.flush()
    return key


async def key_of(session: AsyncSession, custodian: str) -> CustodianKey:
    """A custodian's registered key; 404 before they registered one."""
    key = await session.get(CustodianKey, custodian)
    if key is None:
        raise CustodianKeyNotFound(f"{custodian} has registered no custodian key.")
    return key


async def issue_key(session: AsyncSession, project: Project, *, threshold: int, custodians: list[str],
                    now: datetime) -> None:
    """Give a draft tender a fresh escrow key; seal each custodian's share of its private key to their key.

    Nothing returned holds a share: the shares exist only sealed, each to one custodian.
    """
    if project.status != "draft":
        raise ProjectStatusForbids("The escrow key is set while the tender is a draft.")
    if len(set(custodians)) != len(custodians):
        raise Unprocessable.field("custodians", "must be distinct custodian accounts")
    if threshold > len(custodians):
        raise Unprocessable.field("threshold", "cannot exceed the number of custodians")
    keys = {k.custodian: k for k in (await session.execute(
        select(CustodianKey).where(CustodianKey.custodian.in_(custodians)))).scalars()}
    unknown = [c for c in custodians if c not in keys]
    if unknown:
        raise Unprocessable.field("custodians", f"have registered no custodian key: {', '.join(unknown)}")
    private, public_key = sealing.generate_escrow_keypair()
    shares = shamir.split(private, threshold=threshold, shares=len(custodians))
    project.escrow_public_key = base64.b64encode(public_key).decode()
    project.escrow_threshold, project.escrow_custodians = threshold, list(custodians)
    for old in (await session.execute(select(EscrowCustody).where(EscrowCustody.project_id == project.id))).scalars():
        await session.delete(old)
    await session.flush()
    for position, (custodian, share) in enumerate(zip(custodians, shares, strict=True), start=1):
        key = keys[custodian]
        sealed = custody.seal_share(share, key.public_key, custody.context(project.code, custodian, position))
        session.add(EscrowCustody(project_id=project.id, custodian=custodian, position=position, sealed_share=sealed,
                                  key_fingerprint=key.fingerprint, sealed_at=now))
    await session.flush()


async def share_for_recovery(session: AsyncSession, project: Project, custodian: str) -> EscrowCustody:
    """The custodian's sealed share, released only while a recovery of the tender collects shares (409 otherwise)."""
    held = await custody_of(session, project, custodian)
    collecting = (await session.execute(select(EscrowRecovery.id).where(
        EscrowRecovery.project_id == project.id, EscrowRecovery.status == "collecting"))).first()
    if collecting is None:
        raise NoRecoveryCollecting(f"No recovery of {project.code} is collecting shares; shares are released for one only.")
    return held


async def custody_of(session: AsyncSession, project: Project, custodian: str) -> EscrowCustody:
    """The sealed share of ``custodian`` for a tender; 403 for anyone the split did not name."""
    row = (await session.execute(select(EscrowCustody).where(
        EscrowCustody.project_id == project.id, EscrowCustody.custodian == custodian))).scalar_one_or_none()
    if row is None:
        raise NotACustodian(f"{custodian} holds no escrow share of {project.code}.")
    return row


def recover_private_key(shares: list[str], *, threshold: int, public_key: bytes) -> bytes | None:
    """The escrow private key from any ``threshold`` of ``shares`` matching ``public_key``; None if none do."""
    for subset in combinations(shares, threshold):
        try:
            candidate = shamir.combine(list(subset))
        except shamir.ShareError:
            continue
        if len(candidate) != 32:
            continue
        derived = X25519PrivateKey.from_private_bytes(candidate).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        if derived == public_key:
            return candidate
    return None


async def request(session: AsyncSession, project: Project, bid: Bid, *, reason: str, now: datetime,
                  by: Principal, settings: BiddingSettings) -> EscrowRecovery:
    """Record a bidder's technical-failure request to open its bid with the escrow shares."""
    if project.status != "opening":
        raise NotOpening("Escrow recovery is requested while the opening runs.")
    if now >= window_end(project, settings):
        raise WindowClosed("The decryption window has closed.")
    section = next(s for s in project.sections if s.id == bid.section_id)
    registration = await registration_of(session, section, bid.credit_code, by)
    if registration.signed_in_at is None:  # backup decryption is decryption: sign-in counts for it too
        raise NotSignedIn(f"{bid.credit_code} has not signed in to the opening of {project.code}; sign in first.")
    if not project.escrow_public_key or not bid.escrow_wrapped_key:
        raise NoEscrow("This bid carries no escrow-wrapped key.")
    if bid.status != "active" or bid.reveal_status != "sealed" or section.outcome == "failed":
        raise BidNotCounted("Only a sealed, counted bid of an opened section is recovered.")
    open_request = (await session.execute(select(EscrowRecovery.id).where(
        EscrowRecovery.bid_id == bid.id, EscrowRecovery.status == "collecting"))).first()
    if open_request:
        raise RecoveryPending("A recovery of this bid is collecting shares already.")
    recovery = EscrowRecovery(id=new_id(), project_id=project.id, bid_id=bid.id, reason=reason,
                              requested_by=actor_of(by), requested_at=now, status="collecting")
    session.add(recovery)
    await session.flush()
    await record(session, project, "escrow_requested", {"section_code": section.code, "credit_code": bid.credit_code,
                                                        "recovery_id": recovery.id, "reason": reason}, now=now)
    return recovery


async def get_recovery(session: AsyncSession, recovery_id: str) -> EscrowRecovery:
    """A recovery by id; 404 otherwise."""
    recovery = await session.get(EscrowRecovery, recovery_id)
    if recovery is None:
        raise RecoveryNotFound(f"No escrow recovery {recovery_id}.")
    return recovery


async def recovery_of(session: AsyncSession, project: Project, recovery_id: str) -> EscrowRecovery:
    """A recovery of the project by id; 404 otherwise (also for another project's)."""
    recovery = await get_recovery(session, recovery_id)
    if recovery.project_id != project.id:
        raise RecoveryNotFound(f"No escrow recovery {recovery_id} in {project.code}.")
    return recovery


async def recoveries_of(session: AsyncSession, project: Project) -> list[EscrowRecovery]:
    """Every escrow recovery of a project, the earliest requested first."""
    return list((await session.execute(select(EscrowRecovery).where(EscrowRecovery.project_id == project.id)
                                       .order_by(EscrowRecovery.requested_at))).scalars())


async def share_logs(session: AsyncSession, recoveries: list[EscrowRecovery]) -> dict[str, list[EscrowShare]]:
    """The share submissions of each recovery, in the order they came (one query for all of them)."""
    logs: dict[str, list[EscrowShare]] = {r.id: [] for r in recoveries}
    rows = (await session.execute(select(EscrowShare).where(EscrowShare.recovery_id.in_(list(logs)))
                                  .order_by(EscrowShare.id))).scalars()
    for row in rows:
        logs[row.recovery_id].append(row)
    return logs


async def _erase(session: AsyncSession, recovery: EscrowRecovery) -> None:
    for row in (await session.execute(select(EscrowShare).where(EscrowShare.recovery_id == recovery.id))).scalars():
        row.share = None


async def submit_share(session: AsyncSession, project: Project, recovery: EscrowRecovery, *, share: str,
                       now: datetime, by: Principal) -> EscrowRecovery:
    """Log the signed-in custodian's opened share; with k of them, recover the key in memory and open the bid."""
    if recovery.status != "collecting":
        raise RecoveryClosed(f"The recovery is {recovery.status}.")
    assert by.subject is not None  # the route admits custodian accounts only
    custodian = by.subject.id
    held = await custody_of(session, project, custodian)
    try:
        x, _ = shamir.parse_share(share)
    except shamir.ShareError as exc:
        raise Unprocessable.field("share", str(exc)) from exc
    if x != held.position:
        raise Unprocessable.field("share", "is not the share sealed to this custodian")
    done = (await session.execute(select(EscrowShare.id).where(
        EscrowShare.recovery_id == recovery.id, EscrowShare.custodian == custodian))).first()
    if done:
        raise ShareSubmitted(f"{custodian} has submitted a share already; the same custodian counts once.")
    session.add(EscrowShare(recovery_id=recovery.id, custodian=custodian, share=share.strip(),
                            share_digest=hashlib.sha256(share.strip().encode()).hexdigest(),
                            submitted_by=f"{custodian} via {actor_of(by)}", submitted_at=now))
    await session.flush()
    shares = [s for s in (await session.execute(select(EscrowShare.share).where(
        EscrowShare.recovery_id == recovery.id).order_by(EscrowShare.id))).scalars() if s]
    threshold = project.escrow_threshold or 0
    if len(shares) < threshold:
        return recovery
    assert project.escrow_public_key is not None
    private = recover_private_key(shares, threshold=threshold, public_key=base64.b64decode(project.escrow_public_key))
    if private is None:
        return recovery
    await _open_bid(session, project, recovery, private, now=now)
    await _erase(session, recovery)
    recovery.completed_at = now
    await session.flush()
    return recovery


async def _open_bid(session: AsyncSession, project: Project, recovery: EscrowRecovery, private: bytes, *,
                    now: datetime) -> None:
    bid = await session.get(Bid, recovery.bid_id)
    assert bid is not None
    assert bid.escrow_wrapped_key is not None
    section = next(s for s in project.sections if s.id == bid.section_id)
    aad = sealing.associated_data(project.code, section.code, bid.credit_code)
    try:
        data_key, salt = sealing.escrow_secret(sealing.unwrap_from_escrow(bid.escrow_wrapped_key, private, aad))
        plaintext = sealing.decrypt(ciphertext=bid.ciphertext, nonce=bid.nonce, data_key=data_key,
                                    project=project.code, section=section.code, bidder=bid.credit_code)
        package = sealing.check_commitment(plaintext, commitment=bid.commitment, salt=salt, project=project.code,
                                           section=section.code, bidder=bid.credit_code)
    except sealing.SealError as exc:
        recovery.status = "failed"
        await record(session, project, "escrow_failed", {"recovery_id": recovery.id, "section_code": section.code,
                                                         "credit_code": bid.credit_code, "reason": str(exc)}, now=now)
        return
    recovery.status = "completed"
    await apply_package(session, project, section, bid, plaintext, package, now=now, how="escrow")


async def abandon(session: AsyncSession, recovery: EscrowRecovery, project: Project, *, now: datetime,
                  reason: str) -> EscrowRecovery:
    """Give up a recovery that cannot gather its shares; the bid stays sealed and is voided at finish."""
    if recovery.status != "collecting":
        raise RecoveryClosed(f"The recovery is {recovery.status}.")
    recovery.status, recovery.completed_at = "abandoned", now
    await _erase(session, recovery)
    await record(session, project, "escrow_abandoned", {"recovery_id": recovery.id, "reason": reason}, now=now)
    return recovery
