"""The Merkle tree of the platform's transparency logs, after RFC 6962 §2.1 and RFC 9162 §2.1 (C2SP tlog).

The guarantee ledger and the bidding archive log both hash with these functions; they sit in the
kit because services never import each other.

leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), the empty tree hashes to
SHA-256(""), and a tree of n > 1 leaves splits at k, the largest power of two smaller than n; an odd
last node is carried up, never duplicated. Every function here is pure and needs no database.

Proof generation is written against a range hasher ``mth(lo, hi)`` (the hash of leaves lo..hi-1)
so that the same code serves a list of leaf hashes in memory and a service's stored subtree
hashes; verification follows the iterative algorithms of RFC 9162 §2.1.3.2 (inclusion) and
§2.1.4.2 (consistency), which need only the proof, the sizes and the roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
RangeHasher = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or arguments that no proof can satisfy."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


def perfect_ranges(lo: int, hi: int) -> list[tuple[int, int]]:
    """The perfect, aligned subtrees whose concatenation is the RFC 6962 subtree of leaves lo..hi-1.

    Valid for the ranges the tree's recursion produces (``lo`` aligned to a power of two at least
    as large as the range): the largest power of two first, then the rest, recursively.
    """
    ranges: list[tuple[int, int]] = []
    while hi - lo > 0:
        size = 1 << ((hi - lo).bit_length() - 1)
        ranges.append((lo, lo + size))
        lo += size
    return ranges


def fold_ranges(hashes: Sequence[bytes]) -> bytes:
    """The subtree hash of consecutive perfect subtrees (largest first), folded from the right."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def list_hasher(leaves: Sequence[bytes]) -> RangeHasher:
    """A range hasher over leaf hashes held in memory (recursive MTH, memoised)."""
    cache: dict[tuple[int, int], bytes] = {}

    def mth(lo: int, hi: int) -> bytes:
        if hi - lo == 0:
            return EMPTY_ROOT
        if hi - lo == 1:
            return leaves[lo]
        key = (lo, hi)
        if key not in cache:
            k = split_point(hi - lo)
            cache[key] = node_hash(mth(lo, lo + k), mth(lo + k, hi))
        return cache[key]

    return mth


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes."""
    return list_hasher(leaves)(0, len(leaves))


def inclusion_path(index: int, size: int, mth: RangeHasher) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path of leaf ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = split_point(n)
        if m < k:
            return [*path(m, lo, lo + k), mth(lo + k, hi)]
        return [*path(m - k, lo + k, hi), mth(lo, lo + k)]

    return path(index, 0, size)


def consistency_path(old_size: int, new_size: int, mth: RangeHasher) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2: proves the tree of ``old_size`` is a prefix of ``new_size``."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [mth(lo, hi)]
        k = split_point(n)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), mth(lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), mth(lo, lo + k)]

    return subproof(old_size, 0, new_size, True)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2); ProofError when it is malformed."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    if len(leaf) != HASH_SIZE or any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("every hash must be 32 bytes")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """Whether ``leaf`` is leaf ``index`` of the tree of ``size`` whose root is ``expected_root``."""
    try:
        return root_from_inclusion(index, size, leaf, proof) == expected_root
    except ProofError:
        return False


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """Whether the tree (old_size, old_root) is a prefix of (new_size, new_root) (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
