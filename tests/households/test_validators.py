"""National ID numbers (GB 11643-1999), phone numbers and masking."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from households.validators import (
    id_number_birth_date,
    id_number_check_char,
    id_number_sex,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)


def with_check_char(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def id_number_ending_in_x() -> str:
    for sequence in range(1000):
        first17 = f"51322419800517{sequence:03d}"
        if id_number_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence number gives the check character X")


def rejection(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_id_number(value)
    return caught.value


def english(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


# --- ID numbers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        with_check_char("51322419800517001"),  # Songpan, male
        with_check_char("11010520011231002"),  # Beijing, female, New Year's Eve
        with_check_char("51322420000229003"),  # a real 29 February
    ],
)
def test_a_well_formed_id_number_is_accepted_as_it_is(number):
    # given a number with the right check character / when validated / then it comes back unchanged
    assert validate_id_number(number) == number


def test_an_id_number_ending_in_x_is_accepted_and_a_lower_case_x_is_upper_cased():
    # given a number whose check character is X, typed with a lower-case x and spaces
    number = id_number_ending_in_x()
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "

    # when validated / then it is normalised to 18 characters with a capital X
    assert validate_id_number(typed) == number
    assert number.endswith("X")


def test_the_sex_and_birth_date_are_read_from_the_number():
    # given a number with an odd 17th digit, born 17 May 1980
    number = with_check_char("51322419800517001")

    # then it is a man's, born on that day; an even 17th digit is a woman's
    assert id_number_sex(number) == "male"
    assert id_number_birth_date(number) == dt.date(1980, 5, 17)
    assert id_number_sex(with_check_char("51322419800517002")) == "female"


@pytest.mark.parametrize("value", ["5132241980051700", "5132241980051700123", ""])
def test_an_id_number_of_the_wrong_length_is_refused(value):
    # when a number that is too short or too long is validated
    error = rejection(value)

    # then the user is told how long it must be
    assert error.code == "id_length"
    assert "18 characters" in english(error)


@pytest.mark.parametrize("value", ["51322419800517A01X", "513224-9800517001X", "51322419800517001Y"])
def test_an_id_number_with_letters_or_signs_is_refused(value):
    error = rejection(value)

    assert error.code == "id_characters"
    assert "17 digits followed by a digit or X" in english(error)


@pytest.mark.parametrize("first17", ["99322419800517001", "51000019800517001"])
def test_an_id_number_that_does_not_start_with_a_region_code_is_refused(first17):
    # given a number starting with no province (99) or with a province but no county (510000)
    error = rejection(with_check_char(first17))

    # then the region is named as the problem
    assert error.code == "id_region"
    assert first17[:6] in english(error)
    assert "not a region code" in english(error)


def test_an_id_number_with_a_birth_date_that_does_not_exist_is_refused():
    # given 30 February 1999
    error = rejection(with_check_char("51322419990230001"))

    assert error.code == "id_birth_date"
    assert "19990230" in english(error)
    assert "does not exist" in english(error)


def test_an_id_number_with_a_birth_date_in_the_future_is_refused():
    # given someone "born" next year
    future = timezone.localdate() + dt.timedelta(days=366)
    error = rejection(with_check_char(f"513224{future:%Y%m%d}001"))

    assert error.code == "id_birth_date"
    assert f"{future:%Y%m%d}" in english(error)
    assert "out of range" in english(error)


def test_an_id_number_with_a_birth_year_before_1900_is_refused():
    error = rejection(with_check_char("51322418991231001"))

    assert error.code == "id_birth_date"


def test_an_id_number_with_a_wrong_check_character_is_refused_and_the_right_one_named():
    # given a valid number with its last character changed
    number = with_check_char("51322419800517001")
    wrong = "0" if number[-1] != "0" else "1"

    error = rejection(number[:17] + wrong)

    # then the message names the expected check character
    assert error.code == "id_check_digit"
    assert f"expected {number[-1]}" in english(error)


# --- phones --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("19987654321", "19987654321"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0837-7231234", "0837-7231234"),
        ("08377231234", "08377231234"),
        ("(0837) 7231234", "08377231234"),
        ("028-85551234", "028-85551234"),
    ],
)
def test_mobiles_and_landlines_with_area_code_are_accepted_and_normalised(typed, stored):
    assert validate_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["12812345678", "1381234567", "138123456789", "7231234", "0837-1231234", "0837-72312", "phone", "+1 415 555 0100"],
)
def test_numbers_that_are_neither_mobile_nor_landline_are_refused_with_the_number_quoted(typed):
    with pytest.raises(ValidationError) as caught:
        validate_phone(typed)

    assert caught.value.code == "phone"
    with translation.override("en"):
        message = caught.value.messages[0]
    assert typed in message
    assert "mobile" in message


# --- masking -------------------------------------------------------------------------------------------------


def test_an_id_number_is_masked_to_its_region_and_last_four_characters():
    number = id_number_ending_in_x()

    masked = mask_id_number(number)

    assert masked == f"513224********{number[-4:]}"
    assert len(masked) == 18
    assert number[6:14] not in masked  # the birth date is hidden


def test_a_malformed_id_number_is_masked_entirely():
    assert mask_id_number("5132241980") == "**********"


def test_a_phone_is_masked_to_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0837-7231234") == "083****1234"
    assert mask_phone("12345") == "*****"
