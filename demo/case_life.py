"""One demo case lived from its submission to the morning of the day the demo stands on, the way
``grievances.services`` and the daily overdue sweep would have written it: the same statuses, timeline entries (and
their ``detail``), units' parts, notifications and accountability records, at plausible times, with the version
counter at one per change. Nothing here touches the database; ``demo.cases`` writes what it collects. A case's
``updated_at`` is left to the time it is written, like every seeded row: the sync feed sends rows changed after
a phone's cursor, and a reseeded case must reach a phone that synced before.

Human steps happen in working hours; the sweep runs every morning at the beat's time. The demo stands before the
sweep of its own day: a case whose deadline was yesterday is overdue but not yet marked, as it would be at 6 am.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import User
from cadres.models import Department
from grievances.models import (
    LEVEL_ORDER,
    OPEN_STATUSES,
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    DisputeParty,
    EventAction,
    MediationSession,
    Notification,
    NotificationKind,
    PartStatus,
    UnitRole,
)

from . import case_texts as texts

SWEEP_TIME = dt.time(getattr(settings, "SONGPAN_OVERDUE_SWEEP_HOUR", 6), 15)
WORK_HOURS = (8, 18)
NOTIFICATION_READ_SHARE = 0.85


class Ended(Exception):
    """The demo's day was reached: the rest of this case's life has not happened yet."""


@dataclass
class Mediation:
    days_after: tuple[int, int]
    result: str


@dataclass
class CasePlan:
    """What will happen to one case; ``CaseLife.live`` plays it until the demo's day."""

    case: Case
    submitter: User
    handler: User  # accepts, assigns, refers, escalates (township staff, or the county office)
    confirmer: User  # records the household's verdict (its cadre's account, else the handler)
    lead: Department
    co_units: list[Department] = field(default_factory=list)
    assign_reason: str = ""
    fate: str = "handle"  # handle, reject, duplicate
    reject_note: str = ""
    duplicate_of: Case | None = None
    stop: str = ""  # the last human step to take: submit, accept, assign, start, resolve, reopen
    delays: dict[str, tuple[int, int]] = field(default_factory=dict)
    late: int | None = None  # resolved this many days after the deadline (negative: before; None: any day in time)
    refer_to: tuple[Department, str] | None = None
    escalate: bool = False
    reopen: bool = False
    satisfaction: str = "satisfied"
    mediations: list[Mediation] = field(default_factory=list)
    mediators: str = ""
    parties: list[DisputeParty] = field(default_factory=list)  # written with the case (``case_submit``)
    outcome: str = ""
    resolution: str = ""


DEFAULT_DELAYS = {"accept": (0, 2), "assign": (0, 3), "start": (0, 3), "close": (1, 10), "refer": (2, 8)}


