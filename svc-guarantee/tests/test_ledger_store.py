"""The stored ledger agrees with the pure Merkle functions for every size, and proofs need few rows."""

from fastapi import FastAPI
from guarantee_factories import NOW, STAFF

from bianmin.guarantee.domain import ledger
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.verifier.notes import canonical_bytes
from bianmin.kit import merkle
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for


async def test_appends_keep_roots_and_proofs_equal_to_a_full_recomputation(app: FastAPI, db_backend: str) -> None:
    leaves: list[bytes] = []
    roots = [merkle.EMPTY_ROOT]
    keyring = KeyRing.from_settings(app.state.settings)
    async with app.state.db.sessionmaker() as session:
        for n in range(37):
            leaf = await ledger.append(session, keyring, kind="issued", number=f"BH-T-2026-{n:06d}", now=NOW,
                                       document_hash=f"{n:064x}")
            assert leaf.seq == n
            leaves.append(merkle.leaf_hash(canonical_bytes({
                "kind": "issued", "number": f"BH-T-2026-{n:06d}", "at": NOW.isoformat(), "document_hash": f"{n:064x}"})))
            roots.append(merkle.root(leaves))
            assert (await ledger.head(session))[1] == roots[-1]
        await session.commit()
        for size in (1, 2, 3, 7, 8, 13, 32, 37):
            mth = merkle.list_hasher(leaves[:size])
            assert await ledger.root_at(session, size) == roots[size]
            for index in range(size):
                assert await ledger.inclusion_proof(session, index, size) == merkle.inclusion_path(index, size, mth)
            for old in range(size + 1):
                assert await ledger.consistency_proof(session, old, size) == merkle.consistency_path(old, size, mth)


async def test_out_of_range_requests_are_refused_not_crashed(app: FastAPI, db_backend: str) -> None:
    async with client_for(app, ANONYMOUS) as public, client_for(app, STAFF) as staff:
        huge = await public.get(f"/v1/ledger/checkpoints/{2**70}")
        negative = await public.get("/v1/ledger/proofs/consistency", params={"first": -1, "second": 0})
        empty = await public.get("/v1/ledger/proofs/inclusion", params={"leaf_index": 0, "tree_size": 0})
        leaf = await public.get(f"/v1/ledger/leaves/{2**70}")
        cursor = await staff.get("/v1/guarantees", params={"cursor": "WyJ4Il0"})
        garbage = await staff.get("/v1/deliveries", params={"cursor": "%%%"})
    assert huge.status_code == 404
    assert negative.status_code == 422
    assert empty.status_code == 422
    assert leaf.status_code == 404
    assert cursor.status_code == 422
    assert garbage.status_code == 422
