"""Redaction of personal data before a question and its answer are published in the knowledge base.

What is removed, and why each pattern is shaped the way it is:
- resident ID numbers (18 digits with a plausible birth date, or the old 15-digit form), whether or
  not the check digit is right: a mistyped number is still someone's number → ``〔身份证号〕``;
- mobile numbers (``1[3-9]`` + 9 digits, with or without ``+86`` and separators) → ``〔手机号〕``;
- landlines with an area code (``0571-87654321``, ``(0571)87654321``, extensions) → ``〔电话〕``;
  bare 7-8 digit numbers are left alone, because amounts and file numbers look the same;
- e-mail addresses → ``〔邮箱〕``;
- credit codes of sole traders (个体工商户, organisation type ``92``), which identify a person →
  ``〔个体户信用代码〕``; enterprise credit codes (``91`` …) are public registration data and stay;
- the asker's name, and their given name alone when it has two or more characters → ``张*``;
  ``<family name>先生/女士`` of the asker's family name → ``张**``.
Hotline numbers such as 12345 are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bianmin.kit.identifiers import mask_name

_USCC_CHARS = "0-9A-HJ-NPQRTUWXY"
SOLE_TRADER = re.compile(rf"(?<![0-9A-Za-z])92[{_USCC_CHARS}]{{16}}(?![0-9A-Za-z])")
RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[- ]?)[2-9]\d{6,7}(?:[-转]\d{1,6})?(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with personal data replaced; ``names`` are the people (the asker) to mask."""
    text = EMAIL.sub("〔邮箱〕", text)
    text = SOLE_TRADER.sub("〔个体户信用代码〕", text)
    text = RESIDENT_ID.sub("〔身份证号〕", text)
    text = MOBILE.sub("〔手机号〕", text)
    text = LANDLINE.sub("〔电话〕", text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
        given = name[1:]
        if len(given) >= 2:
            text = text.replace(given, "*" * len(given))
        text = re.sub(rf"{re.escape(name[0])}(先生|女士)", rf"{name[0]}**", text)
    return text
