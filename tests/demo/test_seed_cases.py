"""``manage.py seed_demo`` builds a year of cases: every status, consistent timelines, the accountability the
daily sweep would have recorded, work waiting for each demo account, and numbering that continues."""

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from cadres.models import DepartmentKind
from demo.reset import delete_demo_data
from grievances.models import (
    OPEN_STATUSES,
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseKind,
    CaseLevel,
    CaseSequence,
    CaseStatus,
    CaseUnit,
    DisputeParty,
    EventAction,
    MediationSession,
    Notification,
    PartStatus,
    RoutingRule,
    UnitRole,
)
from grievances.services import case_submit, notifications_for, overdue_sweep, route_for
from grievances.workflow import Action, allowed_actions
from ledgers.models import Pairing

DEMO_TOWNSHIP = "513224101"


@pytest.fixture(autouse=True)
def default_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


@pytest.fixture
def seeded(songpan_divisions) -> str:
    out = StringIO()
    call_command("seed_demo", households=300, cadres=120, stdout=out)
    return out.getvalue()


def timelines() -> dict:
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id"):
        events[event.case_id].append(event)
    return events


def test_cases_of_every_kind_and_status(seeded):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(CaseStatus.values), statuses
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert Case.objects.count() >= 44
    assert "cases " in seeded and "supervision notices" in seeded
    # spread over the past year, none in the future
    today = timezone.localdate()
    created = [timezone.localdate(at) for at in Case.objects.values_list("created_at", flat=True)]
    assert min(created) <= today - dt.timedelta(days=200) and max(created) < today


def test_every_timeline_agrees_with_its_case(seeded):
    events = timelines()
    for case in Case.objects.all():
        timeline = events[case.pk]
        label = (case.reference, [e.action for e in timeline])
        assert timeline[0].action == EventAction.SUBMIT and timeline[0].from_status == "", label
        assert timeline[0].at == case.created_at and timeline[-1].at < case.updated_at, label
        assert timeline[-1].to_status == case.status, label
        assert case.version == len(timeline), label  # one version per change, as the services count
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert after.from_status == before.to_status and after.at >= before.at, label
        # only the sweep acts without a person
        assert all((e.actor_id is None) == (e.action in ("overdue", "penalty")) for e in timeline), label
        actions = {e.action for e in timeline}
        if case.status == CaseStatus.CLOSED:
            assert {"submit", "accept", "assign", "start", "resolve", "close"} <= actions, label
            assert case.satisfaction in ("satisfied", "basically_satisfied") and case.closed_at, label
            assert timeline[-1].detail == {"satisfaction": case.satisfaction}
        if case.status == CaseStatus.RESOLVED:
            assert case.resolved_at and case.resolution and timeline[-1].action == "resolve", label
        if case.status in OPEN_STATUSES:
            assert case.responsible_unit_id and case.deadline, label
            lead = CaseUnit.objects.get(case=case, role=UnitRole.LEAD, status=PartStatus.PENDING)
            assert lead.unit_id == case.responsible_unit_id
        if case.status == CaseStatus.REJECTED:
            assert timeline[-1].action == "reject" and timeline[-1].note
        if case.status == CaseStatus.DUPLICATE:
            assert case.duplicate_of.status != CaseStatus.DUPLICATE
            assert timeline[-1].detail == {"duplicate_of": case.duplicate_of.reference}
            assert case.duplicate_of.created_at < case.created_at
        if case.status in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.REJECTED, CaseStatus.DUPLICATE):
            assert not CaseUnit.objects.filter(case=case).exists()
        assigns = [e for e in timeline if e.action in ("assign", "reassign")]
        if assigns:
            assert assigns[-1].detail["unit"] == case.responsible_unit_id
            assert assigns[-1].detail["deadline"] <= case.deadline.isoformat()


def test_the_accountability_is_what_the_daily_sweep_would_have_recorded(seeded):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    records = AccountabilityRecord.objects.all()
    assert records.filter(kind=AccountabilityKind.SUPERVISION).exists()
    assert records.filter(kind=AccountabilityKind.PENALTY).exists()
    for case in Case.objects.filter(overdue_since__isnull=False):
        assert records.filter(case=case, kind="supervision", deadline=case.deadline).exists(), case.reference
        assert case.level != CaseLevel.VILLAGE
    penalised = Case.objects.filter(accountability__kind="penalty").distinct()
    assert penalised.filter(status__in=OPEN_STATUSES, level=CaseLevel.COUNTY).exists()
    assert Notification.objects.filter(kind="overdue").count() == records.filter(kind="supervision").count()
    assert CaseEvent.objects.filter(action="penalty").count() == records.filter(kind="penalty").count()
    # Overdue now and not swept yet: only the cases whose deadline was yesterday (the sweep of today has not run)
    unswept = Case.objects.overdue(today).filter(overdue_since__isnull=True)
    assert set(unswept.values_list("deadline", flat=True)) == {yesterday}
    unswept = set(unswept.values_list("reference", flat=True))
    due = set(Case.objects.overdue(today).filter(penalty_after=yesterday).values_list("reference", flat=True))
    # When today's sweep runs, it does exactly that and nothing else; a second run changes nothing
    result = overdue_sweep(today=today)
    assert (set(result.marked), set(result.penalised)) == (unswept, due)
    assert str(overdue_sweep(today=today)) == "0 newly overdue, 0 penalised"


