"""Filters shared by the API's lists."""

import re

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CODE = re.compile(r"^\d{2,12}$")


def validate_code(value: str) -> None:
    if not _CODE.match(value or ""):
        raise ValidationError(_("A division code is 2 to 12 digits."), code="invalid_code")


class WithinFilter(django_filters.CharFilter):
    """``?within=513224101``: rows whose division code (at ``field_name``) lies inside that division."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "startswith")
        kwargs.setdefault("validators", [validate_code])
        kwargs.setdefault("help_text", _("A division code: rows inside that division (prefix match)."))
        super().__init__(*args, **kwargs)


class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``; anything else answers 400 (django-filter's BooleanFilter would ignore it silently)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)
