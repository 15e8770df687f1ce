"""Signed notes against the known-answer vector of the Go reference (golang.org/x/mod/sumdb/note),
the one every C2SP signed-note implementation tests against."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bianmin.guarantee.verifier.notes import (
    NoteError,
    parse_checkpoint,
    parse_verifier_key,
    raw_public_key,
    sign_line,
    verifier_key,
    verify_note,
)

SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 ‖ Ed25519 seed of PeterNeumann
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNATURE = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"


def _signer() -> Ed25519PrivateKey:
    raw = base64.b64decode(SEED)
    assert raw[0] == 1
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_the_verifier_key_and_key_hash_match_the_reference() -> None:
    key = parse_verifier_key(VKEY)
    assert key.name == "PeterNeumann"
    assert key.hash.hex() == "c74f20a3"
    assert verifier_key("PeterNeumann", raw_public_key(_signer().public_key())) == VKEY


def test_signing_the_reference_text_gives_the_reference_signature() -> None:
    assert sign_line("PeterNeumann", _signer(), TEXT.encode()) == SIGNATURE


def test_the_reference_note_opens_and_a_changed_one_does_not() -> None:
    note = TEXT + "\n" + SIGNATURE
    assert verify_note(note, parse_verifier_key(VKEY)) == TEXT
    with pytest.raises(NoteError):
        verify_note(note.replace("answer", "question"), parse_verifier_key(VKEY))


@pytest.mark.parametrize("size", ["\u0663", "+3", "03", " 3", "3 ", "-0"])
def test_a_checkpoint_size_is_an_ascii_decimal_only(size: str) -> None:
    """Found by the parsers' fuzzing: int() took an Arabic-Indic digit, a sign and a leading zero."""
    text = f"bianmin.example/guarantees\n{size}\n{base64.b64encode(bytes(32)).decode()}\n"
    with pytest.raises(NoteError):
        parse_checkpoint(text)
