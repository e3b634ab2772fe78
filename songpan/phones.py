"""Chinese phone numbers: what households, members, cadres and cases all carry, validated and masked alike."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}$")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s()]+", "", value or "").removeprefix("+86")


def validate_phone(value: str) -> str:
    """A mainland mobile (11 digits from 13x to 19x) or a landline with its area code (0837-7231234)."""
    phone = normalize_phone(value)
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    raise ValidationError(
        _("%(phone)s is not a mainland mobile number (11 digits starting 13–19) or a landline with area code."),
        code="phone",
        params={"phone": value},
    )


def mask_phone(phone: str) -> str:
    """``138****5678``: keeps the first three and last four characters."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "*" * len(phone)
