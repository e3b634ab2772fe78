"""The one parser of integers sent by clients (``songpan.client_numbers``)."""

import pytest

from songpan.client_numbers import MAX_DIGITS, client_int, client_ints


@pytest.mark.parametrize(("value", "number"), [("0", 0), ("7", 7), ("007", 7), (7, 7), ("9" * MAX_DIGITS, 10**18 - 1)])
def test_ascii_digits_and_json_integers_are_numbers(value, number):
    assert client_int(value) == number


@pytest.mark.parametrize(
    "value",
    [
        "",
        "\u00b2",  # superscript two: str.isdigit() is true, int() fails
        "\u0663",  # Arabic-Indic three: int() reads it as 3
        "\uff17",  # fullwidth seven
        "1" * 5000,  # past Python's int conversion limit
        "9" * (MAX_DIGITS + 1),
        10**MAX_DIGITS,
        "-1",
        -1,
        "+1",
        " 1",
        "1 ",
        "1_000",
        "1.0",
        1.0,
        True,
        False,
        None,
        [1],
        b"1",
    ],
)
def test_anything_else_is_none(value):
    assert client_int(value) is None


def test_a_list_is_refused_as_a_whole_when_one_value_is_not_a_number():
    assert client_ints(["1", "22"]) == [1, 22]
    assert client_ints([]) == []
    assert client_ints(["1", "\u00b2"]) is None


def test_the_bound_can_be_narrowed():
    assert client_int("123456", max_digits=6) == 123456
    assert client_int("1234567", max_digits=6) is None
