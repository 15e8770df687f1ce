"""Check characters of the credit code (GB 32100) and the resident ID number (GB 11643), and masks."""

from datetime import date

import pytest

from bianmin.kit.identifiers import (
    age_on,
    is_valid_resident_id,
    is_valid_uscc,
    mask_name,
    mask_phone,
    mask_resident_id,
    resident_id_problem,
    uscc_problem,
    with_resident_id_check,
    with_uscc_check,
)


@pytest.mark.parametrize("code", ["91310110666007217T", "91110000MA01A7RH2R"])
def test_the_published_credit_code_examples_are_valid(code: str) -> None:
    assert is_valid_uscc(code)


@pytest.mark.parametrize(("code", "reason"), [
    ("91310110666007217A", "check character does not match"),
    ("91310110666007217", "must be 18 characters"),
    ("91310110666OO7217T", "contains characters outside the code alphabet: O"),
    ("9131011066600721IT", "contains characters outside the code alphabet: I"),
])
def test_invalid_credit_codes_say_why(code: str, reason: str) -> None:
    assert uscc_problem(code) == reason


def test_a_check_character_of_zero_is_written_0() -> None:
    codes = [with_uscc_check(f"91330199MA{n:07d}") for n in range(1, 400)]
    assert all(is_valid_uscc(c) for c in codes)
    assert any(c.endswith("0") for c in codes)


def test_a_resident_id_with_x_check() -> None:
    number = next(with_resident_id_check(f"11010519491001{n:03d}") for n in range(1000)
                  if with_resident_id_check(f"11010519491001{n:03d}").endswith("X"))
    assert is_valid_resident_id(number)
    assert resident_id_problem(number[:-1] + "0") == "check digit does not match"


@pytest.mark.parametrize(("number", "reason"), [
    ("33019919500230001", "must be 18 characters"),
    ("33019919500230001X", "positions 7-14 are not a valid date"),
    ("3301991950010100A3", "must be 17 digits and a digit or X"),
])
def test_invalid_resident_ids_say_why(number: str, reason: str) -> None:
    assert resident_id_problem(number) == reason


def test_a_birth_date_in_the_future_is_refused() -> None:
    assert resident_id_problem(with_resident_id_check("33019920990101001"), today=date(2026, 11, 27)) == \
        "birth date is out of range"


def test_age_counts_whole_years() -> None:
    number = with_resident_id_check("33019919661128001")
    assert age_on(number, date(2026, 11, 27)) == 59
    assert age_on(number, date(2026, 11, 28)) == 60


def test_masks() -> None:
    assert mask_resident_id("330682196611281234") == "330682********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张") == "张*"
    assert mask_phone("13812345678") == "138****5678"
