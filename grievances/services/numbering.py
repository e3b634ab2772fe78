"""Human reference numbers, ``SP-2026-000123``: one series per county and year, unique and gapless.

The series row is locked (``SELECT … FOR UPDATE``) for the rest of the creating transaction, so concurrent
creations in one county take turns and a rolled-back creation gives its number back. Call it inside the
transaction that inserts the case.
"""

from django.conf import settings
from django.db import transaction

from grievances.models import CaseSequence


def county_prefix(county_code: str) -> str:
    """``SP`` for Songpan; other counties are configured in ``SONGPAN_CASE_PREFIXES`` (else ``C<code>``)."""
    prefixes = getattr(settings, "SONGPAN_CASE_PREFIXES", {})
    return prefixes.get(county_code, f"C{county_code}")


def next_reference(*, village_code: str, year: int) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_reference must run inside the transaction that creates the case")
    county = village_code[:6]
    # Create the series row if this is the county's first case of the year; a concurrent creator may win that
    # race, which is why the row is then read again under a lock.
    CaseSequence.objects.bulk_create([CaseSequence(county=county, year=year)], ignore_conflicts=True)
    sequence = CaseSequence.objects.select_for_update().get(county=county, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{county_prefix(county)}-{year}-{sequence.last:06d}"
