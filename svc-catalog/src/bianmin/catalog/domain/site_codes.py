"""The rules a site's code, level, parent and kind must follow, as plain functions (the scheme: :mod:`.sites`).

Every check answers ``(field, reason)`` pairs instead of raising at the first, so that one answer
names every problem of a site, and an import names every problem of every row of its file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bianmin.catalog.domain.errors import SiteRefused
from bianmin.catalog.schemas import SiteWrite
from bianmin.kit.errors import FieldProblem
from bianmin.kit.identity import DISTRICT

Problem = tuple[str, str]

LEVEL_NAMES = {"district": "district hall", "township": "township", "village": "village", "bank": "bank outlet",
               "terminal": "terminal"}
PARENT_LEVELS: dict[str, frozenset[str]] = {
    "district": frozenset(), "township": frozenset({"district"}), "village": frozenset({"township"}),
    "bank": frozenset({"district", "township", "village"}),
    "terminal": frozenset({"district", "township", "village", "bank"}),
}
NEEDS_PARENT = frozenset({"village", "bank", "terminal"})
# The shape of each level's code on its own; that it extends its parent's is checked with the parent.
DIVISION = r"\d{6}(?:(?!000)\d{3}){0,2}"
SHAPES = {
    "district": re.compile(r"\d{6}000"),
    "township": re.compile(r"\d{6}(?!000)\d{3}"),
    "village": re.compile(r"\d{6}(?!000)\d{3}(?!000)\d{3}"),
    "bank": re.compile(rf"{DIVISION}B\d{{2}}"),
    "terminal": re.compile(rf"{DIVISION}(?:B\d{{2}})?[TCP]\d{{2}}"),
}
# What a child adds to its parent's code, per level (a terminal's letter comes from its kind).
SUFFIXES = {"township": r"(?!000)\d{3}", "village": r"(?!000)\d{3}", "bank": r"B\d{2}"}
KIND_LETTERS = {"self_service": "T", "bank_counter": "C", "pad": "P"}
# The channel each kind of terminal takes applications through (contracts' Channel values); a self-service
# terminal standing in a bank outlet is also the bank's terminal (bank_terminal).
KIND_CHANNELS = {"self_service": frozenset({"kiosk"}), "bank_counter": frozenset({"bank_staff"}),
                 "pad": frozenset({"mobile_pad"})}


@dataclass(frozen=True)
class Placed:
    """A site as the checks of the sites under it need it."""

    code: str
    level: str
    tenant: str
    active: bool


def area(site: Placed) -> str:
    """The code a child's code extends: a district hall's county code, any other site's own code."""
    return site.code[:6] if site.level == "district" else site.code


def tenant_of(code: str, level: str, parent: Placed | None) -> str:
    """A township owns itself and what hangs under it; a hall (and what hangs under it directly) is district-wide."""
    if level == "township":
        return code
    return parent.tenant if parent is not None else DISTRICT


def terminal_channels(kind: str, parent_level: str | None) -> frozenset[str]:
    """The channels a terminal of ``kind`` offers items through."""
    channels = KIND_CHANNELS[kind]
    return channels | {"bank_terminal"} if kind == "self_service" and parent_level == "bank" else channels


def site_problems(data: SiteWrite, code: str, *, parent: Placed | None, existing_level: str | None,
                  districts: Sequence[str] | None) -> list[Problem]:
    """Why ``data`` cannot be written as site ``code``: every problem as (field, reason); empty when it can.

    ``parent`` is the site ``data.parent_code`` names (None when it names none or an unknown one);
    ``existing_level`` the level of the stored site being changed (None for a new one); ``districts``
    the deployment's county codes, checked for a new site only (None for a change).
    """
    level, name = data.level, LEVEL_NAMES[data.level]
    problems: list[Problem] = []
    if existing_level is not None and level != existing_level:
        return [("level", f"cannot change from {existing_level}; create a new site instead")]
    shaped = SHAPES[level].fullmatch(code) is not None
    if not shaped:
        problems.append(("code", f"{code} is not the code of a {name} ({_shape(level)})"))
    if districts is not None:
        if not districts:
            problems.append(("code", "this deployment names no district (BIANMIN_CATALOG_DISTRICTS), so it adds no site"))
        elif code[:6] not in districts:
            problems.append(("code", f"is not in a district this deployment serves ({', '.join(districts)})"))
    if level == "terminal" and data.kind is None:
        problems.append(("kind", "a terminal needs its kind: self_service, bank_counter or pad"))
    if level != "terminal" and data.kind is not None:
        problems.append(("kind", "only a terminal has a kind"))
    parent_problem = _parent_problem(data, code, parent)
    if parent_problem is not None:
        problems.append(("parent_code", parent_problem))
    elif shaped and parent is not None:
        problems += _extension_problems(data, code, parent)
    return problems


def _parent_problem(data: SiteWrite, code: str, parent: Placed | None) -> str | None:
    level = data.level
    if data.parent_code is None:
        return f"a {LEVEL_NAMES[level]} needs the site it stands under" if level in NEEDS_PARENT else None
    if data.parent_code == code:
        return "a site cannot be its own parent"
    if parent is None:
        return f"no site {data.parent_code}"
    if parent.level not in PARENT_LEVELS[level]:
        return f"a {LEVEL_NAMES[level]} cannot stand under a {LEVEL_NAMES[parent.level]}"
    if data.active and not parent.active:
        return f"site {parent.code} is closed"
    return None


def _extension_problems(data: SiteWrite, code: str, parent: Placed) -> list[Problem]:
    """The child's code must be its parent's (a hall's: its county's) followed by its level's part."""
    base = area(parent)
    if data.level == "terminal":
        if data.kind is None:
            return []
        letter = KIND_LETTERS[data.kind]
        if re.fullmatch(rf"{re.escape(base)}{letter}\d{{2}}", code) is None:
            return [("code", f"a {data.kind} terminal's code is {base} followed by {letter} and 2 digits ({base}{letter}01)")]
        return []
    if re.fullmatch(re.escape(base) + SUFFIXES[data.level], code) is None:
        return [("code", f"a {LEVEL_NAMES[data.level]}'s code under {parent.code} is {base} followed by "
                         f"{'B and 2 digits' if data.level == 'bank' else '3 digits other than 000'}")]
    return []


def _shape(level: str) -> str:
    return {
        "district": "the county's 6 digits followed by 000",
        "township": "the county's 6 digits followed by 3 digits other than 000, or its 12-digit statistical code",
        "village": "its township's 9 digits followed by 3 digits other than 000",
        "bank": "its parent's code (a hall's: its county's) followed by B and 2 digits",
        "terminal": "its parent's code (a hall's: its county's) followed by T, C or P and 2 digits",
    }[level]


def refused(problems: list[Problem]) -> SiteRefused:
    """The 422 naming every problem (its detail quotes the first five)."""
    named = [FieldProblem(field=field, reason=reason) for field, reason in problems]
    return SiteRefused("; ".join(f"{p.field}: {p.reason}" for p in named[:5]), errors=named)


def refuse(problems: list[Problem]) -> None:
    """Raise the 422 naming every problem, when there is any."""
    if problems:
        raise refused(problems)
