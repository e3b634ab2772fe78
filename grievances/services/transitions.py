"""Every change of a case's status or responsibility: one function, ``case_transition``, that locks the case,
asks ``grievances.workflow`` whether the actor may take the action from the current status, applies it and writes
the timeline entry (and notifications, accountability) in the same transaction. A refusal changes nothing.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.scoping import scope_for
from cadres.models import Department
from grievances.models import (
    OPEN_STATUSES,
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseKind,
    CaseStatus,
    CaseUnit,
    DisputeOutcome,
    EventAction,
    Notification,
    NotificationKind,
    PartStatus,
    Satisfaction,
    UnitRole,
)
from grievances.workflow import ACTIONS_NEEDING_NOTE, Action, acts_for_unit, check, next_level
from songpan.client_numbers import client_int
from songpan.errors import FieldErrors, field_error
from songpan.records import copy_saved_fields, lock_for_update, save_next_version

from .cases import NOTE_MAX, case_label, clean_text, event_write
from .routing import default_deadline, policy_days, route_for, units_serving

MAX_DEADLINE_DAYS = 366
REASON_MAX = 300


def notify(*, unit: Department | None, case: Case, kind: str) -> None:
    if unit is not None:
        Notification.objects.create(unit=unit, case=case, kind=kind)


def _clean_deadline(deadline: Any, errors: FieldErrors, today: dt.date) -> dt.date | None:
    if deadline in (None, ""):
        return None
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError:
            errors.add("deadline", _("Give the deadline as YYYY-MM-DD."), code="invalid")
            return None
    if not isinstance(deadline, dt.date):
        errors.add("deadline", _("Give the deadline as YYYY-MM-DD."), code="invalid")
        return None
    if deadline < today:
        errors.add("deadline", _("The deadline cannot be in the past."), code="past")
    elif deadline > today + dt.timedelta(days=MAX_DEADLINE_DAYS):
        errors.add("deadline", _("The deadline must fall within a year."), code="too_far")
    return deadline


def _clean_units(
    actor: User, case: Case, unit: Any, co_units: Iterable[Any], errors: FieldErrors
) -> tuple[Department | None, list]:
    """The units named, each one the actor may see (else refused as if it did not exist: the refusal must not
    confirm a unit outside the scope) and serving the case's place."""
    visible = scope_for(actor).filter(Department.objects.filter(is_active=True))
    serving = set(units_serving(case.village_id or "").values_list("pk", flat=True))

    def one(value: Any, field: str) -> Department | None:
        if value in (None, ""):
            return None
        pk = value.pk if isinstance(value, Department) else value
        number = client_int(pk)
        found = visible.filter(pk=number).first() if number is not None else None
        if found is None:
            errors.add(field, _("There is no unit %(unit)s in use."), code="invalid_unit", params={"unit": pk})
        elif found.pk not in serving:
            errors.add(
                field,
                _("%(unit)s does not serve the place of this case."),
                code="unit_not_serving",
                params={"unit": found},
            )
            return None
        return found

    lead = one(unit, "unit")
    co: list[Department] = []
    for value in co_units or ():
        found = one(value, "co_units")
        if found is not None and found != lead and found not in co:
            co.append(found)
    return lead, co


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    action: str,
    expected_version: int | None = None,
    note: str = "",
    unit: Any = None,
    co_units: Iterable[Any] = (),
    deadline: Any = None,
    reason: str = "",
    satisfaction: str = "",
    duplicate_of: Case | None = None,
    outcome: str = "",
) -> Case:
    """Take ``action`` on ``case`` as ``actor``. Raises ``PermissionDenied`` (403), ``TransitionNotAllowed``
    (409), ``ValidationError`` (400) or ``StaleVersionError`` (412); nothing is written on any of them.

    - ``assign`` / ``reassign``: ``unit`` (default: the routing table's), ``co_units`` (default: the routing
      table's when ``unit`` is not given, else none), ``deadline`` (default: the policy's); a unit other than the
      routed one needs ``reason``. Each unit named must be one the actor sees (else refused as if it did not
      exist) and serve the case's place (``routing.units_serving``). The units named replace the current ones:
      a referral ends the parts of the units no longer named (or named in another role) and notifies them and the
      new units; a referral to the units the case is with already is refused (``unchanged``). A referral that
      keeps the lead unit (co-units or the deadline change) leaves an ``in_progress`` case in progress.
    - ``resolve``: ``note`` (the resolution); a dispute also needs ``outcome``. Co-units' parts still to do close
      with the case (``closed``) and open again if it is reopened.
    - ``close``: ``satisfaction``; "not satisfied" reopens the case instead (``note`` says why).
    - ``duplicate``: ``duplicate_of`` (another case, not itself a duplicate).
    - ``reject``, ``reopen``, ``escalate``, ``part_done``: ``note``.
    """
    try:
        action = Action(action)
    except ValueError:
        raise field_error(
            "action", _("Unknown action “%(action)s”."), code="invalid", params={"action": action}
        ) from None
    locked = lock_for_update(case, expected_version=expected_version, label=case_label)
    target = check(actor, locked, action)

    errors = FieldErrors()
    note = clean_text(note, "note", errors, max_length=NOTE_MAX, required=action in ACTIONS_NEEDING_NOTE)
    reason = clean_text(reason, "reason", errors, max_length=REASON_MAX, required=False)
    handler = _HANDLERS[action]
    apply = handler(
        actor=actor,
        case=locked,
        errors=errors,
        note=note,
        reason=reason,
        unit=unit,
        co_units=co_units,
        deadline=deadline,
        satisfaction=satisfaction,
        duplicate_of=duplicate_of,
        outcome=outcome,
        target=target,
    )
    errors.raise_if_any()
    apply()
    save_next_version(locked, actor=actor)
    copy_saved_fields(locked, case)
    return locked


