"""The transparency logs' Merkle tree against the RFC 6962 test vectors of the Certificate Transparency suites."""

import hashlib
import random

import pytest

from bianmin.kit.merkle import (
    EMPTY_ROOT,
    consistency_path,
    fold_ranges,
    inclusion_path,
    leaf_hash,
    list_hasher,
    perfect_ranges,
    root,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)

ENTRIES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                       "606162636465666768696a6b6c6d6e6f")]
LEAVES = [leaf_hash(e) for e in ENTRIES]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (leaf index, tree size, path) from the CT test suites (1-based leaves there)
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def test_the_empty_tree_is_the_hash_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_rfc6962_vectors(size: int) -> None:
    assert root(LEAVES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_the_vectors_and_verify(index: int, size: int, expected: list[str]) -> None:
    path = inclusion_path(index, size, list_hasher(LEAVES[:size]))
    assert [p.hex() for p in path] == expected
    assert verify_inclusion(index, size, LEAVES[index], path, bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_vectors_and_verify(old: int, new: int, expected: list[str]) -> None:
    path = consistency_path(old, new, list_hasher(LEAVES[:new]))
    assert [p.hex() for p in path] == expected
    assert verify_consistency(old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), path)


def test_a_tampered_entry_fails_its_inclusion_proof() -> None:
    path = inclusion_path(5, 8, list_hasher(LEAVES))
    tampered = leaf_hash(b"\x40\x41\x42\x44")
    assert not verify_inclusion(5, 8, tampered, path, bytes.fromhex(ROOTS[7]))
    assert root([*LEAVES[:5], tampered, *LEAVES[6:]]).hex() != ROOTS[7]


def test_corrupted_inclusion_proofs_are_refused() -> None:
    path = inclusion_path(5, 8, list_hasher(LEAVES))
    good_root = bytes.fromhex(ROOTS[7])
    flipped = [bytes([path[0][0] ^ 8]) + path[0][1:], *path[1:]]
    for index, size, proof in [(4, 8, path), (6, 8, path), (5, 16, path), (5, 4, path), (5, 8, flipped),
                               (5, 8, path[:-1]), (5, 8, [*path, good_root]), (5, 8, [good_root, *path])]:
        assert not verify_inclusion(index, size, LEAVES[5], proof, good_root)


def test_corrupted_consistency_proofs_are_refused() -> None:
    path = consistency_path(6, 8, list_hasher(LEAVES))
    r6, r8 = bytes.fromhex(ROOTS[5]), bytes.fromhex(ROOTS[7])
    assert not verify_consistency(5, 8, r6, r8, path)
    assert not verify_consistency(6, 8, r8, r6, path)
    assert not verify_consistency(6, 8, r6, r8, path[:-1])
    assert not verify_consistency(6, 8, r6, r8, [])
    assert not verify_consistency(8, 6, r8, r6, path)


def test_every_proof_of_random_trees_verifies() -> None:
    rng = random.Random(6962)
    leaves = [leaf_hash(rng.randbytes(rng.randint(0, 40))) for _ in range(70)]
    roots = [root(leaves[:n]) for n in range(71)]
    for size in range(1, 71):
        mth = list_hasher(leaves[:size])
        for index in range(size):
            path = inclusion_path(index, size, mth)
            assert root_from_inclusion(index, size, leaves[index], path) == roots[size]
        for old in range(size + 1):
            assert verify_consistency(old, size, roots[old], roots[size], consistency_path(old, size, mth))


def test_perfect_subtrees_fold_into_the_same_hash() -> None:
    rng = random.Random(9162)
    leaves = [leaf_hash(rng.randbytes(8)) for _ in range(45)]
    mth = list_hasher(leaves)
    for size in range(1, 46):
        parts = [mth(lo, hi) for lo, hi in perfect_ranges(0, size)]
        assert fold_ranges(parts) == root(leaves[:size])
    assert fold_ranges([mth(lo, hi) for lo, hi in perfect_ranges(32, 45)]) == mth(32, 45)
