"""The request-body base and the identifier types every service uses."""

from __future__ import annotations

import pytest
from pydantic import Field, ValidationError

from bianmin.kit.identifiers import with_resident_id_check, with_uscc_check
from bianmin.kit.schemas import CreditCode, RequestBody, ResidentId, SiteCode

CODE = with_uscc_check("91330199MA0000001")
PERSON = with_resident_id_check("33019919600101000")  # ends in X


class Party(RequestBody):
    credit_code: CreditCode | None = None
    id_number: ResidentId | None = None
    site_code: SiteCode | None = None


class Note(RequestBody):
    text: str = ""
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)
    party: Party | None = None


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        Note.model_validate({"text": "ok", "colour": "red"})
    assert refused.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("body", [
    {"text": "a\x00b"}, {"text": "bell\x07"}, {"text": "esc\x1b[31m"}, {"text": "del\x7f"}, {"text": "c1\x85"},
    {"tags": ["ok", "x\x00"]}, {"extra": {"k": "v\x00"}}, {"extra": {"k\x00": "v"}},
    {"party": {"site_code": "330199001\x00"}},
])
def test_a_control_character_anywhere_is_refused_naming_the_field(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as refused:
        Note.model_validate(body)
    error = refused.value.errors()[0]
    assert error["loc"][0] == next(iter(body))
    assert "control characters" in error["msg"]


def test_tabs_and_line_breaks_are_text() -> None:
    assert Note.model_validate({"text": "第一行\r\n第二行\t完"}).text == "第一行\r\n第二行\t完"


@pytest.mark.parametrize(("given", "stored"), [
    (CODE, CODE), (CODE.lower(), CODE), (f"  {CODE} ", CODE), (f"\t{CODE.lower()}\n", CODE),
])
def test_a_credit_code_is_stored_in_its_one_canonical_form(given: str, stored: str) -> None:
    assert Party(credit_code=given).credit_code == stored


@pytest.mark.parametrize(("given", "reason"), [
    (CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "check character"),
    ("91330199MA00000O1", "pattern"), (CODE + "0", "pattern"), ("", "pattern"),
])
def test_a_wrong_credit_code_is_refused(given: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Party(credit_code=given)
    assert reason in str(refused.value)


def test_an_id_number_takes_a_lowercase_x_and_keeps_the_canonical_form() -> None:
    assert PERSON.endswith("X")
    assert Party(id_number=PERSON.lower()).id_number == PERSON
    with pytest.raises(ValidationError, match="check digit"):
        Party(id_number=PERSON[:-1] + "0")
    with pytest.raises(ValidationError, match="valid date"):
        Party(id_number=with_resident_id_check("33019919601301002"))


@pytest.mark.parametrize(("given", "ok"), [
    ("330199", True), ("330199001", True), ("330199001001", True), ("330199B01", True), ("330199001t01", True),
    ("33019", False), ("3301990011", False), ("330199-001", False), ("B01", False), ("330199001001001", False),
])
def test_site_codes_are_division_codes_or_sites_under_one(given: str, ok: bool) -> None:
    if ok:
        assert Party(site_code=given).site_code == given.upper()
    else:
        with pytest.raises(ValidationError):
            Party(site_code=given)
