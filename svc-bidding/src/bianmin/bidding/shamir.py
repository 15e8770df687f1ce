"""Shamir's secret sharing over the prime field GF(2^521 − 1), standard library only.

A secret of up to 64 bytes is the constant term of a random polynomial of degree k − 1; share i is
the polynomial's value at x = i (1 … n). Any k shares give the secret back by Lagrange
interpolation at zero; fewer reveal nothing about it. Shares travel as text ``"<x>-<y in hex>"``.
The escrow key of a tender is split this way among its custodians (trading centre, supervision,
notary), so no single custodian can decrypt a bid.
"""

from __future__ import annotations

import secrets

PRIME = 2**521 - 1
MAX_SECRET_BYTES = 64


class ShareError(ValueError):
    """A share that is malformed, repeated, or too few shares to recover the secret."""


def split(secret: bytes, *, threshold: int, shares: int) -> list[str]:
    """Split ``secret`` into ``shares`` shares of which any ``threshold`` recover it."""
    if not 0 < len(secret) <= MAX_SECRET_BYTES:
        raise ValueError(f"secret must be 1 to {MAX_SECRET_BYTES} bytes")
    if not 2 <= threshold <= shares <= 255:
        raise ValueError("need 2 <= threshold <= shares <= 255")
    # A length prefix keeps leading zero bytes of the secret through the integer round trip.
    value = int.from_bytes(bytes([len(secret)]) + secret, "big")
    coefficients = [value] + [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    out = []
    for x in range(1, shares + 1):
        y = 0
        for coefficient in reversed(coefficients):
            y = (y * x + coefficient) % PRIME
        out.append(f"{x}-{y:x}")
    return out


def parse_share(share: str) -> tuple[int, int]:
    """The point ``(x, y)`` a share encodes; ShareError when it is not a share."""
    x_text, sep, y_text = share.strip().partition("-")
    try:
        x, y = int(x_text, 10), int(y_text, 16)
    except ValueError as exc:
        raise ShareError("a share reads <x>-<hex>") from exc
    if not sep or not 1 <= x <= 255 or not 0 <= y < PRIME:
        raise ShareError("a share reads <x>-<hex> with 1 <= x <= 255")
    return x, y


def combine(shares: list[str]) -> bytes:
    """The secret recovered from at least ``threshold`` distinct shares.

    Fewer shares, or shares of different splits, interpolate to an unrelated field element; its length
    prefix then fails to match in all but about 1 case in 512 (ShareError), and in that case the bytes
    returned are not the secret. Shamir's scheme cannot tell more (fewer shares reveal nothing), so a
    caller checks what it recovered against what it knows: the escrow checks the key against the
    tender's public key (``domain/escrow.py``, :func:`recover_private_key`).
    """
    points = [parse_share(s) for s in shares]
    xs = [x for x, _ in points]
    if len(set(xs)) != len(xs):
        raise ShareError("the same share was given twice")
    if len(points) < 2:
        raise ShareError("at least two shares are needed")
    value = 0
    for i, (xi, yi) in enumerate(points):
        numerator, denominator = 1, 1
        for j, (xj, _) in enumerate(points):
            if i != j:
                numerator = numerator * (-xj) % PRIME
                denominator = denominator * (xi - xj) % PRIME
        value = (value + yi * numerator * pow(denominator, -1, PRIME)) % PRIME
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    length, body = raw[0], raw[1:]
    if length != len(body) or not 0 < length <= MAX_SECRET_BYTES:
        raise ShareError("the shares do not belong together (or too few were given)")
    return body
