"""Reads over the division tree. Divisions are public reference data, so these take no user."""

from django.db.models import QuerySet

from .models import CODE_LENGTH, Division


def division_get(code: str) -> Division:
    """The division with ``code``; raises ``Division.DoesNotExist`` when there is none."""
    return Division.objects.get(code=code)


def divisions_within(code: str) -> QuerySet[Division]:
    """``code`` and every division inside it, by code (a prefix match on the indexed key)."""
    return Division.objects.filter(code__startswith=code).order_by("code")


def division_ancestors(division: Division) -> list[Division]:
    """The divisions above ``division``, province first, in one query.

    Read from the prefixes of its code: the import guarantees that a parent's code is the child's code cut to
    the length of the level above.
    """
    prefixes = [division.code[:length] for length in CODE_LENGTH.values() if length < len(division.code)]
    if not prefixes:
        return []
    return list(Division.objects.filter(code__in=prefixes).order_by("code"))
