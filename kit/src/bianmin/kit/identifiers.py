"""The identifiers citizens and enterprises are known by, validated by their check characters.

- Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters over a 31-letter
  alphabet, check = 31 − (Σ value × 3^(i−1) mod 31) mod 31.
- Resident identity number (GB 11643-1999): 17 digits, a valid birth date in positions 7–14, and
  the check character ``10X98765432``[Σ digit × weight mod 11].
Masks keep what a board or a log may show: ``330682********1234`` and ``张*``.
"""

from __future__ import annotations

from datetime import date

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def uscc_check_char(first17: str) -> str:
    """The check character of the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("expected 17 characters of the credit-code alphabet")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def with_uscc_check(first17: str) -> str:
    """A full credit code from its first 17 characters (demo data and tests make codes this way)."""
    return first17 + uscc_check_char(first17)


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid Unified Social Credit Code, or None when it is."""
    if len(code) != 18:
        return "must be 18 characters"
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        return f"contains characters outside the code alphabet: {''.join(bad)}"
    if uscc_check_char(code[:17]) != code[17]:
        return "check character does not match"
    return None


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` is a Unified Social Credit Code with a correct check character."""
    return uscc_problem(code) is None


def resident_id_check_char(first17: str) -> str:
    """The check character of the first 17 digits of a resident identity number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("expected 17 digits")
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def with_resident_id_check(first17: str) -> str:
    """A full resident identity number from its first 17 digits (demo data and tests)."""
    return first17 + resident_id_check_char(first17)


def resident_id_birth_date(number: str) -> date:
    """The birth date written in positions 7–14; ValueError when it is not a real date."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def resident_id_problem(number: str, *, today: date | None = None) -> str | None:
    """Why ``number`` is not a valid resident identity number, or None when it is."""
    if len(number) != 18:
        return "must be 18 characters"
    if not (number[:17].isdigit() and number[:17].isascii()) or number[17] not in "0123456789X":
        return "must be 17 digits and a digit or X"
    try:
        born = resident_id_birth_date(number)
    except ValueError:
        return "positions 7-14 are not a valid date"
    if born > (today or date.today()) or born.year < 1900:
        return "birth date is out of range"
    if resident_id_check_char(number[:17]) != number[17]:
        return "check digit does not match"
    return None


def is_valid_resident_id(number: str) -> bool:
    """Whether ``number`` is a resident identity number with a correct check digit."""
    return resident_id_problem(number) is None


def age_on(number: str, day: date) -> int:
    """Age in whole years on ``day`` of the holder of a resident identity number."""
    born = resident_id_birth_date(number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask_resident_id(number: str) -> str:
    """Keep the first six and last four characters: ``330682********1234``."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """Keep the family name's first character: ``张*``, ``欧**``."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits of a phone number."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