# Each handler validates (into ``errors``) and returns a function that applies the change and writes the event.


def _simple(event_action: str):
    def handler(*, actor, case, note, target, **_ignored):
        def apply():
            before = case.status
            case.status = target
            event_write(case=case, actor=actor, action=event_action, from_status=before, note=note)

        return apply

    return handler


def _assign(*, actor, case, errors, note, reason, unit, co_units, deadline, target, **_ignored):
    today = timezone.localdate()
    lead, co = _clean_units(actor, case, unit, co_units, errors)
    route = route_for(case)
    if lead is None and unit in (None, ""):
        lead = route.unit
        if not co_units:
            co = list(route.co_units)
        # The routed lead may also be among the co-units named: it leads (one part per unit and case).
        co = [department for department in co if lead is None or department.pk != lead.pk]
        if lead is None:
            errors.add("unit", _("No routing rule gives this case a unit: choose one."), code="required")
    elif lead is not None and route.unit is not None and lead.pk != route.unit.pk and not reason:
        errors.add(
            "reason",
            _("%(unit)s is not the unit the routing table names (%(routed)s): give a reason."),
            code="required",
            params={"unit": lead, "routed": route.unit},
        )
    current = list(case.units.exclude(status=PartStatus.REFERRED).select_related("unit"))
    referral = case.status != CaseStatus.ACCEPTED
    # A referral to the very units the case is with (the routing table's again, say) would only reset its status.
    if referral and lead is not None:
        named = {(lead.pk, UnitRole.LEAD), *((unit.pk, UnitRole.CO) for unit in co)}
        if named == {(part.unit_id, part.role) for part in current}:
            errors.add("unit", _("The case is with this unit already."), code="unchanged")
    chosen_deadline = _clean_deadline(deadline, errors, today)

    def apply():
        before, old_unit = case.status, case.responsible_unit
        now = timezone.now()
        new_deadline = chosen_deadline or default_deadline(
            category_id=case.category_id, priority=case.priority, start=today
        )
        wanted = {lead.pk: UnitRole.LEAD, **{unit.pk: UnitRole.CO for unit in co}}
        for part in current:
            if wanted.get(part.unit_id) != part.role:
                part.status, part.finished_at = PartStatus.REFERRED, now
                part.save(update_fields=["status", "finished_at"])
                if part.role == UnitRole.LEAD or part.unit_id not in wanted:
                    notify(unit=part.unit, case=case, kind=NotificationKind.REFERRED_AWAY)
        kept = {part.unit_id for part in current if wanted.get(part.unit_id) == part.role}
        for department in [lead, *co]:
            if department.pk not in kept:
                CaseUnit.objects.create(case=case, unit=department, role=wanted[department.pk], assigned_at=now)
                notify(unit=department, case=case, kind=NotificationKind.ASSIGNED)
        # A referral that keeps the lead unit (co-units or the deadline changed) does not stop work under way.
        keeps_lead = referral and old_unit is not None and old_unit.pk == lead.pk
        case.status = before if keeps_lead else target
        case.responsible_unit = lead
        if new_deadline != case.deadline:
            case.overdue_since = case.penalty_after = None  # a new deadline starts a new accountability clock
        case.deadline = new_deadline
        event_write(
            case=case,
            actor=actor,
            action=EventAction.REASSIGN if referral else EventAction.ASSIGN,
            from_status=before,
            note=note,
            unit=lead.pk,
            unit_name=str(lead),
            previous_unit=old_unit.pk if referral and old_unit else None,
            co_units=[unit.pk for unit in co],
            deadline=new_deadline.isoformat(),
            reason=reason,
        )

    return apply