class CaseLife:
    def __init__(
        self,
        *,
        plan: CasePlan,
        rng: random.Random,
        cutoff: dt.datetime,
        policy: Callable[[str, str], tuple[int, int]],
        staff_of: Callable[[Department], User],
    ):
        self.plan = plan
        self.case = plan.case
        self.rng = rng
        self.cutoff = cutoff
        self.policy = policy
        self.staff_of = staff_of
        self.events: list[CaseEvent] = []
        self.parts: list[CaseUnit] = []
        self.notifications: list[Notification] = []
        self.records: list[AccountabilityRecord] = []
        self.mediations: list[MediationSession] = []
        self._recorded: set[tuple[int, str, dt.date]] = set()
        self.t = plan.case.created_at

    # -- the story ---------------------------------------------------------------------------------------------

    def live(self) -> "CaseLife":
        try:
            self._story()
        except Ended:
            pass
        self._sweeps_until(self.cutoff)
        self._read_notifications()
        return self

    def _story(self) -> None:
        plan, case = self.plan, self.case
        self._submit()
        if plan.stop == "submit":
            return
        if plan.fate == "duplicate" and plan.duplicate_of is not None:
            self._advance("accept")
            return self._mark_duplicate()
        if plan.fate == "reject":
            self._advance("accept")
            return self._reject()
        self._advance("accept")
        self._simple(EventAction.ACCEPT, CaseStatus.ACCEPTED, plan.handler)
        if plan.stop == "accept":
            return
        self._advance("assign")
        self._assign(plan.lead, plan.co_units, plan.assign_reason)
        if plan.stop == "assign":
            return
        self._advance("start")
        self._simple(EventAction.START, CaseStatus.IN_PROGRESS, self.staff_of(case.responsible_unit))
        if plan.refer_to is not None and case.level != LEVEL_ORDER[-1]:
            self._advance("refer")
            self._reassign(*plan.refer_to)
            self._advance("start")
            self._simple(EventAction.START, CaseStatus.IN_PROGRESS, self.staff_of(case.responsible_unit))
        if plan.escalate and case.level != LEVEL_ORDER[-1]:
            self._step(1, 6)
            self._escalate(plan.handler, self.rng.choice(texts.ESCALATIONS))
        for mediation in plan.mediations:
            self._step(*mediation.days_after)
            self._mediate(mediation.result)
        if plan.stop == "start":
            return
        self._work_until_resolved(plan.late)
        if plan.stop == "resolve":
            return
        self._advance("close")
        if plan.reopen:
            self._close("not_satisfied", self.rng.choice(texts.REOPEN_NOTES))
            if plan.stop == "reopen":
                return
            self._work_until_resolved(None, second=True)
            self._advance("close")
        self._close(plan.satisfaction, self.rng.choice(texts.CLOSE_NOTES))

    def _work_until_resolved(self, late: int | None, *, second: bool = False) -> None:
        """The co-responsible units finish their parts, then the lead resolves: in time, or ``late`` days after
        the deadline."""
        case, rng = self.case, self.rng
        deadline = case.deadline
        if late is None:
            earliest = self.t.date() + dt.timedelta(days=1)
            span = max(0, (deadline - earliest).days)
            target = earliest + dt.timedelta(days=rng.randint(0, span // (3 if second else 1)))
        else:
            target = deadline + dt.timedelta(days=late)
        for part in [p for p in self.parts if p.role == UnitRole.CO and p.status == PartStatus.PENDING]:
            days = max(0, (target - self.t.date()).days)
            self._step(0, max(0, days - 1))
            self._part_done(part)
        self._at(target)
        self._resolve()

    # -- time ----------------------------------------------------------------------------------------------------

    def _advance(self, step: str) -> None:
        self._step(*self.plan.delays.get(step, DEFAULT_DELAYS[step]))

    def _step(self, low: int, high: int) -> None:
        days = self.rng.randint(low, max(low, high))
        if days == 0:
            self._move(self.t + dt.timedelta(minutes=self.rng.randint(10, 150)))
        else:
            self._at(self.t.date() + dt.timedelta(days=days))

    def _at(self, day: dt.date) -> None:
        if day <= self.t.date():
            return self._move(self.t + dt.timedelta(minutes=self.rng.randint(10, 150)))
        minutes = self.rng.randint(WORK_HOURS[0] * 60 + 30, WORK_HOURS[1] * 60)
        self._move(local(day, dt.time(minutes // 60, minutes % 60)))

    def _move(self, when: dt.datetime) -> None:
        self._sweeps_until(when)
        if when >= self.cutoff:
            raise Ended
        self.t = when

    # -- the sweep ---------------------------------------------------------------------------------------------

    def _sweeps_until(self, until: dt.datetime) -> None:
        """Every morning's sweep between now and ``until`` (never on or after the demo's day)."""
        case = self.case
        while case.status in OPEN_STATUSES and case.deadline is not None:
            if case.overdue_since is None:
                when = local(case.deadline + dt.timedelta(days=1), SWEEP_TIME)
            elif case.penalty_after is not None:
                when = local(case.penalty_after + dt.timedelta(days=1), SWEEP_TIME)
            else:
                return
            if when >= until or when >= self.cutoff:
                return
            self.t = when
            if case.overdue_since is None:
                self._mark_overdue(when)
            else:
                self._penalise(when)

    def _mark_overdue(self, when: dt.datetime) -> None:
        case = self.case
        day = when.date()
        case.overdue_since = day
        case.penalty_after = day + dt.timedelta(days=self.policy(case.category_id, case.priority)[1])
        self._record(AccountabilityKind.SUPERVISION, (day - case.deadline).days)
        note = texts.OVERDUE_NOTE.format(deadline=case.deadline.isoformat(), unit=case.responsible_unit)
        self._escalate_or_note(EventAction.OVERDUE, note)
        self._notify(case.responsible_unit, NotificationKind.OVERDUE)

    def _penalise(self, when: dt.datetime) -> None:
        case = self.case
        days = (when.date() - case.deadline).days
        case.penalty_after = None
        self._record(AccountabilityKind.PENALTY, days)
        self._escalate_or_note(EventAction.PENALTY, texts.PENALTY_NOTE.format(days=days, unit=case.responsible_unit))
        self._notify(case.responsible_unit, NotificationKind.PENALTY)

    def _escalate_or_note(self, action: str, note: str) -> None:
        case = self.case
        if case.level != LEVEL_ORDER[-1]:
            before = case.level
            case.level = next_level(case.level)
            self._event(None, action, case.status, note, from_level=before, to_level=case.level)
        else:
            self._event(None, action, case.status, note)

    def _record(self, kind: str, days_overdue: int, note: str = "") -> None:
        case = self.case
        key = (case.responsible_unit.pk, kind, case.deadline)
        if key in self._recorded:
            return
        self._recorded.add(key)
        self.records.append(
            AccountabilityRecord(
                case=case,
                unit=case.responsible_unit,
                kind=kind,
                deadline=case.deadline,
                days_overdue=days_overdue,
                created_at=self.t,
                note=note[:300],
            )
        )

    # -- what people do ------------------------------------------------------------------------------------------

    def _submit(self) -> None:
        self.case.status = CaseStatus.SUBMITTED
        self._event(self.plan.submitter, EventAction.SUBMIT, "")

    def _simple(self, action: str, target: str, actor: User, note: str = "") -> None:
        before = self.case.status
        self.case.status = target
        self._event(actor, action, before, note)

    def _reject(self) -> None:
        self._simple(EventAction.REJECT, CaseStatus.REJECTED, self.plan.handler, self.plan.reject_note)

    def _mark_duplicate(self) -> None:
        case, original = self.case, self.plan.duplicate_of
        before = case.status
        case.status = CaseStatus.DUPLICATE
        case.duplicate_of = original
        self._event(
            self.plan.handler, EventAction.DUPLICATE, before, texts.DUPLICATE_NOTE, duplicate_of=original.reference
        )

    def _assign(self, lead: Department, co: list[Department], reason: str) -> None:
        case = self.case
        before = case.status
        for unit, role in [(lead, UnitRole.LEAD), *((unit, UnitRole.CO) for unit in co)]:
            self.parts.append(CaseUnit(case=case, unit=unit, role=role, assigned_at=self.t))
            self._notify(unit, NotificationKind.ASSIGNED)
        case.status = CaseStatus.ASSIGNED
        case.responsible_unit = lead
        self._new_deadline()
        self._event(
            self.plan.handler,
            EventAction.ASSIGN,
            before,
            "",
            unit=lead.pk,
            unit_name=str(lead),
            co_units=[unit.pk for unit in co],
            deadline=case.deadline.isoformat(),
            reason=reason,
        )

    def _reassign(self, lead: Department, reason: str) -> None:
        """A referral naming a new lead unit only: every current part ends (``transitions._assign``)."""
        case = self.case
        before, old = case.status, case.responsible_unit
        for part in self._current_parts():
            part.status, part.finished_at = PartStatus.REFERRED, self.t
            if part.role == UnitRole.LEAD or part.unit.pk != lead.pk:
                self._notify(part.unit, NotificationKind.REFERRED_AWAY)
        self.parts.append(CaseUnit(case=case, unit=lead, role=UnitRole.LEAD, assigned_at=self.t))
        self._notify(lead, NotificationKind.ASSIGNED)
        case.status = CaseStatus.ASSIGNED
        case.responsible_unit = lead
        self._new_deadline()
        self._event(
            self.plan.handler,
            EventAction.REASSIGN,
            before,
            "",
            unit=lead.pk,
            unit_name=str(lead),
            previous_unit=old.pk,
            deadline=case.deadline.isoformat(),
            reason=reason,
        )

    def _new_deadline(self) -> None:
        case = self.case
        days = self.policy(case.category_id, case.priority)[0]
        deadline = self.t.date() + dt.timedelta(days=days)
        if deadline != case.deadline:
            case.overdue_since = case.penalty_after = None  # a new deadline starts a new accountability clock
        case.deadline = deadline

    def _current_parts(self) -> list[CaseUnit]:
        return [part for part in self.parts if part.status != PartStatus.REFERRED]

    def _part_done(self, part: CaseUnit) -> None:
        note = self.rng.choice(texts.PART_DONE_NOTES)
        part.status, part.note, part.finished_at = PartStatus.DONE, note, self.t
        self._event(
            self.staff_of(part.unit),
            EventAction.PART_DONE,
            self.case.status,
            note,
            unit=part.unit.pk,
            unit_name=str(part.unit),
        )

    def _escalate(self, actor: User, note: str) -> None:
        case = self.case
        before = case.level
        case.level = next_level(case.level)
        if case.deadline is not None and case.status in OPEN_STATUSES and case.deadline < self.t.date():
            self._record(AccountabilityKind.SUPERVISION, (self.t.date() - case.deadline).days, note)
        self._event(actor, EventAction.ESCALATE, case.status, note, from_level=before, to_level=case.level)

    def _mediate(self, result: str) -> None:
        case, rng = self.case, self.rng
        mediators = self.plan.mediators[:200]
        note = texts.MEDIATION_NOTES[result]
        recorder = self.staff_of(case.responsible_unit)
        self.mediations.append(
            MediationSession(
                case=case,
                date=self.t.date(),
                place=rng.choice(texts.MEDIATION_PLACES),
                mediators=mediators,
                result=result,
                note=note,
                recorded_by=recorder,
                created_at=self.t,
            )
        )
        self._event(
            recorder,
            EventAction.MEDIATION,
            case.status,
            note,
            date=self.t.date().isoformat(),
            result=result,
            mediators=mediators,
        )

    def _resolve(self) -> None:
        case, plan = self.case, self.plan
        before = case.status
        case.status = CaseStatus.RESOLVED
        case.resolution = plan.resolution
        case.resolved_at = self.t
        case.dispute_outcome = plan.outcome
        for part in self._current_parts():
            if part.role == UnitRole.LEAD and part.status == PartStatus.PENDING:
                part.status, part.finished_at = PartStatus.DONE, self.t
        self._event(
            self.staff_of(case.responsible_unit), EventAction.RESOLVE, before, plan.resolution, outcome=plan.outcome
        )

    def _close(self, satisfaction: str, note: str) -> None:
        case = self.case
        before = case.status
        if satisfaction == "not_satisfied":
            return self._reopen(note, before, satisfaction)
        case.status = CaseStatus.CLOSED
        case.satisfaction = satisfaction
        case.closed_at = self.t
        self._event(self.plan.confirmer, EventAction.CLOSE, before, note, satisfaction=satisfaction)

    def _reopen(self, note: str, before: str, satisfaction: str) -> None:
        case = self.case
        case.status = CaseStatus.IN_PROGRESS
        case.satisfaction = ""
        case.closed_at = case.resolved_at = None
        case.reopen_count += 1
        case.deadline = self.t.date() + dt.timedelta(days=self.policy(case.category_id, case.priority)[0])
        case.overdue_since = case.penalty_after = None
        for part in self._current_parts():
            if part.role == UnitRole.LEAD and part.status == PartStatus.DONE:
                part.status, part.finished_at = PartStatus.PENDING, None
        self._notify(case.responsible_unit, NotificationKind.REOPENED)
        self._event(
            self.plan.confirmer,
            EventAction.REOPEN,
            before,
            note,
            satisfaction=satisfaction,
            deadline=case.deadline.isoformat(),
        )

    # -- records ---------------------------------------------------------------------------------------------------

    def _event(self, actor: User | None, action: str, from_status: str, note: str = "", **detail) -> None:
        case = self.case
        self.events.append(
            CaseEvent(
                case=case,
                at=self.t,
                actor=actor,
                action=action,
                from_status=from_status,
                to_status=case.status,
                note=note,
                detail={key: value for key, value in detail.items() if value not in (None, "", [], ())},
            )
        )
        case.version = len(self.events)  # every service call that writes an event adds one

    def _notify(self, unit: Department | None, kind: str) -> None:
        if unit is not None:
            self.notifications.append(Notification(unit=unit, case=self.case, kind=kind, created_at=self.t))

    def _read_notifications(self) -> None:
        """Most notifications older than two days were read by the unit's staff; the recent ones wait."""
        for notification in self.notifications:
            if notification.created_at < self.cutoff - dt.timedelta(days=2):
                if self.rng.random() < NOTIFICATION_READ_SHARE:
                    hours = self.rng.randint(1, 40)
                    notification.read_at = notification.created_at + dt.timedelta(hours=hours)
                    notification.read_by = self.staff_of(notification.unit)


def next_level(level: str) -> str:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[min(index + 1, len(LEVEL_ORDER) - 1)]


def local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))
