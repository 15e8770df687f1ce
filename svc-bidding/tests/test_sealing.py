"""The bidder-side sealing library and Shamir sharing, without the server."""

from __future__ import annotations

import base64
import json

import pytest

from bianmin.bidding import sealing, shamir
from bianmin.bidding.sealing import SealError, generate_escrow_keypair, seal, unseal, unwrap_from_escrow

BIDDER = "91310110666007217T"
PACKAGE = {"price": "123456.78", "duration_days": 90, "project_manager": "李工", "document_hashes": ["a" * 64]}


def _unseal(sealed: sealing.SealedBid, secret: sealing.BidSecret, **where: str) -> dict[str, object]:
    context = {"project": "P1", "section": "S1", "bidder": BIDDER, **where}
    return unseal(ciphertext=sealed.ciphertext, nonce=sealed.nonce, commitment=sealed.commitment,
                  data_key=secret.data_key, salt=secret.salt, **context)


def test_a_sealed_bid_opens_with_its_key_and_matches_its_commitment() -> None:
    sealed, secret = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    assert _unseal(sealed, secret) == PACKAGE
    assert "123456" not in json.dumps(sealed.as_request())


def test_a_tampered_ciphertext_is_refused() -> None:
    sealed, secret = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[0] ^= 1
    tampered = sealing.SealedBid(base64.b64encode(bytes(raw)).decode(), sealed.nonce, sealed.commitment)
    with pytest.raises(SealError):
        _unseal(tampered, secret)


def test_a_ciphertext_moved_to_another_bidder_or_section_is_refused() -> None:
    sealed, secret = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    with pytest.raises(SealError):
        _unseal(sealed, secret, section="S2")
    with pytest.raises(SealError):
        _unseal(sealed, secret, bidder="91110000MA01A7RH2R")


def test_a_different_commitment_or_salt_is_refused() -> None:
    sealed, secret = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    other, _ = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    with pytest.raises(SealError, match="commitment"):
        _unseal(sealing.SealedBid(sealed.ciphertext, sealed.nonce, other.commitment), secret)
    with pytest.raises(SealError, match="commitment"):
        _unseal(sealed, sealing.BidSecret(secret.data_key, "1" * 64))


def test_the_wrong_key_is_refused() -> None:
    sealed, _ = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    _, other = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER)
    with pytest.raises(SealError):
        _unseal(sealed, sealing.BidSecret(other.data_key, other.salt))


def test_the_escrow_opens_the_data_key_and_salt_with_the_private_key_only() -> None:
    private, public = generate_escrow_keypair()
    sealed, secret = seal(PACKAGE, project="P1", section="S1", bidder=BIDDER,
                          escrow_public_key=base64.b64encode(public).decode())
    assert sealed.escrow_wrapped_key is not None
    aad = sealing.associated_data("P1", "S1", BIDDER)
    key, salt = sealing.escrow_secret(unwrap_from_escrow(sealed.escrow_wrapped_key, private, aad))
    assert (base64.b64encode(key).decode(), salt) == (secret.data_key, secret.salt)
    other_private, _ = generate_escrow_keypair()
    with pytest.raises(SealError):
        unwrap_from_escrow(sealed.escrow_wrapped_key, other_private, aad)


def test_any_k_shares_recover_the_secret_and_fewer_do_not() -> None:
    secret = b"\x00\x01" + bytes(range(30))
    shares = shamir.split(secret, threshold=3, shares=5)
    assert shamir.combine(shares[:3]) == secret
    assert shamir.combine([shares[4], shares[1], shares[2]]) == secret
    # Two shares interpolate to an unrelated value: refused by its length prefix, or (about 1 in 512) bytes that
    # are not the secret, which the escrow then refuses against the tender's public key.
    try:
        recovered = shamir.combine(shares[:2])
    except shamir.ShareError:
        recovered = None
    assert recovered != secret


def test_the_length_check_refuses_almost_every_set_of_too_few_shares() -> None:
    refused = 0
    for _ in range(200):
        try:
            shamir.combine(shamir.split(b"k" * 32, threshold=3, shares=5)[:2])
        except shamir.ShareError:
            refused += 1
    assert refused >= 190  # about 1 in 512 slips past the prefix: 200 tries refuse fewer than 190 about once in 1e12


def test_malformed_or_repeated_shares_are_refused() -> None:
    shares = shamir.split(b"k" * 32, threshold=2, shares=3)
    with pytest.raises(shamir.ShareError):
        shamir.combine([shares[0], shares[0]])
    with pytest.raises(shamir.ShareError):
        shamir.parse_share("zz-12")
    with pytest.raises(ValueError, match="threshold"):
        shamir.split(b"k", threshold=4, shares=3)


def test_a_ciphertexts_length_does_not_tell_the_prices_digits() -> None:
    """招标投标法 §22, 电子招标投标办法: nothing of a bid shows before the opening, its length included."""
    cheap, cheap_secret = seal({**PACKAGE, "price": "9.00"}, project="P1", section="S1", bidder=BIDDER)
    dear, _ = seal({**PACKAGE, "price": "12345678901234.56", "document_hashes": ["b" * 64] * 100},
                   project="P1", section="S1", bidder=BIDDER)
    assert len(base64.b64decode(cheap.ciphertext)) == len(base64.b64decode(dear.ciphertext)) == sealing.SEALED_BYTES
    assert _unseal(cheap, cheap_secret)["price"] == "9.00"


def test_a_package_too_long_for_the_padded_size_is_refused() -> None:
    with pytest.raises(SealError, match="must be under"):
        seal({**PACKAGE, "notes": "x" * sealing.PACKAGE_BYTES}, project="P1", section="S1", bidder=BIDDER)


def test_an_unpadded_ciphertext_does_not_open() -> None:
    """A ciphertext of the old, unpadded kind (its length tells the digits) is refused before decryption."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, nonce = b"k" * 32, b"n" * 12
    bare = AESGCM(key).encrypt(nonce, sealing.canonical_json(PACKAGE), sealing.associated_data("P1", "S1", BIDDER))
    with pytest.raises(SealError, match="bytes"):
        sealing.decrypt(ciphertext=base64.b64encode(bare).decode(), nonce=base64.b64encode(nonce).decode(),
                        data_key=key, project="P1", section="S1", bidder=BIDDER)
