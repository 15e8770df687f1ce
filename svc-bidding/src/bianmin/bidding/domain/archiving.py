"""Archiving as an act: signed archive versions in a transparency log, and their re-verification.

When a project ends (awarded, failed, cancelled, a filing rejected) its bundle (``domain/archive.py``)
is built once, its manifest digest signed with the archive key (Ed25519, ``domain/keys.py``),
appended to the archive log and stored as version 1 (:func:`seal`; the worker calls it for every
finished project, and a read of the archive before the worker came calls it at once). A later
change by the platform's own acts (a contract signed, a complaint filed or decided, a default or
the next candidate, a bid bond released) makes a new signed version naming the previous version's
digest and the parts that changed (:func:`amend`). Nothing else writes a version, so a row edited
behind the platform's back leaves the bundle differing from the latest signed version, and
:func:`verify` names the part.

The version's signed entry (canonical JSON, ``bianmin.archive.v1``) holds hashes and ids only — the
project code, version, digest, previous digest, reason, changed part names, times — because a log
never deletes (the archive itself keeps personal data, under its retention period). The log follows
RFC 6962 / 9162 with the kit's hashing (``bianmin.kit.merkle``): leaf = SHA-256(0x00 ‖ entry),
node = SHA-256(0x01 ‖ left ‖ right). Each append signs a checkpoint (C2SP tlog-checkpoint text:
origin, size, base64 root) with the archive key. An append locks the single head row, so with
several replicas one writer appends at a time and version 1 is written exactly once. Trade-off: the
root and proofs are computed from every leaf hash (one query, n × 32 bytes); a district archives
thousands of projects a year, not millions, so stored subtree hashes (the guarantee ledger's way)
are not worth their rows here.

Retention (档案保管期限): each version carries ``retain_until``, its first version's date plus the
category's years (``archive_retention_years``, 15 by default after 政府采购法 §42).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import archive
from bianmin.bidding.domain.errors import NotArchived
from bianmin.bidding.domain.keys import raw_public, signing_key
from bianmin.bidding.domain.projects import FINISHED
from bianmin.bidding.models import ArchiveCheckpoint, ArchiveLogHead, ArchiveLogLeaf, ArchiveVersion, Project
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit import merkle
from bianmin.kit.workdays import SHANGHAI

FORMAT = "bianmin.archive.v1"
ARCHIVE_PURPOSE = "archive"
HEAD_ID = 1


async def archive_key(session: AsyncSession, settings: BiddingSettings) -> Ed25519PrivateKey:
    """The archive key: configured, or generated once and shared through the database."""
    return await signing_key(session, ARCHIVE_PURPOSE, settings.archive_signing_key.get_secret_value())


def retain_until(project: Project, first_archived_at: datetime, settings: BiddingSettings) -> date:
    """The last day an archive is kept: its first version's day (Asia/Shanghai) plus the category's years."""
    day = first_archived_at.astimezone(SHANGHAI).date()
    years = settings.archive_retention(project.category)
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    """The checkpoint body of C2SP tlog-checkpoint: origin, size and base64 root, one per line."""
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


async def versions_of(session: AsyncSession, project: Project) -> list[ArchiveVersion]:
    """Every signed version of a project's archive, oldest first."""
    return list((await session.execute(select(ArchiveVersion).where(ArchiveVersion.project_id == project.id)
                                       .order_by(ArchiveVersion.version))).scalars())


async def latest(session: AsyncSession, project: Project) -> ArchiveVersion | None:
    """The newest signed version of a project's archive, or None before it is archived."""
    return (await session.execute(select(ArchiveVersion).where(ArchiveVersion.project_id == project.id)
                                  .order_by(ArchiveVersion.version.desc()).limit(1))).scalar_one_or_none()


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def _locked_head(session: AsyncSession, now: datetime) -> ArchiveLogHead:
    await session.execute(_insert(session)(ArchiveLogHead).values(
        id=HEAD_ID, size=0, root=merkle.EMPTY_ROOT.hex(), updated_at=now).on_conflict_do_nothing(index_elements=["id"]))
    return (await session.execute(select(ArchiveLogHead).where(ArchiveLogHead.id == HEAD_ID)
                                  .with_for_update().execution_options(populate_existing=True))).scalar_one()


async def _leaf_hashes(session: AsyncSession) -> list[bytes]:
    # Recomputed from the stored entries, not read from ``leaf_hash``: an entry edited in place then shows.
    entries = (await session.execute(select(ArchiveLogLeaf.entry).order_by(ArchiveLogLeaf.seq))).scalars()
    return [merkle.leaf_hash(e.encode()) for e in entries]


