"""Hypothesis over the parsers that take untrusted bytes: each refuses bad input with its own error, never another.

Sealed bid packages (``bianmin.bidding.sealing``), guarantee documents and checkpoints (the
guarantee verifier), enterprise CSV imports (credit), and credit codes and resident ID numbers
(``bianmin.kit.identifiers``). ``BIANMIN_FUZZ_EXAMPLES`` scales the number of examples.
"""

from __future__ import annotations

import base64
import contextlib
import os
import string
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bianmin.bidding.sealing import SealError, check_commitment, seal, unseal, unwrap_from_escrow
from bianmin.credit.domain.enterprises import ImportReport, parse_csv
from bianmin.guarantee.verifier import verify_bundle
from bianmin.guarantee.verifier.notes import NoteError, parse_checkpoint, parse_verifier_key, split_note, verifier_key
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identifiers import (
    USCC_ALPHABET,
    resident_id_problem,
    uscc_problem,
    with_resident_id_check,
    with_uscc_check,
)

EXAMPLES = max(20, 20 * int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "1")))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
b64 = st.binary(max_size=80).map(lambda raw: base64.b64encode(raw).decode())
text_or_b64 = st.one_of(st.text(max_size=80), b64)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)


@FUZZ
@given(ciphertext=text_or_b64, nonce=text_or_b64, commitment=st.text(max_size=70), data_key=text_or_b64,
       salt=st.text(max_size=70))
def test_unsealing_garbage_is_a_seal_error(ciphertext: str, nonce: str, commitment: str, data_key: str, salt: str) -> None:
    with pytest.raises(SealError):
        unseal(ciphertext=ciphertext, nonce=nonce, commitment=commitment, data_key=data_key, salt=salt,
               project="BM-2026-001", section="S1", bidder="91330199MA00000012")


@FUZZ
@given(plaintext=st.binary(max_size=200), commitment=st.text(max_size=70), salt=st.text(max_size=70))
def test_a_revealed_package_that_is_not_its_commitment_is_a_seal_error(plaintext: bytes, commitment: str, salt: str) -> None:
    with pytest.raises(SealError):
        check_commitment(plaintext, commitment=commitment, salt=salt, project="P", section="S", bidder="B")


@FUZZ
@given(wrapped=text_or_b64, key=st.binary(min_size=32, max_size=32))
def test_an_escrow_blob_of_garbage_is_a_seal_error(wrapped: str, key: bytes) -> None:
    with pytest.raises(SealError):
        unwrap_from_escrow(wrapped, key, b"aad")


@FUZZ
@given(package=st.dictionaries(st.text(max_size=10), json_values, max_size=5))
def test_a_sealed_package_opens_to_itself(package: dict[str, Any]) -> None:
    sealed, secret = seal(package, project="BM-2026-001", section="S1", bidder="B")
    opened = unseal(ciphertext=sealed.ciphertext, nonce=sealed.nonce, commitment=sealed.commitment,
                    data_key=secret.data_key, salt=secret.salt, project="BM-2026-001", section="S1", bidder="B")
    assert opened == package


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.lists(st.text(max_size=40), max_size=6).map("\n".join)))
def test_checkpoints_keys_and_notes_of_garbage_are_note_errors(text: str) -> None:
    """Either the parser refuses with NoteError, or what it accepted is well formed (read back the same)."""
    with contextlib.suppress(NoteError):
        checkpoint = parse_checkpoint(text)
        assert text.startswith(checkpoint.text())
        assert len(checkpoint.root) == 32
    with contextlib.suppress(NoteError):
        key = parse_verifier_key(text)
        assert verifier_key(key.name, key.public_key) == text.strip()
    with contextlib.suppress(NoteError):
        body, signatures = split_note(text)
        assert signatures
        assert body.endswith("\n")
        assert text.startswith(body)
        assert all(len(s.key_hash) == 4 and s.signature for s in signatures)


@FUZZ
@given(signed=st.dictionaries(st.text(max_size=10), json_values, max_size=4),
       proof=st.dictionaries(st.text(max_size=10), json_values, max_size=4), note=st.text(max_size=200),
       document=st.dictionaries(st.text(max_size=10), json_values, max_size=4))
def test_a_guarantee_bundle_of_garbage_gets_a_failing_report(signed: dict[str, Any], proof: dict[str, Any], note: str,
                                                             document: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from bianmin.guarantee.verifier.notes import raw_public_key, verifier_key

    key = parse_verifier_key(verifier_key("issuer", raw_public_key(Ed25519PrivateKey.generate().public_key())))
    for bundle in (signed, {**signed, "document": document}):
        report = verify_bundle(bundle, {**proof, "entry": document}, note, key)
        assert not report.ok


csv_cells = st.text(alphabet=string.printable + "，统一社会信用代码\ufeff\x00", max_size=30)


@FUZZ
@given(rows=st.lists(st.lists(csv_cells, max_size=4), max_size=8), header=st.booleans(), raw=st.text(max_size=200))
def test_an_enterprise_csv_of_garbage_is_rejected_row_by_row(rows: list[list[str]], header: bool, raw: str) -> None:
    lines = (["credit_code,name,legacy"] if header else []) + [",".join(r) for r in rows]
    for text in ("\n".join(lines), raw):
        report = ImportReport()
        try:
            parsed = parse_csv(text, report)
        except Unprocessable:
            continue
        assert all(row.code and row.name for row in parsed)


@FUZZ
@given(code=st.text(max_size=24), first17=st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_credit_codes_are_judged_without_raising(code: str, first17: str) -> None:
    assert uscc_problem(code) is None or isinstance(uscc_problem(code), str)
    valid = with_uscc_check(first17)
    assert uscc_problem(valid) is None
    wrong = valid[:17] + next(c for c in USCC_ALPHABET if c != valid[17])
    assert uscc_problem(wrong) is not None


@FUZZ
@given(number=st.text(max_size=24), born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), serial=st.integers(0, 999))
def test_resident_ids_are_judged_without_raising(number: str, born: Any, serial: int) -> None:
    assert resident_id_problem(number) is None or isinstance(resident_id_problem(number), str)
    valid = with_resident_id_check(f"330199{born:%Y%m%d}{serial:03d}")
    problem = resident_id_problem(valid)
    assert problem is None or "birth date" in problem
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    assert resident_id_problem(wrong) is not None
