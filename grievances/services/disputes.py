"""Disputes: the parties and the mediation sessions held (the outcome is recorded when the case is resolved)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from grievances.models import Case, CaseKind, DisputeParty, EventAction, MediationResult, MediationSession
from grievances.workflow import Standing, standing
from songpan.errors import FieldErrors
from songpan.records import lock_for_update, save_next_version

from .cases import NOTE_MAX, _clean_parties, case_label, clean_text, event_write

MEDIATORS_MAX, PLACE_MAX = 200, 100
# Who may record mediation and parties: the staff handling the case.
HANDLERS = frozenset({Standing.OFFICE, Standing.TOWNSHIP, Standing.LEAD, Standing.CO})


def _check_dispute(actor: User, case: Case) -> None:
    if not standing(actor, case) & HANDLERS:
        raise PermissionDenied(gettext("Your role may not record mediation on this case."))
    if case.kind != CaseKind.DISPUTE:
        raise PermissionDenied(gettext("Only disputes have parties and mediation sessions."))


@transaction.atomic
def mediation_record(
    *,
    actor: User,
    case: Case,
    date: Any,
    mediators: str,
    result: str,
    place: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> MediationSession:
    locked = lock_for_update(case, expected_version=expected_version, label=case_label)
    _check_dispute(actor, locked)
    errors = FieldErrors()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        errors.add("date", _("Give the date as YYYY-MM-DD."), code="invalid")
    elif date > timezone.localdate():
        errors.add("date", _("A mediation session cannot be in the future."), code="future")
    elif date < locked.created_at.date() - dt.timedelta(days=366):
        errors.add("date", _("This date is long before the case was listed."), code="too_early")
    mediators = clean_text(mediators, "mediators", errors, max_length=MEDIATORS_MAX, required=True)
    place = clean_text(place, "place", errors, max_length=PLACE_MAX, required=False)
    note = clean_text(note, "note", errors, max_length=NOTE_MAX, required=False)
    if result not in MediationResult.values:
        errors.add("result", _("“%(value)s” is not a valid choice."), code="invalid_choice", params={"value": result})
    errors.raise_if_any()
    session = MediationSession.objects.create(
        case=locked, date=date, mediators=mediators, result=result, place=place, note=note, recorded_by=actor
    )
    event_write(
        case=locked,
        actor=actor,
        action=EventAction.MEDIATION,
        from_status=locked.status,
        note=note,
        date=date.isoformat(),
        result=result,
        mediators=mediators,
    )
    save_next_version(locked, actor=actor)
    return session


@transaction.atomic
def party_add(
    *,
    actor: User,
    case: Case,
    name: str,
    role: str,
    phone: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> DisputeParty:
    locked = lock_for_update(case, expected_version=expected_version, label=case_label)
    _check_dispute(actor, locked)
    errors = FieldErrors()
    rows = _clean_parties([{"name": name, "role": role, "phone": phone, "note": note}], errors)
    errors.raise_if_any()
    party = DisputeParty.objects.create(case=locked, **rows[0])
    save_next_version(locked, actor=actor)
    return party