def _part_done(*, actor, case, note, **_ignored):
    def apply():
        for part in case.units.filter(role=UnitRole.CO, status=PartStatus.PENDING).select_related("unit"):
            if acts_for_unit(actor, part.unit_id, part.unit):
                part.status, part.note, part.finished_at = PartStatus.DONE, note, timezone.now()
                part.save(update_fields=["status", "note", "finished_at"])
                event_write(
                    case=case,
                    actor=actor,
                    action=EventAction.PART_DONE,
                    from_status=case.status,
                    note=note,
                    unit=part.unit_id,
                    unit_name=str(part.unit),
                )

    return apply


def _resolve(*, actor, case, errors, note, outcome, target, **_ignored):
    if case.kind == CaseKind.DISPUTE:
        if outcome not in DisputeOutcome.values:
            errors.add("outcome", _("Record the outcome of the dispute."), code="required")
    elif outcome:
        errors.add("outcome", _("Only disputes have an outcome."), code="invalid")

    def apply():
        before = case.status
        case.status = target
        case.resolution = note
        case.resolved_at = timezone.now()
        case.dispute_outcome = outcome if case.kind == CaseKind.DISPUTE else ""
        case.units.filter(role=UnitRole.LEAD, status=PartStatus.PENDING).update(
            status=PartStatus.DONE, finished_at=case.resolved_at
        )
        # The case resolves when its lead unit resolves it; co-units' parts still to do close with it.
        case.units.filter(role=UnitRole.CO, status=PartStatus.PENDING).update(
            status=PartStatus.CLOSED, finished_at=case.resolved_at
        )
        event_write(
            case=case,
            actor=actor,
            action=EventAction.RESOLVE,
            from_status=before,
            note=note,
            outcome=case.dispute_outcome,
        )

    return apply


def _close(*, actor, case, errors, note, satisfaction, target, **_ignored):
    if satisfaction not in Satisfaction.values:
        errors.add("satisfaction", _("Record whether the household is satisfied."), code="required")
    elif satisfaction == Satisfaction.NOT_SATISFIED and not note:
        errors.add("note", _("Say what the household is not satisfied with."), code="required")

    def apply():
        before = case.status
        if satisfaction == Satisfaction.NOT_SATISFIED:
            _reopen_now(case=case, actor=actor, note=note, from_status=before, satisfaction=satisfaction)
            return
        case.status = target
        case.satisfaction = satisfaction
        case.closed_at = timezone.now()
        event_write(
            case=case, actor=actor, action=EventAction.CLOSE, from_status=before, note=note, satisfaction=satisfaction
        )

    return apply


