import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from households.models import Household
from reports import metrics as m
from reports.models import RollupFact
from reports.periods import parse
from reports.services import rollup_compute, rollup_rows
from tests.reports.world import V1, V2, V3, at, case, change_household, event, household, pairing

NOV = parse("2026-11")
D = dt.date


def facts(period=NOV) -> dict[tuple[str, str], int]:
    return {
        (f.code, f.metric): f.value
        for f in RollupFact.objects.filter(period_kind=period.kind, period_start=period.start)
    }


@pytest.mark.django_db
def test_households_and_pairings_as_the_period_ended():
    a = household(V1, D(2026, 1, 5))
    pairing(a, D(2026, 2, 1), end=D(2026, 12, 10))  # ended after November: paired in November
    b = household(V1, D(2026, 1, 5))
    pairing(b, D(2026, 2, 1), end=D(2026, 11, 30))  # ended on November's last day: not paired at its end
    c = household(V1, D(2026, 1, 5))
    pairing(c, D(2026, 12, 1))  # starts after November
    pairing(c, D(2026, 2, 1), is_primary=False)  # a secondary pairing does not count
    household(V1, D(2026, 12, 2))  # registered after November: not counted
    moved = household(V2, D(2026, 3, 1))
    change_household(moved, D(2026, 12, 5), status="moved")  # moved away after November: still counted there
    gone = household(V2, D(2026, 3, 1))
    change_household(gone, D(2026, 11, 5), status="dissolved")  # dissolved during November: not counted
    relocated = household(V3, D(2026, 3, 1))
    change_household(relocated, D(2026, 12, 5), village_id=V2)  # in V3 at November's end

    rows = rollup_rows(NOV)

    assert rows == {
        (V1, m.HOUSEHOLDS): 3,
        (V1, m.PAIRED): 1,
        (V1, m.UNPAIRED): 2,
        (V2, m.HOUSEHOLDS): 1,
        (V2, m.UNPAIRED): 1,
        (V3, m.HOUSEHOLDS): 1,
        (V3, m.UNPAIRED): 1,
    }


@pytest.mark.django_db
def test_case_metrics_count_the_period_transitions_in_county_time():
    problem = case(V1, D(2026, 11, 2))
    event(problem, "accept", D(2026, 11, 3))
    event(problem, "escalate", D(2026, 11, 4), from_level="village", to_level="township")
    event(problem, "overdue", D(2026, 11, 5), from_level="township", to_level="county")  # the sweep escalated
    event(problem, "resolve", D(2026, 11, 6))
    event(problem, "reopen", D(2026, 11, 7), satisfaction="not_satisfied")
    event(problem, "resolve", D(2026, 11, 8))
    event(problem, "close", at(D(2026, 11, 12), 13), satisfaction="satisfied")  # 10 days and 1 hour
    dispute = case(V1, D(2026, 10, 20), kind="dispute")  # received in October
    event(dispute, "resolve", D(2026, 11, 20))
    event(dispute, "close", D(2026, 11, 21), satisfaction="basically_satisfied")  # 32 days
    suggestion = case(V2, D(2026, 11, 10), kind="suggestion")
    event(suggestion, "resolve", D(2026, 11, 11))
    rejected = case(V2, D(2026, 11, 10), kind="suggestion")
    event(rejected, "reject", D(2026, 11, 11))
    # 1 December 00:30 in the county (30 November in UTC): December's, not November's.
    late = case(V2, dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC))
    event(late, "accept", dt.datetime(2026, 11, 30, 16, 40, tzinfo=dt.UTC))

    rows = rollup_rows(NOV)

    assert {key: value for key, value in rows.items() if key[0] == V1} == {
        (V1, m.CASES_OPENED): 1,
        (V1, m.CASES_ACCEPTED): 1,
        (V1, m.CASES_ESCALATED): 2,
        (V1, m.CASES_OVERDUE): 1,
        (V1, m.CASES_RESOLVED): 3,
        (V1, m.CASES_REOPENED): 1,
        (V1, m.CASES_CLOSED): 2,
        (V1, m.DISPUTES_RESOLVED): 1,
        (V1, m.SATISFACTION_PREFIX + "satisfied"): 1,
        (V1, m.SATISFACTION_PREFIX + "basically_satisfied"): 1,
        (V1, m.SATISFACTION_PREFIX + "not_satisfied"): 1,
        (V1, m.CLOSE_DAYS_PREFIX + "10"): 1,
        (V1, m.CLOSE_DAYS_PREFIX + "32"): 1,
    }
    assert {key: value for key, value in rows.items() if key[0] == V2} == {
        (V2, m.CASES_OPENED): 2,
        (V2, m.SUGGESTIONS_RECEIVED): 2,
        (V2, m.SUGGESTIONS_ADOPTED): 1,
        (V2, m.CASES_RESOLVED): 1,
    }
    figures = m.derive({metric: value for (code, metric), value in rows.items() if code == V1})
    assert figures[m.AVG_DAYS_TO_CLOSE] == 21.0
    assert figures[m.P90_DAYS_TO_CLOSE] == 32
    assert figures[m.SATISFACTION_SHARE_PREFIX + "satisfied"] == pytest.approx(1 / 3)
    assert figures[m.COVERAGE] == 1.0  # no households


