"""Validation of national ID numbers (GB 11643-1999). Phone numbers, which cadres and cases carry too, are
``songpan.phones`` (re-exported here for the household code)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from songpan.phones import mask_phone, normalize_phone, validate_phone

__all__ = [
    "id_number_birth_date",
    "id_number_check_char",
    "id_number_sex",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "normalize_phone",
    "validate_id_number",
    "validate_phone",
]

# First two digits of GB/T 2260 codes: provinces, autonomous regions, municipalities, HK, Macao, Taiwan.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    """Strip spaces and upper-case the check character; does not validate."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise ValidationError naming what is wrong."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(length)d."),
            code="id_length",
            params={"length": len(number)},
        )
    if not _ID_SHAPE.match(number):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="id_characters")
    if number[:2] not in PROVINCE_PREFIXES or number[2:6] == "0000":
        raise ValidationError(
            _("The ID number starts with %(region)s, which is not a region code."),
            code="id_region",
            params={"region": number[:6]},
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date %(date)s in the ID number does not exist."),
            code="id_birth_date",
            params={"date": number[6:14]},
        ) from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _("The birth date %(date)s in the ID number is out of range."),
            code="id_birth_date",
            params={"date": number[6:14]},
        )
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("The check digit of the ID number is wrong (expected %(expected)s)."),
            code="id_check_digit",
            params={"expected": expected},
        )
    return number


def id_number_birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_number_sex(number: str) -> str:
    """``male`` or ``female`` from the 17th digit (odd is male)."""
    return "male" if int(number[16]) % 2 else "female"


def mask_id_number(number: str) -> str:
    """``513224********1234``: region code and the last four characters only."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}" if len(number) == 18 else "*" * len(number)
