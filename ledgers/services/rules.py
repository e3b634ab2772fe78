"""Rules shared by every ledger operation: dates, reasons, who may be paired, rank limits."""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cadres.models import Cadre, CadreStatus
from divisions.models import Division, Level
from households.models import Household
from ledgers.models import LedgerEntry, Pairing
from songpan.records import history_by

Entry = TypeVar("Entry", bound=LedgerEntry)  # one of the four ledgers' rows


def pairing_limit(rank: str) -> int:
    """How many households a cadre of ``rank`` may carry as primary pairings (settings.PAIRING_LIMITS)."""
    return settings.PAIRING_LIMITS.get(rank, settings.PAIRING_LIMITS["ordinary"])


def cadre_loads(cadre_ids: Iterable[int]) -> dict[int, int]:
    """Active primary pairings per cadre, in one query; cadres with none are 0."""
    ids = list(cadre_ids)
    counts = dict(
        Pairing.objects.active()
        .filter(is_primary=True, cadre_id__in=ids)
        .values_list("cadre_id")
        .annotate(n=Count("id"))
        .values_list("cadre_id", "n")
    )
    return {cadre_id: counts.get(cadre_id, 0) for cadre_id in ids}


def _today() -> dt.date:
    return timezone.localdate()


def _check_date(value: dt.date | None, *, field_name: str, not_before: dt.date | None = None) -> dt.date:
    value = value or _today()
    if value > _today():
        raise ValidationError({field_name: _("The date %(date)s is in the future.") % {"date": value}})
    if not_before and value < not_before:
        raise ValidationError(
            {
                field_name: _("The date %(date)s is before the start date %(start)s.")
                % {"date": value, "start": not_before}
            }
        )
    return value


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this change.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("The reason is too long (200 characters at most).")})
    return reason


def _ensure_pairable(cadre: Cadre) -> None:
    if cadre.status != CadreStatus.ACTIVE:
        raise ValidationError(
            {
                "cadre": _("%(name)s is %(status)s and can no longer be paired.")
                % {"name": cadre.name, "status": cadre.get_status_display()}
            }
        )


def _ensure_capacity(cadre: Cadre, *, adding: int = 1) -> None:
    """Refuse when ``cadre`` would carry more primary households than its rank allows.

    The caller holds a lock on the cadre row, so two concurrent pairings cannot both take the last place.
    """
    limit = pairing_limit(cadre.rank)
    load = cadre_loads([cadre.pk])[cadre.pk]
    if load + adding > limit:
        raise ValidationError(
            {
                "cadre": _("%(name)s already carries %(load)d households; a %(rank)s may carry at most %(limit)d.")
                % {"name": cadre.name, "load": load, "rank": cadre.get_rank_display(), "limit": limit}
            }
        )


def _lock_cadre(cadre: Cadre) -> Cadre:
    return Cadre.objects.select_for_update().get(pk=cadre.pk)


def _end_entry(entry: Entry, *, actor: User | None, end_date: dt.date | None, reason: str) -> Entry:
    if entry.end_date is not None:
        raise ValidationError(_("This ledger row already ended on %(date)s.") % {"date": entry.end_date})
    entry.end_date = _check_date(end_date, field_name="end_date", not_before=entry.start_date)
    entry.end_reason = _require_reason(reason)
    entry.ended_by = actor
    history_by(entry, actor)
    entry.save(update_fields=["end_date", "end_reason", "ended_by", "updated_at"])
    return entry


def _locked_active(model: type[Entry], entry: Entry) -> Entry:
    return model.objects.select_for_update().get(pk=entry.pk)


def _require_level(division: Division, level: str, field_name: str) -> None:
    if division.level != level:
        raise ValidationError(
            {
                field_name: _("%(name)s is a %(level)s, not a %(expected)s.")
                % {"name": division.name, "level": division.get_level_display(), "expected": Level(level).label}
            }
        )


def _refuse_duplicate(model: type[LedgerEntry], message: str, **match) -> None:
    if model.objects.active().filter(**match).exists():
        raise ValidationError(message)


@transaction.atomic
def _save_new(entry: Entry, *, actor: User | None, start_date: dt.date | None, reason: str) -> Entry:
    entry.start_date = _check_date(start_date, field_name="start_date")
    entry.start_reason = reason.strip()[:200]
    entry.created_by = actor
    history_by(entry, actor)
    entry.full_clean(exclude=["created_by", "ended_by"], validate_unique=False, validate_constraints=False)
    entry.save()
    return entry


def _household_label(household: Household) -> str:
    return f"{household.village_id}-{household.number} {household.head_name}"


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _prefix_q(field_name: str, prefixes: Iterable[str]) -> Q:
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{field_name}__startswith": prefix})
    return q
