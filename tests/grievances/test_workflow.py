"""Every case transition allowed and refused, for each role (grievances/workflow.py), and the rules of the
transitions' input (grievances/services/transitions.py).

The matrix below is written out by hand from the workflow's docstring, not computed from its rules: a refusal is
``PermissionDenied`` (403) when the user's standing could never take the action on this case, or may take it but
not from this status; it is ``TransitionNotAllowed`` (409) when the user may take the action but the case's status
does not allow it. A refusal writes nothing.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from grievances.models import (
    AccountabilityKind,
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseLevel,
    CaseStatus,
    CaseUnit,
    Notification,
    NotificationKind,
    PartStatus,
    UnitRole,
)
from grievances.workflow import Action, TransitionNotAllowed, allowed_actions
from ledgers.models import Pairing
from songpan.errors import StaleVersionError
from tests.grievances.conftest import case_snapshot

SUB, ACC, ASG, INP, RES, CLO, REJ, DUP = (
    CaseStatus.SUBMITTED,
    CaseStatus.ACCEPTED,
    CaseStatus.ASSIGNED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.RESOLVED,
    CaseStatus.CLOSED,
    CaseStatus.REJECTED,
    CaseStatus.DUPLICATE,
)
ALL = frozenset(CaseStatus)

# The actors of ``case_world`` for the road problem its cadre reports in village A (the transport bureau leads,
# township A's government shares the work):
#   office        county office (standing ``office``)
#   township      township A's staff (``township``; ``co`` once its government's part is pending)
#   department    transport bureau staff (``lead`` once the case is assigned)
#   cadre         the cadre paired with the household, who reported it (``confirmer``)
#   township_b, education_staff, other_cadre, leader: no standing at all.
ACTORS = ["office", "township", "township_b", "department", "education_staff", "cadre", "other_cadre", "leader"]


def _may(ok, conflict=None):
    """``ok``: the statuses the action is allowed from; ``conflict`` (default: every other status): the statuses
    where it is refused with 409; in the rest it is refused with 403."""
    ok = frozenset(ok)
    return ok, (ALL - ok) if conflict is None else frozenset(conflict)


_STAFF = {
    "accept": _may({SUB}),
    "reject": _may({SUB, ACC}),
    "duplicate": _may({SUB, ACC}),
    "assign": _may({ACC}),
    "reassign": _may({ASG, INP}),
    "escalate": _may({ACC, ASG, INP}),
    "close": _may({RES}),
}
EXPECTED = {
    "office": {**_STAFF, "reopen": _may({RES, CLO})},
    "township": {
        **_STAFF,
        # Only the county office reopens a closed case.
        "reopen": _may({RES}, ALL - {RES, CLO}),
        # Its government's part is pending from the assignment on; before it, township staff are no co-unit.
        "part_done": _may({ASG, INP}, {RES, CLO}),
    },
    # The bureau stands as lead only from the assignment on.
    "department": {
        "start": _may({ASG}, {INP, RES, CLO}),
        "resolve": _may({INP}, {ASG, RES, CLO}),
        "escalate": _may({ASG, INP}, {RES, CLO}),
    },
    "cadre": {"close": _may({RES}), "reopen": _may({RES}, ALL - {RES, CLO})},
}
TARGET = {
    "accept": ACC,
    "reject": REJ,
    "duplicate": DUP,
    "assign": ASG,
    "reassign": ASG,
    "start": INP,
    "part_done": None,  # the status does not change
    "resolve": RES,
    "escalate": None,
    "close": CLO,
    "reopen": INP,
}


def expected(actor: str, action: str, status: str) -> str:
    ok, conflict = EXPECTED.get(actor, {}).get(action, (frozenset(), frozenset()))
    return "ok" if status in ok else "409" if status in conflict else "403"


def valid_fields(w, action: str) -> dict:
    """Input that is right for ``action``: a refusal is then about the role or the status, never the input."""
    fields = {"note": f"Note for {action}."}
    if action == "duplicate":
        fields["duplicate_of"] = w.submit(w.township, household=None, village=w.village_a, description="Original.")
    if action == "reassign":
        fields.update(unit=w.education, reason="The culvert is on the school's land.")
    if action == "close":
        fields["satisfaction"] = "satisfied"
    return fields


def test_the_matrix_covers_every_action_and_status():
    assert set(TARGET) == {action.value for action in Action}
    for actor in EXPECTED:
        for action, (ok, conflict) in EXPECTED[actor].items():
            assert not ok & conflict, (actor, action)


@pytest.mark.parametrize("status", [s.value for s in CaseStatus])
@pytest.mark.parametrize("action", [a.value for a in Action])
def test_every_transition_is_allowed_or_refused_as_the_workflow_says(case_world, action, status):
    w = case_world
    # Given the cadre's road problem walked to ``status``, and input right for ``action``
    case = w.to_status(w.submit(), status)
    fields = valid_fields(w, action)
    before = case_snapshot()
    # When each actor in turn takes the action (each attempt is rolled back, so all start from the same case)
    for actor in ACTORS:
        user, outcome = getattr(w, actor), expected(actor, action, status)
        assert (Action(action) in allowed_actions(user, case)) == (outcome == "ok"), actor
        with transaction.atomic():
            attempt = Case.objects.get(pk=case.pk)
            if outcome == "ok":
                # Then an allowed action moves the case and the timeline says who, from, to and why
                attempt = w.take(attempt, action, user, **fields)
                to_status = TARGET[action] or status
                assert (attempt.status, attempt.version) == (to_status, case.version + 1), actor
                event = CaseEvent.objects.filter(case=case).latest("at", "id")
                assert (event.action, event.actor, event.from_status, event.to_status, event.note) == (
                    action,
                    user,
                    status,
                    to_status,
                    fields["note"],
                ), actor
            else:
                # Then a refusal is the right error, with a message, and nothing at all was written
                error = PermissionDenied if outcome == "403" else TransitionNotAllowed
                with pytest.raises(error, match=r"\w") as refused:
                    w.take(attempt, action, user, **fields)
                assert type(refused.value) is error, actor
                assert case_snapshot() == before, actor
            transaction.set_rollback(True)
    assert case_snapshot() == before


# -- standings --------------------------------------------------------------------------------------------------


def test_staff_of_another_township_act_only_for_their_unit_when_it_is_named(case_world):
    w = case_world
    # Given a case of township A assigned to the bureau with township B's government as a co-responsible unit
    case = w.to_status(w.submit(), "accepted")
    case = w.take(case, "assign", w.township, co_units=[w.government_b])
    # Then township B's staff may report their part done, and nothing else
    assert allowed_actions(w.township_b, case) == [Action.PART_DONE]
    before = case_snapshot()
    with pytest.raises(PermissionDenied):
        w.take(case, "reassign", w.township_b, unit=w.education, reason="Not ours.")
    assert case_snapshot() == before
    case = w.take(case, "part_done", w.township_b, note="Township B sent its machinery.")
    part = CaseUnit.objects.get(case=case, unit=w.government_b)
    assert (part.role, part.status, part.note) == (UnitRole.CO, PartStatus.DONE, "Township B sent its machinery.")


def test_a_co_unit_reports_its_part_once_and_the_status_stays(case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")
    # When township A's staff report their government's part done
    case = w.take(case, "part_done", w.township, note="Debris cleared.")
    # Then the part is done, the case is still in progress and the event says so
    part = CaseUnit.objects.get(case=case, unit=w.government_a)
    assert (part.status, part.note, part.finished_at is not None) == (PartStatus.DONE, "Debris cleared.", True)
    assert case.status == INP
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert (event.action, event.from_status, event.to_status) == ("part_done", INP, INP)
    assert event.detail["unit"] == w.government_a.pk
    # And a second report is refused (they are no longer a unit with a part to do)
    before = case_snapshot()
    with pytest.raises(PermissionDenied):
        w.take(case, "part_done", w.township, note="Again.")
    assert case_snapshot() == before


def test_department_staff_act_only_while_their_department_leads(case_world):
    w = case_world
    case = w.to_status(w.submit(), "assigned")
    # Given education staff, whose bureau has no part in the road case: refused
    before = case_snapshot()
    with pytest.raises(PermissionDenied):
        w.take(case, "start", w.education_staff)
    assert case_snapshot() == before
    # When the township refers the case to the education bureau
    case = w.take(case, "reassign", w.township, unit=w.education, reason="The road is the school's access.")
    # Then the transport bureau's part is ended and it is told; the education bureau is told and now leads
    old = CaseUnit.objects.get(case=case, unit=w.transport)
    assert (old.role, old.status, old.finished_at is not None) == (UnitRole.LEAD, PartStatus.REFERRED, True)
    kinds = set(Notification.objects.filter(case=case).values_list("unit_id", "kind"))
    assert (w.transport.pk, NotificationKind.REFERRED_AWAY) in kinds
    assert (w.education.pk, NotificationKind.ASSIGNED) in kinds
    assert case.responsible_unit == w.education
    with pytest.raises(PermissionDenied):
        w.take(case, "start", w.department)
    case = w.take(case, "start", w.education_staff)
    assert case.status == INP


def test_township_staff_lead_when_their_government_is_the_unit(case_world):
    w = case_world
    # Given a housing problem: no routing rule, so the township's government leads
    case = w.to_status(w.submit(category="housing"), "assigned")
    assert case.responsible_unit == w.government_a
    # Then township staff start and resolve it, and the bureau staff may not
    with pytest.raises(PermissionDenied):
        w.take(case, "start", w.department)
    case = w.take(case, "start", w.township)
    case = w.take(case, "resolve", w.township, note="Roof repaired.")
    assert case.status == RES and case.resolution == "Roof repaired."


@pytest.mark.parametrize("status", [s.value for s in CaseStatus])
def test_a_county_leader_reads_but_may_do_nothing(case_world, status):
    w = case_world
    case = w.to_status(w.submit(), status)
    assert allowed_actions(w.leader, case) == []


def test_only_a_cadre_paired_with_the_household_or_the_reporter_confirms(case_world):
    w = case_world
    # Given a case reported by township staff for the cadre's household, resolved
    case = w.to_status(w.submit(w.township), "resolved")
    # Then a cadre not paired with the household may not confirm it
    before = case_snapshot()
    with pytest.raises(PermissionDenied):
        w.take(case, "close", w.other_cadre, satisfaction="satisfied")
    assert case_snapshot() == before
    # Nor may the paired cadre once its pairing has ended (it did not report the case)
    Pairing.objects.filter(household=w.household).update(end_date=timezone.localdate())
    with pytest.raises(PermissionDenied):
        w.take(case, "close", w.cadre, satisfaction="satisfied")
    assert case_snapshot() == before
    # But the cadre who reported a case confirms it whether or not it is still paired
    Pairing.objects.filter(household=w.household).update(end_date=None)
    reported = w.to_status(w.submit(), "resolved")
    Pairing.objects.filter(household=w.household).update(end_date=timezone.localdate())
    reported = w.take(reported, "close", w.cadre, satisfaction="basically_satisfied")
    assert reported.status == CLO


# -- levels -----------------------------------------------------------------------------------------------------


def _at_county_level(w, case):
    case = w.take(case, "escalate", w.township, note="Beyond the village.")
    case = w.take(case, "escalate", w.office, note="Beyond the township.")
    assert case.level == CaseLevel.COUNTY
    return case


def test_a_case_held_at_county_level_is_referred_by_the_office_only(case_world):
    w = case_world
    case = _at_county_level(w, w.to_status(w.submit(), "in_progress"))
    before = case_snapshot()
    with pytest.raises(PermissionDenied, match="held at county level"):
        w.take(case, "reassign", w.township, unit=w.education, reason="School land.")
    assert case_snapshot() == before
    assert Action.REASSIGN not in allowed_actions(w.township, case)
    case = w.take(case, "reassign", w.office, unit=w.education, reason="School land.")
    assert (case.status, case.responsible_unit) == (ASG, w.education)


@pytest.mark.parametrize("actor", ["office", "township", "department"])
def test_a_case_held_at_county_level_cannot_be_escalated_further(case_world, actor):
    w = case_world
    case = _at_county_level(w, w.to_status(w.submit(), "in_progress"))
    before = case_snapshot()
    with pytest.raises(TransitionNotAllowed, match="already held at county level"):
        w.take(case, "escalate", getattr(w, actor), note="Further.")
    assert case_snapshot() == before


def test_escalating_moves_one_level_and_an_overdue_case_records_a_supervision_notice(case_world):
    w = case_world
    with freeze_time("2026-03-02 10:00+08:00"):
        case = w.to_status(w.submit(), "in_progress")
    # When the case is escalated the day after its deadline
    with freeze_time(case.deadline + dt.timedelta(days=1)):
        case = w.take(case, "escalate", w.department, note="Needs the county's budget.")
    # Then it is held one level up, the event says from where to where, and the unit is supervised
    assert (case.level, case.status) == (CaseLevel.TOWNSHIP, INP)
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert event.detail == {"from_level": "village", "to_level": "township"}
    record = AccountabilityRecord.objects.get(case=case)
    assert (record.unit, record.kind, record.deadline, record.days_overdue) == (
        w.transport,
        AccountabilityKind.SUPERVISION,
        case.deadline,
        1,
    )


# -- closing and reopening ----------------------------------------------------------------------------------------


def test_not_satisfied_reopens_with_a_fresh_deadline_and_tells_the_unit(case_world):
    w = case_world
    with freeze_time("2026-03-02 10:00+08:00"):
        case = w.to_status(w.submit(), "resolved")
    assert case.deadline == dt.date(2026, 4, 1)
    # When, three weeks later, the cadre records that the household is not satisfied
    with freeze_time("2026-03-23 10:00+08:00"):
        case = w.take(case, "close", w.cadre, satisfaction="not_satisfied", note="Water still floods the road.")
    # Then the case is back in progress with the bureau, with a new deadline counted from today, and it is told
    assert (case.status, case.satisfaction, case.closed_at, case.resolved_at) == (INP, "", None, None)
    assert (case.reopen_count, case.deadline) == (1, dt.date(2026, 4, 22))
    lead = CaseUnit.objects.get(case=case, role=UnitRole.LEAD)
    assert (lead.unit, lead.status, lead.finished_at) == (w.transport, PartStatus.PENDING, None)
    assert Notification.objects.filter(case=case, unit=w.transport, kind=NotificationKind.REOPENED).count() == 1
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert (event.action, event.from_status, event.to_status, event.note) == (
        "reopen",
        RES,
        INP,
        "Water still floods the road.",
    )
    assert event.detail == {"satisfaction": "not_satisfied", "deadline": "2026-04-22"}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({}, "satisfaction", "required"),
        ({"satisfaction": "delighted"}, "satisfaction", "required"),
        ({"satisfaction": "not_satisfied"}, "note", "required"),
    ],
)
def test_closing_needs_the_households_verdict(case_world, fields, field, code):
    w = case_world
    case = w.to_status(w.submit(), "resolved")
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "close", w.cadre, **fields)
    assert [error.code for error in refused.value.error_dict[field]] == [code]
    assert case_snapshot() == before


def test_the_office_reopens_a_closed_case(case_world):
    w = case_world
    case = w.to_status(w.submit(), "closed")
    case = w.take(case, "reopen", w.office, note="The household complained to the hotline.")
    assert (case.status, case.satisfaction, case.closed_at, case.reopen_count) == (INP, "", None, 1)
    assert Notification.objects.filter(case=case, kind=NotificationKind.REOPENED).count() == 1


# -- input the actions need ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "actor"),
    [
        ("reject", SUB, "township"),
        ("escalate", ACC, "township"),
        ("part_done", INP, "township"),
        ("resolve", INP, "department"),
        ("reopen", RES, "cadre"),
    ],
)
@pytest.mark.parametrize("note", ["", "   "])
def test_actions_that_need_a_note_refuse_a_blank_one(case_world, action, status, actor, note):
    w = case_world
    case = w.to_status(w.submit(), status)
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, action, getattr(w, actor), note=note)
    assert [error.code for error in refused.value.error_dict["note"]] == ["required"]
    assert case_snapshot() == before


def test_an_over_long_note_is_refused(case_world):
    w = case_world
    case = w.to_status(w.submit(), "submitted")
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "reject", w.township, note="x" * 2001)
    assert refused.value.error_dict["note"][0].code == "max_length"
    assert case_snapshot() == before


def test_an_unknown_action_is_refused(case_world):
    w = case_world
    case = w.submit()
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "approve", w.office)
    assert refused.value.error_dict["action"][0].code == "invalid"
    assert case_snapshot() == before


def test_marking_a_duplicate_needs_another_case_that_is_an_original(case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    already = w.to_status(w.submit(), "duplicate")
    before = case_snapshot()
    for duplicate_of, code in [(None, "required"), (case, "invalid"), (already, "invalid")]:
        with pytest.raises(ValidationError) as refused:
            w.take(case, "duplicate", w.township, duplicate_of=duplicate_of)
        assert refused.value.error_dict["duplicate_of"][0].code == code
        assert case_snapshot() == before
    original = already.duplicate_of
    case = w.take(case, "duplicate", w.township, duplicate_of=original)
    assert (case.status, case.duplicate_of) == (DUP, original)
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert event.detail == {"duplicate_of": original.reference}


def test_resolving_a_dispute_records_its_outcome(case_world):
    w = case_world
    dispute = w.to_status(w.submit(kind="dispute", description="Two families dispute the road's edge."), "in_progress")
    problem = w.to_status(w.submit(), "in_progress")
    before = case_snapshot()
    for case, outcome, code in [
        (dispute, "", "required"),
        (dispute, "truce", "required"),
        (problem, "court", "invalid"),
    ]:
        with pytest.raises(ValidationError) as refused:
            w.take(case, "resolve", w.department, note="Mediated.", outcome=outcome)
        assert refused.value.error_dict["outcome"][0].code == code
        assert case_snapshot() == before
    dispute = w.take(dispute, "resolve", w.department, note="Boundary agreed.", outcome="agreement")
    assert (dispute.status, dispute.dispute_outcome) == (RES, "agreement")


def test_assigning_to_a_unit_other_than_the_routed_one_needs_a_reason(case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "assign", w.township, unit=w.education)
    assert refused.value.error_dict["reason"][0].code == "required"
    assert refused.value.message_dict["reason"] == [
        "县教育局 is not the unit the routing table names (县交通运输局): give a reason."
    ]
    assert case_snapshot() == before
    case = w.take(case, "assign", w.township, unit=w.education, reason="The road serves the school only.")
    assert case.responsible_unit == w.education
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert event.detail["reason"] == "The road serves the school only."
    assert event.detail["unit"] == w.education.pk


@pytest.mark.parametrize(
    ("unit", "code"),
    [("999999", "invalid_unit"), ("transport-bureau", "invalid_unit")],
)
def test_assigning_to_an_unknown_unit_is_refused(case_world, unit, code):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "assign", w.township, unit=unit, reason="Because.")
    assert refused.value.error_dict["unit"][0].code == code
    assert case_snapshot() == before


def test_an_inactive_unit_cannot_be_assigned(case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    w.education.is_active = False
    w.education.save()
    before = case_snapshot()
    with pytest.raises(ValidationError) as refused:
        w.take(case, "assign", w.township, unit=w.education, reason="Because.")
    assert refused.value.error_dict["unit"][0].code == "invalid_unit"
    assert case_snapshot() == before


@pytest.mark.parametrize(
    ("deadline", "code"),
    [
        (dt.date(2026, 3, 1), "past"),
        ("2026-03-01", "past"),
        (dt.date(2027, 3, 10), "too_far"),
        ("1 April", "invalid"),
        (20260401, "invalid"),
    ],
)
def test_a_deadline_must_be_a_date_within_the_coming_year(case_world, deadline, code):
    w = case_world
    with freeze_time("2026-03-02 10:00+08:00"):
        case = w.to_status(w.submit(), "accepted")
        before = case_snapshot()
        with pytest.raises(ValidationError) as refused:
            w.take(case, "assign", w.township, deadline=deadline)
    assert [error.code for error in refused.value.error_dict["deadline"]] == [code]
    assert case_snapshot() == before


def test_a_deadline_today_or_chosen_within_the_year_is_kept(case_world):
    w = case_world
    with freeze_time("2026-03-02 10:00+08:00"):
        case = w.to_status(w.submit(), "accepted")
        case = w.take(case, "assign", w.township, deadline="2026-03-02")
        assert case.deadline == dt.date(2026, 3, 2)
        case = w.take(case, "reassign", w.township, unit=w.education, reason="School road.", deadline="2027-03-02")
        assert case.deadline == dt.date(2027, 3, 2)


def test_referring_a_case_to_the_units_it_is_with_already_is_refused(case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")
    before = case_snapshot()
    for fields in [{}, {"unit": w.transport, "co_units": [w.government_a]}, {"co_units": [w.government_a]}]:
        with pytest.raises(ValidationError) as refused:
            w.take(case, "reassign", w.township, **fields)
        assert refused.value.error_dict["unit"][0].code == "unchanged"
        assert case_snapshot() == before
    # Adding a co-responsible unit is a change
    case = w.take(case, "reassign", w.township, co_units=[w.government_a, w.government_b], note="Both townships.")
    assert current_parts(case) == {
        (w.transport.pk, UnitRole.LEAD),
        (w.government_a.pk, UnitRole.CO),
        (w.government_b.pk, UnitRole.CO),
    }
    assert Notification.objects.filter(case=case, kind=NotificationKind.ASSIGNED).count() == 3
    # And so is naming the lead alone: the co-responsible units' parts end and they are told
    case = w.take(case, "reassign", w.office, unit=w.transport, note="The bureau alone.")
    assert current_parts(case) == {(w.transport.pk, UnitRole.LEAD)}
    assert set(
        Notification.objects.filter(case=case, kind=NotificationKind.REFERRED_AWAY).values_list("unit_id", flat=True)
    ) == {w.government_a.pk, w.government_b.pk}


def current_parts(case):
    return set(CaseUnit.objects.filter(case=case).exclude(status="referred").values_list("unit_id", "role"))


def test_a_stale_version_is_refused_and_nothing_is_written(case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    before = case_snapshot()
    with pytest.raises(StaleVersionError) as refused:
        w.take(case, "assign", w.township, expected_version=case.version - 1)
    assert f"version {case.version - 1}" in str(refused.value)
    assert case_snapshot() == before
    case = w.take(case, "assign", w.township, expected_version=case.version)
    assert case.status == ASG


def test_naming_the_routed_lead_among_the_co_units_keeps_it_the_lead(case_world):
    w = case_world
    # Given a housing problem, routed to township A's government
    case = w.to_status(w.submit(category="housing"), "accepted")
    # When it is assigned by the routing table with that government also named as a co-responsible unit
    case = w.take(case, "assign", w.office, co_units=[w.government_a, w.education])
    # Then the government leads (one part), the bureau shares the work
    assert current_parts(case) == {(w.government_a.pk, UnitRole.LEAD), (w.education.pk, UnitRole.CO)}
    assert case.responsible_unit == w.government_a
