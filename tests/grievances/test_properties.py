"""Random sequences of actions, by random actors with random input, against one case: whatever happens, the case
stays valid, every change is on its timeline, and a refusal changes nothing.

Each example starts from a fresh case inside a savepoint that is rolled back afterwards: the world of
``case_world`` is built once per test (pytest-django's ``db``), not once per example. An example first
walks its case the usual way to a random status, then takes random steps: a random actor takes, three times in
four, one of the actions the workflow offers it, else any action (so that refusals are exercised); three inputs
in four suit the action, the rest are drawn from right and wrong values alike.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grievances.models import (
    LEVEL_ORDER,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    CaseUnit,
    PartStatus,
    Satisfaction,
    UnitRole,
)
from grievances.workflow import Action, TransitionNotAllowed, allowed_actions
from songpan.errors import StaleVersionError
from tests.grievances.conftest import case_snapshot

S = CaseStatus
# From DESIGN §5 and the workflow's docstring, written out independently of ``grievances.workflow.RULES``: the
# statuses each action may be taken from, and the status it leads to (None: unchanged).
SOURCES = {
    "accept": {S.SUBMITTED},
    "reject": {S.SUBMITTED, S.ACCEPTED},
    "duplicate": {S.SUBMITTED, S.ACCEPTED},
    "assign": {S.ACCEPTED},
    "reassign": {S.ASSIGNED, S.IN_PROGRESS},
    "start": {S.ASSIGNED},
    "part_done": {S.ASSIGNED, S.IN_PROGRESS},
    "resolve": {S.IN_PROGRESS},
    "escalate": {S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS},
    "close": {S.RESOLVED},
    "reopen": {S.RESOLVED, S.CLOSED},
}
TARGET = {
    "accept": S.ACCEPTED,
    "reject": S.REJECTED,
    "duplicate": S.DUPLICATE,
    "assign": S.ASSIGNED,
    "reassign": S.ASSIGNED,
    "start": S.IN_PROGRESS,
    "part_done": None,
    "resolve": S.RESOLVED,
    "escalate": None,
    "close": S.CLOSED,
    "reopen": S.IN_PROGRESS,
}
FORWARD = {"accept": 0, "assign": 0, "start": 0, "resolve": 0, "close": 0}
ENDINGS = {"reject", "duplicate"}
ACTORS = ["office", "township", "township_b", "department", "education_staff", "cadre", "other_cadre", "leader"]
NEVER_ACT = {"leader", "other_cadre"}  # no standing on any case of this world, whatever happens to it
UNITS = [None, "transport", "education", "government_a", "government_b", "999"]
REFUSALS = (PermissionDenied, TransitionNotAllowed, ValidationError, StaleVersionError)

fields_strategy = st.fixed_dictionaries(
    {
        "note": st.sampled_from(["A note.", "", " ", "x" * 2001]),
        "unit": st.sampled_from(UNITS),
        "co_units": st.lists(st.sampled_from(UNITS[1:]), max_size=2),
        "reason": st.sampled_from(["", "Closer to the problem."]),
        "deadline": st.sampled_from([None, -1, 0, 20, 400, "someday"]),
        "satisfaction": st.sampled_from([*Satisfaction.values, "", "delighted"]),
        "duplicate_of": st.sampled_from([None, "original", "itself", "a_duplicate"]),
        "outcome": st.sampled_from(["", "agreement", "court", "truce"]),
        "version": st.sampled_from(["none", "current", "stale"]),
    }
)


# The staff of the unit each category is routed to in ``case_world``, and the usual way to each status.
LEAD_STAFF = {"roads_transport": "department", "housing": "township", "education": "education_staff"}
USUAL_INPUT = {
    kind: {
        "note": "A note.",
        "unit": None,
        "co_units": [],
        "reason": "",
        "deadline": None,
        "satisfaction": "satisfied",
        "duplicate_of": "original",
        "outcome": "agreement" if kind == CaseKind.DISPUTE else "",
        "version": "current",
    }
    for kind in CaseKind.values
}


def usual_path(status: str, *, lead: str) -> list[tuple[str, str]]:
    forward = [("accept", "township"), ("assign", "office"), ("start", lead), ("resolve", lead), ("close", "cadre")]
    if status in (S.REJECTED, S.DUPLICATE):
        return [("reject" if status == S.REJECTED else "duplicate", "township")]
    reached = [S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED].index(status)
    return forward[:reached]


def right_input(w, case: Case, action: str):
    """Input that suits ``action`` on ``case`` (the satisfaction still varies, "not satisfied" reopens)."""
    routed = "education" if case.category_id == "education" else "transport"
    current = case.responsible_unit_id
    other = next(name for name in ("transport", "education") if getattr(w, name).pk != current)
    return st.fixed_dictionaries(
        {
            "note": st.just("A note."),
            "unit": st.just(other if action == "reassign" else None),
            "co_units": st.just([]),
            "reason": st.just("Closer to the problem." if action == "reassign" and other != routed else ""),
            "deadline": st.sampled_from([None, 20]),
            "satisfaction": st.sampled_from(Satisfaction.values),
            "duplicate_of": st.just("original"),
            "outcome": st.just("agreement" if case.kind == CaseKind.DISPUTE else ""),
            "version": st.sampled_from(["none", "current"]),
        }
    )


def _input(w, case: Case, drawn: dict, others: dict) -> dict:
    """Turn the drawn choices into ``case_transition`` keyword arguments."""
    today = timezone.localdate()
    unit = getattr(w, drawn["unit"]) if drawn["unit"] in UNITS[1:-1] else drawn["unit"]
    deadline = drawn["deadline"]
    if isinstance(deadline, int):
        deadline = today + dt.timedelta(days=deadline)
    version = {"none": None, "current": case.version, "stale": case.version - 1}[drawn["version"]]
    return {
        "note": drawn["note"],
        "unit": unit,
        "co_units": [getattr(w, name) if name != "999" else name for name in drawn["co_units"]],
        "reason": drawn["reason"],
        "deadline": deadline,
        "satisfaction": drawn["satisfaction"],
        "duplicate_of": {"itself": case, **others}.get(drawn["duplicate_of"]),
        "outcome": drawn["outcome"],
        "expected_version": version,
    }


def check_invariants(case: Case, successes: list[str]) -> None:
    case.refresh_from_db()
    # The status is one of the workflow's, and the row changed once per successful step
    assert case.status in S.values
    assert case.version == 1 + len(successes)
    # Every change has its event, and the events chain: each starts where the previous one ended
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    assert [entry.action for entry in events] == ["submit", *successes]
    assert (events[0].from_status, events[0].to_status) == ("", S.SUBMITTED)
    for previous, entry in zip(events, events[1:], strict=False):
        assert entry.from_status == previous.to_status, (previous, entry)
        assert entry.from_status in SOURCES[entry.action], entry
        expected = TARGET[entry.action] or entry.from_status
        if entry.action == "reassign" and entry.detail.get("previous_unit") == entry.detail.get("unit"):
            expected = entry.from_status  # a referral that keeps the lead unit leaves the work where it was
        assert entry.to_status == expected, entry
    assert events[-1].to_status == case.status
    # A closed case carries the household's verdict; any other case carries none
    if case.status == S.CLOSED:
        assert case.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
        assert case.closed_at is not None
    else:
        assert (case.satisfaction, case.closed_at) == ("", None)
    # A resolved case has its resolution (and a dispute its outcome)
    if case.status in (S.RESOLVED, S.CLOSED):
        assert case.resolution and case.resolved_at is not None
        assert bool(case.dispute_outcome) == (case.kind == CaseKind.DISPUTE)
    # While a unit is answerable: a unit, a deadline and exactly one current lead part, the responsible unit's
    parts = list(CaseUnit.objects.filter(case=case).exclude(status=PartStatus.REFERRED))
    leads = [part for part in parts if part.role == UnitRole.LEAD]
    if case.status in (S.ASSIGNED, S.IN_PROGRESS):
        assert case.responsible_unit_id is not None and case.deadline is not None
        assert [part.unit_id for part in leads] == [case.responsible_unit_id]
        assert leads[0].status == PartStatus.PENDING
    assert len(leads) <= 1
    assert len({part.unit_id for part in parts}) == len(parts)
    # A duplicate names an original
    if case.status == S.DUPLICATE:
        assert case.duplicate_of is not None and case.duplicate_of_id != case.pk
        assert case.duplicate_of.status != S.DUPLICATE


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_action_sequences_keep_the_case_valid(case_world, data):
    w = case_world
    with transaction.atomic():
        kind = data.draw(st.sampled_from(CaseKind.values), label="kind")
        category = data.draw(st.sampled_from(["roads_transport", "housing", "education"]), label="category")
        original = w.submit(w.office, household=None, village=w.village_a, description="The first report.")
        duplicate = w.submit(w.office, household=None, village=w.village_a, description="The same again.")
        duplicate = w.take(duplicate, "duplicate", w.office, duplicate_of=original)
        others = {"original": original, "a_duplicate": duplicate}
        case = w.submit(kind=kind, category=category)
        # Start from any status (the usual path there), so that every status is explored from
        start = data.draw(st.sampled_from(S.values), label="start")
        successes: list[str] = []
        for action, actor in usual_path(start, lead=LEAD_STAFF[category]):
            case = w.take(case, action, getattr(w, actor), **_input(w, case, USUAL_INPUT[case.kind], others))
            successes.append(action)
        levels = [case.level]
        check_invariants(case, successes)

        for _step in range(data.draw(st.integers(min_value=1, max_value=15), label="steps")):
            actor = data.draw(st.sampled_from(ACTORS), label="actor")
            # Forward moves first, rejecting and marking duplicate last and less often: they end the case.
            offered = sorted(
                (
                    a.value
                    for a in allowed_actions(getattr(w, actor), case)
                    for _weight in range(1 if a in ENDINGS else 3)
                ),
                key=lambda choice: (FORWARD.get(choice, 1), choice in ENDINGS),
            )
            # Hypothesis leans towards small choices: 0 (and the first offered action) is the guided forward move.
            if offered and data.draw(st.integers(0, 3), label="offered") < 3:
                action = data.draw(st.sampled_from(offered), label="offered action")
            else:
                action = data.draw(st.sampled_from([a.value for a in Action]), label="action")
            user = getattr(w, actor)
            right = data.draw(st.integers(0, 3), label="right input") < 3
            drawn = data.draw(right_input(w, case, action) if right else fields_strategy, label="input")
            fields = _input(w, case, drawn, others)
            before = case_snapshot()
            status = case.status
            try:
                case = w.take(case, action, user, **fields)
            except REFUSALS:
                # A refusal changed nothing at all
                assert case_snapshot() == before
            else:
                assert actor not in NEVER_ACT
                assert status in SOURCES[action]
                reopened = action == "close" and fields["satisfaction"] == Satisfaction.NOT_SATISFIED
                successes.append("reopen" if reopened else action)
                levels.append(case.level)
            check_invariants(case, successes)
        event(f"ends {case.status}")  # --hypothesis-show-statistics: how far the sequences get
        # A case only ever moves up the levels
        assert [LEVEL_ORDER.index(level) for level in levels] == sorted(LEVEL_ORDER.index(level) for level in levels)
        transaction.set_rollback(True)