@pytest.mark.django_db
def test_recomputing_replaces_the_period_instead_of_adding_to_it():
    pairing(household(V1, D(2026, 1, 5)), D(2026, 2, 1))
    household(V3, D(2026, 1, 5))
    first = rollup_compute(period=NOV)
    assert first.rows == 4
    assert facts() == {(V1, "households"): 1, (V1, "paired"): 1, (V3, "households"): 1, (V3, "unpaired"): 1}
    rollup_compute(period=NOV)
    household(V1, D(2026, 1, 6))
    rollup_compute(period=NOV, division="513224101")  # only that township
    assert facts() == {
        (V1, "households"): 2,
        (V1, "paired"): 1,
        (V1, "unpaired"): 1,
        (V3, "households"): 1,
        (V3, "unpaired"): 1,
    }
    assert RollupFact.objects.count() == 5


@pytest.mark.django_db
def test_query_count_does_not_grow_with_villages():
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rollup_compute(period=NOV)
        return len(captured)

    household(V1, D(2026, 1, 5))
    one = queries()
    for code in (V2, V3, "513224102202", "513224103201"):
        event(case(code, D(2026, 11, 3)), "close", D(2026, 11, 9), satisfaction="satisfied")
        household(code, D(2026, 1, 5))
    assert queries() == one


@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=60), max_size=30),
)
@settings(max_examples=50, deadline=None)
def test_days_to_close_of_summed_villages_equals_the_figures_of_all_closings(first, second):
    def histogram(days: list[int]) -> dict[str, int]:
        result: dict[str, int] = {}
        for day in days:
            key = m.CLOSE_DAYS_PREFIX + str(day)
            result[key] = result.get(key, 0) + 1
        return result

    summed = histogram(first)
    for key, count in histogram(second).items():
        summed[key] = summed.get(key, 0) + count
    figures = m.derive(summed)
    everything = sorted(first + second)
    assert figures[m.AVG_DAYS_TO_CLOSE] == round(sum(everything) / len(everything), 2)
    rank = -(-len(everything) * 9 // 10)  # nearest rank
    assert figures[m.P90_DAYS_TO_CLOSE] == everything[rank - 1]


@pytest.mark.django_db
def test_a_household_loaded_after_the_period_counts_from_its_first_pairing():
    """Bulk-loaded registries (the demo's) carry the load date as ``created_at`` and no history: a pairing that
    started before is evidence the household existed."""
    loaded = household(V1, D(2026, 12, 2))
    Household.history.filter(id=loaded.pk).delete()
    pairing(loaded, D(2026, 2, 1))
    assert rollup_rows(NOV) == {(V1, m.HOUSEHOLDS): 1, (V1, m.PAIRED): 1}
    assert rollup_rows(parse("2026-01")) == {}
