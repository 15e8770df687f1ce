"""Secrets handed to askers: access codes for consultations and tracking codes for suggestions.

A code is ``secrets.token_urlsafe(18)`` (144 bits), shown once and stored only as its SHA-256, so
the database never holds a usable code. Lookup is by the hash through a unique index: a wrong code
and a malformed one both answer 404 after the same work (hashing and one indexed read), and no
character-by-character comparison of the secret ever happens in Python.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from bianmin.kit.workdays import local_date

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_code() -> str:
    """A fresh unguessable code."""
    return secrets.token_urlsafe(18)


def hash_code(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def plausible(code: str) -> bool:
    """Whether a code has the shape of one we issue (hash it anyway, so timing does not tell)."""
    return bool(_CODE.fullmatch(code))


def consultation_number(now: datetime) -> str:
    """A readable consultation number: ``ZX`` + the local date + six random characters."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"ZX{local_date(now):%Y%m%d}{suffix}"
