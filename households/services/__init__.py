"""Every write to households, their income sources and members (DESIGN §4).

Each service is keyword-only, atomic, validates its input and raises ``ValidationError`` (a dict of field →
messages where a field is at fault) for bad input or a broken rule. Updates lock the row, honour an optional
``expected_version`` (optimistic concurrency for offline clients: ``StaleVersionError``) and bump ``version``
once per successful change. ``actor`` is written into the history row of every change.

``households`` registers and changes households (categories, income sources, status); ``members`` adds, changes
and removes their members (ID numbers); ``records`` holds what both share.
"""

from songpan.errors import StaleVersionError

from .households import household_create, household_set_status, household_update
from .members import member_create, member_remove, member_update
from .reveal import member_id_number_reveal

__all__ = [
    "member_id_number_reveal",
    "StaleVersionError",
    "household_create",
    "household_set_status",
    "household_update",
    "member_create",
    "member_remove",
    "member_update",
]