def test_disputes_have_parties_and_mediation(seeded):
    disputes = Case.objects.filter(kind=CaseKind.DISPUTE)
    for dispute in disputes:
        roles = set(DisputeParty.objects.filter(case=dispute).values_list("role", flat=True))
        assert {"applicant", "respondent"} <= roles, dispute.reference
        if dispute.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            assert dispute.dispute_outcome and MediationSession.objects.filter(case=dispute).exists()
    assert not DisputeParty.objects.exclude(case__kind=CaseKind.DISPUTE).exists()
    sessions = MediationSession.objects.all()
    assert sessions.exists()
    assert sessions.count() == CaseEvent.objects.filter(action=EventAction.MEDIATION).count()
    assert disputes.filter(status=CaseStatus.IN_PROGRESS, mediations__isnull=False).exists()


def test_reopened_cases_have_a_fresh_deadline(seeded):
    reopened = Case.objects.filter(reopen_count__gt=0)
    assert reopened.exists()
    assert reopened.filter(status=CaseStatus.IN_PROGRESS).exists()
    for case in reopened:
        event = CaseEvent.objects.filter(case=case, action=EventAction.REOPEN).latest("at")
        assert event.detail["satisfaction"] == "not_satisfied" and event.from_status == CaseStatus.RESOLVED
        if case.status == CaseStatus.IN_PROGRESS:
            assert case.deadline.isoformat() == event.detail["deadline"] and case.deadline > timezone.localdate()


def test_routing_rules_name_the_county_departments(seeded):
    rules = {rule.category_id: rule for rule in RoutingRule.objects.filter(township__isnull=True)}
    assert rules["roads_transport"].unit.short_name == "县交通运输局" and rules["roads_transport"].with_township
    assert rules["education"].unit.short_name == "县教育局"
    assert rules["health"].unit.short_name == "县卫生健康局"
    assert "other" not in rules
    assert RoutingRule.objects.filter(township_id="513224103", category="land_forest_grassland").exists()
    case = Case.objects.filter(category="other", village__code__startswith=DEMO_TOWNSHIP).first()
    case = case or Case(category_id="other", village_id=User.objects.get(username="cadre").cadre.division_id)
    route = route_for(case)
    assert route.unit.kind == DepartmentKind.TOWNSHIP and route.unit.division_id == case.village_id[:9]
    roads = route_for(Case(category_id="roads_transport", village_id=case.village_id))
    assert roads.unit.short_name == "县交通运输局" and route.unit in roads.co_units


def test_each_demo_account_has_work_waiting(seeded):
    def can(username, action):
        user = User.objects.get(username=username)
        cases = Case.objects.prefetch_related("units__unit")
        return [case for case in cases if Action(action) in allowed_actions(user, case)]

    # the township accepts new cases and assigns accepted ones
    assert len(can("township", "accept")) >= 3 and len(can("township", "assign")) >= 2
    # the education bureau starts what it was given and resolves what it started (one of them overdue)
    department = User.objects.get(username="department")
    assert len(can("department", "start")) >= 2 and len(can("department", "resolve")) >= 3
    mine = Case.objects.filter(responsible_unit=department.department, status__in=OPEN_STATUSES)
    assert mine.filter(overdue_since__isnull=False).exists()
    assert notifications_for(department).filter(read_at__isnull=True).exists()
    # the cadre records its households' verdict on resolved cases
    cadre = User.objects.get(username="cadre").cadre
    waiting = can("cadre", "close")
    assert len(waiting) >= 2
    households = set(Pairing.objects.active().filter(cadre=cadre).values_list("household_id", flat=True))
    assert all(case.household_id in households for case in waiting)


def test_numbering_continues_after_the_seed(seeded):
    # The series of each year ends at the number of its cases, without gaps
    for sequence in CaseSequence.objects.filter(county="513224"):
        numbers = sorted(
            int(reference.rsplit("-", 1)[1])
            for reference in Case.objects.filter(reference__startswith=f"SP-{sequence.year}-").values_list(
                "reference", flat=True
            )
        )
        assert numbers == list(range(1, sequence.last + 1))
    # and a case submitted now takes the next number
    year = timezone.localdate().year
    last = CaseSequence.objects.filter(county="513224", year=year).values_list("last", flat=True).first() or 0
    township = User.objects.get(username="township")
    case = case_submit(
        actor=township,
        kind="problem",
        category="roads_transport",
        description="新的问题",
        village=Case.objects.filter(village__code__startswith=DEMO_TOWNSHIP).first().village,
    )
    assert case.reference == f"SP-{year}-{last + 1:06d}"


def test_reset_removes_every_case_and_the_staff_accounts(seeded):
    assert User.objects.filter(username__startswith="demo-").exists()
    deleted = delete_demo_data("513224")
    assert deleted["grievances.Case"] > 0
    for model in (Case, CaseEvent, CaseUnit, Notification, AccountabilityRecord, DisputeParty, MediationSession):
        assert not model.objects.exists(), model
    assert not CaseSequence.objects.filter(county="513224").exists()
    assert not RoutingRule.objects.exists()
    assert not User.objects.exists()
    assert not Case.history.exists()
