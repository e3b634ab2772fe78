"""The accountability sweep (问责制): run daily by Celery beat (``grievances.tasks.sweep_overdue_cases``).

For every case whose unit is answerable (assigned or in progress) and whose deadline has passed:

1. the first time it is found overdue: mark it (``overdue_since``), escalate it one level, record a supervision
   notice against the lead unit, tell the unit, and set ``penalty_after`` (today + the policy's grace days);
2. when ``penalty_after`` has passed too and it is still not resolved: record a penalty, escalate once more (if
   it is not at county level yet) and tell the unit.

Idempotent: a case already marked is not marked again, a penalty is recorded once per unit and missed deadline
(database constraint too), so running the sweep twice on one day changes nothing the second time. A new deadline
(a referral, a reopening) starts a new clock. Each case is handled in its own transaction; rows locked by a user
at that moment are skipped and picked up by the next run.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from grievances.models import (
    OPEN_STATUSES,
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseLevel,
    EventAction,
    NotificationKind,
)
from songpan.records import save_next_version

from .cases import event_write
from .routing import policy_days
from .transitions import escalate_one_level, notify

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    marked: list[str] = field(default_factory=list)  # references found overdue for the first time
    penalised: list[str] = field(default_factory=list)  # references penalised

    def __str__(self) -> str:
        return f"{len(self.marked)} newly overdue, {len(self.penalised)} penalised"


def overdue_sweep(*, today: dt.date | None = None) -> SweepResult:
    """Sweep the cases overdue on ``today`` (default: the local date); returns the references marked and
    penalised."""
    today = today or timezone.localdate()
    result = SweepResult()
    # Not marked yet, or marked and past the grace period: one indexed range over (status, deadline).
    candidates = (
        Case.objects.overdue(today)
        .filter(Q(overdue_since__isnull=True) | Q(penalty_after__lt=today))
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        outcome, reference = _sweep_one(pk, today)
        if outcome == "marked":
            result.marked.append(reference)
        elif outcome == "penalised":
            result.penalised.append(reference)
    if result.marked or result.penalised:
        logger.info("overdue sweep %s: %s", today, result)
    return result


@transaction.atomic
def _sweep_one(pk, today: dt.date) -> tuple[str | None, str]:
    # Lock the case only (``of``): the unit is read along but not locked, and PostgreSQL refuses FOR UPDATE on
    # the nullable side of the outer join to it anyway.
    case = (
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=pk)
        .select_related("responsible_unit")
        .first()
    )
    if case is None or not (case.status in OPEN_STATUSES and case.deadline and case.deadline < today):
        return None, ""  # changed since the candidates were read, or locked by someone at work on it
    days_overdue = (today - case.deadline).days
    if case.overdue_since is None:
        grace = policy_days(category_id=case.category_id, priority=case.priority)[1]
        case.overdue_since = today
        case.penalty_after = today + dt.timedelta(days=grace)
        AccountabilityRecord.objects.get_or_create(
            case=case,
            unit=case.responsible_unit,
            kind=AccountabilityKind.SUPERVISION,
            deadline=case.deadline,
            defaults={"days_overdue": days_overdue, "created_at": timezone.now()},
        )
        note = gettext("Overdue since %(deadline)s: supervision notice to %(unit)s.") % {
            "deadline": case.deadline,
            "unit": case.responsible_unit,
        }
        _escalate_or_note(case, note, EventAction.OVERDUE, today)
        notify(unit=case.responsible_unit, case=case, kind=NotificationKind.OVERDUE)
        outcome: str | None = "marked"
    elif case.penalty_after is not None and case.penalty_after < today:
        _record, created = AccountabilityRecord.objects.get_or_create(
            case=case,
            unit=case.responsible_unit,
            kind=AccountabilityKind.PENALTY,
            deadline=case.deadline,
            defaults={"days_overdue": days_overdue, "created_at": timezone.now()},
        )
        case.penalty_after = None  # one penalty per missed deadline
        if created:
            note = gettext(
                "Still not resolved %(days)d days after the deadline: penalty recorded against %(unit)s."
            ) % {
                "days": days_overdue,
                "unit": case.responsible_unit,
            }
            _escalate_or_note(case, note, EventAction.PENALTY, today)
            notify(unit=case.responsible_unit, case=case, kind=NotificationKind.PENALTY)
        outcome = "penalised" if created else None
    else:
        return None, case.reference
    save_next_version(case, actor=None)
    return outcome, case.reference


def _escalate_or_note(case: Case, note: str, action: str, today: dt.date) -> None:
    if case.level != CaseLevel.COUNTY:
        escalate_one_level(case=case, actor=None, note=note, action=action, today=today)
    else:
        event_write(case=case, actor=None, action=action, from_status=case.status, note=note)
