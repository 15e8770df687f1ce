"""Verification (验真): the document a holder presents, the verdict, and the offline bundle."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from bianmin.kit.schemas import RequestBody


class PresentedDocument(RequestBody):
    """The guarantee as its holder has it: the canonical document, its signature and the key named."""

    document: dict[str, Any] = Field(description="The document as issued (canonical JSON; key order and spacing "
                                                 "do not matter, values do).")
    signature: str = Field(min_length=1, max_length=200, description="The issuer's Ed25519 signature, base64.")
    key_name: str | None = Field(default=None, max_length=80,
                                 description="The signing key; defaults to the document's own key_name.")


class CheckRead(BaseModel):
    """One check of a verification: what was checked, whether it held, and why."""

    name: Literal["record", "document", "signature", "ledger", "status"]
    ok: bool
    reason: str


class VerificationRead(BaseModel):
    """The answer of 验真: genuine, altered, unknown or revoked, and why (every check, in order)."""

    number: str | None
    verdict: Literal["genuine", "altered", "unknown", "revoked"]
    status: str | None = None
    reasons: list[str]
    checks: list[CheckRead] = []
    document_hash: str | None = None
    checked_at: datetime


class SignedDocument(BaseModel):
    """The canonical document with its issuer's signature, as the offline verifier reads it."""

    document: dict[str, Any]
    signature: str
    key_name: str


class HistoryEntry(BaseModel):
    """One ledger entry of the guarantee with its inclusion proof in the bundle's checkpoint."""

    leaf_index: int
    entry: dict[str, Any]
    inclusion_proof: list[str]


class ProofRead(BaseModel):
    """Everything needed to check a guarantee offline: document, leaf, inclusion proof, checkpoint."""

    signed: SignedDocument
    leaf_index: int
    tree_size: int
    entry: dict[str, Any]
    inclusion_proof: list[str]
    checkpoint: str
    issuer_key: str
    log_key: str
    history: list[HistoryEntry] = Field(description="Every ledger entry of the guarantee, in order, each proven "
                                                    "in the checkpoint: the verifier replays its current state.")
