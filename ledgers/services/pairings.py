"""Cadre–household pairing: pair, end, re-pair."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from cadres.models import Cadre
from households.models import Household, HouseholdStatus
from ledgers.models import Pairing
from songpan.records import history_by

from .rules import (
    _check_date,
    _end_entry,
    _ensure_capacity,
    _ensure_pairable,
    _household_label,
    _lock_cadre,
    _locked_active,
    _require_reason,
)


@refusals_logged
@transaction.atomic
def pairing_create(
    *,
    actor: User | None,
    cadre: Cadre,
    household: Household,
    start_date: dt.date | None = None,
    reason: str = "",
    is_primary: bool = True,
) -> Pairing:
    """Pair ``cadre`` with ``household``. A household has at most one active primary pairing."""
    check_capability(actor, Capability.MANAGE_PAIRINGS)
    cadre = _lock_cadre(cadre)
    _ensure_pairable(cadre)
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(
            {"household": _("Household %(label)s is no longer active.") % {"label": _household_label(household)}}
        )
    start = _check_date(start_date, field_name="start_date")
    active = Pairing.objects.active().filter(household=household).select_related("cadre")
    if any(p.cadre_id == cadre.pk for p in active):
        raise ValidationError(
            {"household": _("%(name)s is already paired with this household.") % {"name": cadre.name}}
        )
    if is_primary:
        current = next((p for p in active if p.is_primary), None)
        if current is not None:
            raise ValidationError(
                {
                    "household": _(
                        "Household %(label)s is already paired with %(name)s; end or re-pair that pairing first."
                    )
                    % {"label": _household_label(household), "name": current.cadre.name}
                }
            )
        _ensure_capacity(cadre)
    pairing = Pairing(
        cadre=cadre,
        household=household,
        is_primary=is_primary,
        start_date=start,
        start_reason=reason.strip()[:200],
        created_by=actor,
    )
    history_by(pairing, actor)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError as exc:  # a concurrent pairing of the same household won the race
        raise ValidationError(
            {
                "household": _("Household %(label)s was paired by someone else just now.")
                % {"label": _household_label(household)}
            }
        ) from exc
    return pairing


@refusals_logged
@transaction.atomic
def pairing_end(*, actor: User | None, pairing: Pairing, reason: str, end_date: dt.date | None = None) -> Pairing:
    """End a pairing; the row stays in the ledger. The household may be left uncovered."""
    check_capability(actor, Capability.MANAGE_PAIRINGS)
    return _end_entry(_locked_active(Pairing, pairing), actor=actor, end_date=end_date, reason=reason)


@refusals_logged
@transaction.atomic
def pairing_repair(
    *, actor: User | None, household: Household, cadre: Cadre, reason: str, date: dt.date | None = None
) -> Pairing:
    """Move a household's primary pairing to ``cadre``: the old row ends and the new one starts on ``date``."""
    check_capability(actor, Capability.MANAGE_PAIRINGS)
    reason = _require_reason(reason)
    current = Pairing.objects.select_for_update().active().filter(household=household, is_primary=True).first()
    if current is None:
        raise ValidationError(
            {
                "household": _("Household %(label)s has no active pairing to move.")
                % {"label": _household_label(household)}
            }
        )
    if current.cadre_id == cadre.pk:
        raise ValidationError({"cadre": _("The household is already paired with %(name)s.") % {"name": cadre.name}})
    _end_entry(current, actor=actor, end_date=date, reason=reason)
    return pairing_create(
        actor=actor, cadre=cadre, household=household, start_date=current.end_date, reason=reason, is_primary=True
    )