async def _append(session: AsyncSession, head: ArchiveLogHead, entry: bytes, *, key: Ed25519PrivateKey,
                  origin: str, now: datetime) -> int:
    """Append one entry under the locked head and sign the checkpoint of the new size; the entry's index."""
    index = head.size
    session.add(ArchiveLogLeaf(seq=index, entry=entry.decode(), leaf_hash=merkle.leaf_hash(entry).hex(), appended_at=now))
    await session.flush()
    root = merkle.root(await _leaf_hashes(session))
    head.size, head.root, head.updated_at = index + 1, root.hex(), now
    note = checkpoint_text(origin, index + 1, root)
    session.add(ArchiveCheckpoint(size=index + 1, root=root.hex(), note=note,
                                  signature=base64.b64encode(key.sign(note.encode())).decode(), signed_at=now))
    await session.flush()
    return index


def _changed(previous: list[dict[str, Any]] | None, entries: list[dict[str, Any]]) -> list[str]:
    before = {e["name"]: e["sha256"] for e in previous or []}
    return sorted(e["name"] for e in entries if before.get(e["name"]) != e["sha256"]) + sorted(
        set(before) - {e["name"] for e in entries})


async def _write(session: AsyncSession, project: Project, *, reason: str, now: datetime, settings: BiddingSettings,
                 amend_only: bool) -> ArchiveVersion | None:
    if amend_only and await latest(session, project) is None:
        return None  # not archived yet: no lock taken for the acts of a live project
    head = await _locked_head(session, now)  # serialises every writer of versions and of the log
    previous = await latest(session, project)
    if (previous is None) == amend_only:
        return None
    listing = archive.manifest((await archive.build(session, project))["parts"])
    if previous is not None and previous.digest == listing["digest"]:
        return None
    key = await archive_key(session, settings)
    version = 1 if previous is None else previous.version + 1
    first_at = now if previous is None else (await versions_of(session, project))[0].archived_at
    keep = retain_until(project, first_at, settings)
    changed = _changed(previous.manifest if previous else None, listing["entries"])
    record = {"format": FORMAT, "project": project.code, "version": version, "digest": listing["digest"],
              "previous_digest": previous.digest if previous else None, "reason": reason, "changed_parts": changed,
              "archived_at": now.isoformat(), "retain_until": keep.isoformat()}
    entry = archive.canonical(record)
    index = await _append(session, head, entry, key=key, origin=settings.archive_log_origin, now=now)
    row = ArchiveVersion(project_id=project.id, version=version, digest=listing["digest"],
                         previous_digest=record["previous_digest"], reason=reason, changed_parts=changed,
                         manifest=listing["entries"], archived_at=now, retain_until=keep, entry=entry.decode(),
                         signature=base64.b64encode(key.sign(entry)).decode(), public_key=raw_public(key),
                         log_index=index)
    session.add(row)
    await session.flush()
    return row


async def seal(session: AsyncSession, project: Project, *, now: datetime, settings: BiddingSettings) -> ArchiveVersion | None:
    """Archive a finished project as version 1, once; None when it is archived already (or not finished)."""
    if project.status not in FINISHED:
        return None
    return await _write(session, project, reason=f"project {project.status}", now=now, settings=settings,
                        amend_only=False)


async def amend(session: AsyncSession, project: Project, *, reason: str, now: datetime,
                settings: BiddingSettings) -> ArchiveVersion | None:
    """After one of the platform's own acts on an archived project: a new signed version when its bundle changed.

    Nothing happens before the project is archived (version 1 will hold the change) or when the act
    changed nothing the archive holds. The version names the parts that differ from the previous
    one, so an auditor sees when an act changed more than it should have.
    """
    return await _write(session, project, reason=reason, now=now, settings=settings, amend_only=True)


async def amend_code(session: AsyncSession, code: str, *, reason: str, now: datetime,
                     settings: BiddingSettings) -> ArchiveVersion | None:
    """:func:`amend` for a project named by its code in another service's event; nothing for an unknown code."""
    project = (await session.execute(select(Project).where(Project.code == code))).scalar_one_or_none()
    if project is None:
        return None
    return await amend(session, project, reason=reason, now=now, settings=settings)


async def seal_due(session: AsyncSession, *, now: datetime, settings: BiddingSettings, limit: int = 20) -> list[str]:
    """Archive finished projects that have no version yet (the worker); the codes archived."""
    archived = select(ArchiveVersion.project_id)
    due = (await session.execute(select(Project).where(Project.status.in_(FINISHED), Project.id.not_in(archived))
                                 .order_by(Project.id).limit(limit))).scalars().all()
    done = []
    for project in due:
        if await seal(session, project, now=now, settings=settings) is not None:
            done.append(project.code)
    return done