def _reopen_now(*, case: Case, actor: User, note: str, from_status: str, satisfaction: str = "") -> None:
    """Back to ``in_progress`` with the lead unit, a fresh deadline and the unit told."""
    today = timezone.localdate()
    case.status = CaseStatus.IN_PROGRESS
    case.satisfaction = ""
    case.closed_at = case.resolved_at = None
    case.reopen_count += 1
    case.deadline = default_deadline(category_id=case.category_id, priority=case.priority, start=today)
    case.overdue_since = case.penalty_after = None
    case.units.filter(role=UnitRole.LEAD, status=PartStatus.DONE).update(status=PartStatus.PENDING, finished_at=None)
    case.units.filter(role=UnitRole.CO, status=PartStatus.CLOSED).update(status=PartStatus.PENDING, finished_at=None)
    notify(unit=case.responsible_unit, case=case, kind=NotificationKind.REOPENED)
    event_write(
        case=case,
        actor=actor,
        action=EventAction.REOPEN,
        from_status=from_status,
        note=note,
        satisfaction=satisfaction,
        deadline=case.deadline.isoformat(),
    )


def _reopen(*, actor, case, note, **_ignored):
    def apply():
        _reopen_now(case=case, actor=actor, note=note, from_status=case.status)

    return apply


def _escalate(*, actor, case, note, **_ignored):
    def apply():
        escalate_one_level(case=case, actor=actor, note=note)

    return apply


def escalate_one_level(
    *, case: Case, actor: User | None, note: str, action: str = EventAction.ESCALATE, today: dt.date | None = None
) -> None:
    """Move the case up one level and write the event; a case overdue on ``today`` (default: today) also gets
    its supervision notice (once per unit and missed deadline)."""
    today = today or timezone.localdate()
    before_level = case.level
    case.level = next_level(case.level)
    overdue = case.status in OPEN_STATUSES and case.deadline is not None and case.deadline < today
    if overdue and case.responsible_unit_id:
        AccountabilityRecord.objects.get_or_create(
            case=case,
            unit_id=case.responsible_unit_id,
            kind=AccountabilityKind.SUPERVISION,
            deadline=case.deadline,
            defaults={"days_overdue": (today - case.deadline).days if case.deadline else 0, "note": note[:300]},
        )
    event_write(
        case=case,
        actor=actor,
        action=action,
        from_status=case.status,
        note=note,
        from_level=before_level,
        to_level=case.level,
    )


def _duplicate(*, actor, case, errors, note, duplicate_of, target, **_ignored):
    if duplicate_of is None:
        errors.add("duplicate_of", _("Name the case this one repeats."), code="required")
    elif duplicate_of.pk == case.pk:
        errors.add("duplicate_of", _("A case cannot repeat itself."), code="invalid")
    elif duplicate_of.status == CaseStatus.DUPLICATE:
        errors.add("duplicate_of", _("Name the original case, not another duplicate."), code="invalid")
    elif not scope_for(actor).of(Case).filter(pk=duplicate_of.pk).exists():
        errors.add("duplicate_of", _("There is no such case in your area."), code="not_found")

    def apply():
        before = case.status
        case.status = target
        case.duplicate_of = duplicate_of
        event_write(
            case=case,
            actor=actor,
            action=EventAction.DUPLICATE,
            from_status=before,
            note=note,
            duplicate_of=duplicate_of.reference,
        )

    return apply


_HANDLERS = {
    Action.ACCEPT: _simple(EventAction.ACCEPT),
    Action.REJECT: _simple(EventAction.REJECT),
    Action.START: _simple(EventAction.START),
    Action.ASSIGN: _assign,
    Action.REASSIGN: _assign,
    Action.PART_DONE: _part_done,
    Action.RESOLVE: _resolve,
    Action.CLOSE: _close,
    Action.REOPEN: _reopen,
    Action.ESCALATE: _escalate,
    Action.DUPLICATE: _duplicate,
}


def grace_days_for(case: Case) -> int:
    return policy_days(category_id=case.category_id, priority=case.priority)[1]
