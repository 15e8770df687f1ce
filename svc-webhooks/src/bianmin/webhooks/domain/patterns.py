"""Event-type patterns of an endpoint, in NATS subject syntax, matched against event subjects.

A pattern names subjects (``bidding.project.awarded``), not CloudEvents types: ``*`` matches
exactly one token (``bidding.project.*``, ``*.ticket.called``) and ``>``, as the last token,
matches one or more (``bidding.>``, or ``>`` alone for everything). This is the syntax the
platform's streams and consumers already use, so an operator reads one wildcard language.
A pattern is refused unless it matches at least one subject the platform publishes, so a typo
(``biding.>``) is a 422 on registration instead of an endpoint that silently never hears a thing.
"""

from __future__ import annotations

import re

from bianmin.contracts.events.webhooks import CONSUMES

FORWARDED: tuple[str, ...] = CONSUMES
_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
MAX_PATTERN_LENGTH = 200


def matches(pattern: str, subject: str) -> bool:
    """Whether a subject is named by a pattern (``*`` one token, trailing ``>`` one or more)."""
    wanted = pattern.split(".")
    tokens = subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return index < len(tokens)
        if index >= len(tokens) or (token != "*" and token != tokens[index]):
            return False
    return len(wanted) == len(tokens)


def matches_any(patterns: list[str], subject: str) -> bool:
    """Whether any of an endpoint's patterns names the subject."""
    return any(matches(pattern, subject) for pattern in patterns)


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern is refused, or None when it is well formed and matches a published subject."""
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be 1 to {MAX_PATTERN_LENGTH} characters"
    tokens = pattern.split(".")
    for index, token in enumerate(tokens):
        if token == ">" and index != len(tokens) - 1:
            return "'>' may only be the last token"
        if token not in ("*", ">") and not _TOKEN.fullmatch(token):
            return f"token {token!r} is not '*', '>' or lower snake case"
    if not any(matches(pattern, subject) for subject in FORWARDED):
        return "matches no event the platform publishes"
    return None
