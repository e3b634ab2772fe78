"""Reads of a household's record that pages and the API share (already scoped by the caller)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .models import Household, Member

_NOT_SHOWN = frozenset({"version", "id_number_masked"})
_PHONE_FIELDS = frozenset({"phone"})


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    subject: str
    kind: str  # created, changed, deleted
    reason: str
    changes: list[Change] = field(default_factory=list)


def _entries(records: list, subject, show_phone: Callable[[str], str]) -> list[HistoryEntry]:
    """History entries with old → new values, comparing each record with the one before it (no extra queries)."""
    entries = []
    previous_by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                if change.field in _NOT_SHOWN:
                    continue
                model_field = record.instance_type._meta.get_field(change.field)
                old, new = str(change.old or ""), str(change.new or "")
                if change.field in _PHONE_FIELDS:
                    old, new = show_phone(old), show_phone(new)
                changes.append(Change(str(model_field.verbose_name), old, new))
        previous_by_object[record.id] = record
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "",
                subject=subject(record),
                kind=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def household_history(
    household: Household, *, show_phone: Callable[[str], str], limit: int = 100
) -> list[HistoryEntry]:
    """Edits of the household and its members, newest first: who, when, and each field's old and new value.

    ``show_phone`` renders a phone as the reader may see it (``accounts.permissions.phone_for``).
    """
    household_records = list(household.history.select_related("history_user").order_by("-history_date")[:limit])
    member_records = list(
        Member.history.filter(household_id=household.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    entries = _entries(household_records, lambda r: str(Household._meta.verbose_name), show_phone) + _entries(
        member_records, lambda r: r.name, show_phone
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)[:limit]