def _verify_signature(public_key: str, signature: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


async def verify(session: AsyncSession, project: Project, *, settings: BiddingSettings) -> dict[str, Any]:
    """Recompute the bundle from the database and check it against the latest signed version and the log.

    Checks: every version's entry is signed by the current archive key and says what its row says,
    the versions form a chain (1, 2, … each naming its predecessor's digest), the stored manifest
    hashes to the signed digest, the latest entry is in the log under the latest signed checkpoint,
    and the bundle rebuilt now has the same digest; a differing part is named with both hashes.
    """
    versions = await versions_of(session, project)
    if not versions:
        raise NotArchived(f"Project {project.code} is not archived yet.")
    current = versions[-1]
    public = raw_public(await archive_key(session, settings))
    problems: list[str] = []
    for i, v in enumerate(versions):
        expected_previous = versions[i - 1].digest if i else None
        if v.version != i + 1 or v.previous_digest != expected_previous:
            problems.append(f"version {v.version} does not follow version {i} in the chain")
        if not _verify_signature(public, v.signature, v.entry.encode()):
            problems.append(f"version {v.version}: the signature does not verify with the archive key")
        signed = json.loads(v.entry)
        if (signed.get("project"), signed.get("version"), signed.get("digest"), signed.get("previous_digest")) != (
                project.code, v.version, v.digest, v.previous_digest):
            problems.append(f"version {v.version}: the stored row differs from its signed entry")
    if hashlib.sha256(archive.canonical(current.manifest)).hexdigest() != current.digest:
        problems.append(f"version {current.version}: the stored manifest does not hash to the signed digest")
    hashes = await _leaf_hashes(session)
    size = len(hashes)
    checkpoint = (await session.execute(select(ArchiveCheckpoint).order_by(ArchiveCheckpoint.size.desc())
                                        .limit(1))).scalar_one_or_none()
    proof: list[bytes] = []
    in_log = False
    if checkpoint is None or checkpoint.size != size:
        problems.append("the log's leaves do not match its latest signed checkpoint's size")
    elif not _verify_signature(public, checkpoint.signature, checkpoint.note.encode()) or checkpoint.note != \
            checkpoint_text(settings.archive_log_origin, size, bytes.fromhex(checkpoint.root)):
        problems.append("the log's latest checkpoint is not signed by the archive key")
    elif merkle.root(hashes) != bytes.fromhex(checkpoint.root):
        problems.append("the log's leaves no longer hash to its latest signed checkpoint: an entry was changed")
    elif current.log_index >= size or hashes[current.log_index] != merkle.leaf_hash(current.entry.encode()):
        problems.append(f"version {current.version}'s entry is not the log's leaf {current.log_index}")
    else:
        proof = merkle.inclusion_path(current.log_index, size, merkle.list_hasher(hashes))
        in_log = merkle.verify_inclusion(current.log_index, size, merkle.leaf_hash(current.entry.encode()), proof,
                                         bytes.fromhex(checkpoint.root))
        if not in_log:
            problems.append(f"version {current.version}'s entry is not in the tree of the signed checkpoint")
    rebuilt = archive.manifest((await archive.build(session, project))["parts"])
    now_by_name = {e["name"]: e for e in rebuilt["entries"]}
    stored_by_name = {e["name"]: e for e in current.manifest}
    mismatched = [{"name": name, "stored_sha256": stored_by_name.get(name, {}).get("sha256"),
                   "current_sha256": now_by_name.get(name, {}).get("sha256"),
                   "stored_count": stored_by_name.get(name, {}).get("count"),
                   "current_count": now_by_name.get(name, {}).get("count")}
                  for name in sorted(set(now_by_name) | set(stored_by_name))
                  if now_by_name.get(name, {}).get("sha256") != stored_by_name.get(name, {}).get("sha256")]
    for part in mismatched:
        problems.append(f"part {part['name']} differs from version {current.version}: changed outside the platform's acts")
    return {
        "project_code": project.code, "intact": not problems, "version": current.version,
        "signed_digest": current.digest, "current_digest": rebuilt["digest"], "mismatched_parts": mismatched,
        "problems": problems, "public_key": public,
        "log": {"origin": settings.archive_log_origin, "leaf_index": current.log_index, "tree_size": size,
                "root": checkpoint.root if checkpoint else None, "checkpoint": checkpoint.note if checkpoint else None,
                "checkpoint_signature": checkpoint.signature if checkpoint else None,
                "inclusion_proof": [p.hex() for p in proof], "included": in_log},
    }


async def counts(session: AsyncSession, *, since: datetime | None, until: datetime | None,
                 today: date) -> dict[str, int]:
    """Archive figures of a period: projects archived (version 1 signed), versions signed (first and later), and
    archives past their retention period on ``today`` (due for appraisal, 鉴定)."""
    statement = select(ArchiveVersion.version)
    if since is not None:
        statement = statement.where(ArchiveVersion.archived_at >= since)
    if until is not None:
        statement = statement.where(ArchiveVersion.archived_at < until)
    versions = list((await session.execute(statement)).scalars())
    past = (await session.execute(select(func.count()).select_from(ArchiveVersion).where(
        ArchiveVersion.version == 1, ArchiveVersion.retain_until < today))).scalar_one()
    first = sum(1 for v in versions if v == 1)
    return {"archived": first, "versions": len(versions), "later_versions": len(versions) - first,
            "past_retention": int(past)}
