"""The public ledger: checkpoints and their witnesses, entries, inclusion and consistency proofs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bianmin.kit.schemas import RequestBody


class CheckpointRead(BaseModel):
    """A signed checkpoint, with witnesses' countersignatures appended."""

    origin: str
    size: int
    root_hash: str
    note: str
    witnesses: list[str]


class WitnessCosign(RequestBody):
    """A witness's countersignature: one C2SP signature line over the checkpoint's text."""

    signature_line: str = Field(min_length=10, max_length=300)


class LeafRead(BaseModel):
    """One ledger entry (hashes and ids only) and its leaf hash."""

    seq: int
    entry: dict[str, Any]
    leaf_hash: str


class InclusionRead(BaseModel):
    """An inclusion proof of one leaf."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyRead(BaseModel):
    """A consistency proof between two sizes."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]
