"""Case reference numbers (grievances/services/numbering.py): ``SP-2026-000001`` and on, one series per county and
year, unique and gapless even when a creation fails or many cases are created at once."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from freezegun import freeze_time

from accounts.models import Role
from grievances.models import Case, CaseCategory, CaseSequence
from grievances.services import case_submit
from grievances.services.numbering import next_reference
from tests.concurrency import committed_db, needs_postgresql, run_at_once
from tests.factories import UserFactory, village
from tests.grievances.conftest import build_case_world, case_snapshot


def submit_in(place, actor, **fields):
    return case_submit(
        actor=actor,
        kind="problem",
        category="roads_transport",
        description=fields.pop("description", "The road washed out."),
        village=place,
        **fields,
    )


def references() -> list[str]:
    return sorted(Case.objects.values_list("reference", flat=True))


def series(prefix: str, year: int, count: int) -> list[str]:
    return [f"{prefix}-{year}-{number:06d}" for number in range(1, count + 1)]


# -- the series -------------------------------------------------------------------------------------------------


def test_references_follow_one_another_in_the_county_and_year(case_world):
    w = case_world
    made = [w.submit(), w.submit(w.township), w.submit(w.office, household=w.other_household)]
    assert [case.reference for case in made] == series("SP", 2026, 3)
    assert CaseSequence.objects.get(county="513224", year=2026).last == 3


def test_each_county_has_its_own_series_with_its_prefix(case_world, settings):
    w = case_world
    settings.SONGPAN_CASE_PREFIXES = {"513224": "SP", "513221": "WC"}  # Wenchuan configured, Maoxian not
    wenchuan = UserFactory(username="wenchuan", role=Role.COUNTY_OFFICE, division=village("513221101201").parent.parent)
    maoxian = UserFactory(username="maoxian", role=Role.COUNTY_OFFICE, division=village("513223101201").parent.parent)
    # When cases are created in three counties, interleaved
    made = [
        w.submit().reference,
        submit_in(village("513221101201"), wenchuan).reference,
        submit_in(village("513223101201"), maoxian).reference,
        w.submit().reference,
        submit_in(village("513221101201"), wenchuan).reference,
    ]
    # Then each county counts on its own, with its configured prefix or C<code>
    assert made == ["SP-2026-000001", "WC-2026-000001", "C513223-2026-000001", "SP-2026-000002", "WC-2026-000002"]
    assert dict(CaseSequence.objects.values_list("county", "last")) == {"513224": 2, "513221": 2, "513223": 1}


def test_a_new_year_starts_a_new_series_by_the_countys_clock(case_world):
    w = case_world
    with freeze_time("2026-12-31 23:30+08:00"):
        last_of_2026 = w.submit(w.office).reference
    # 16:30 UTC on 31 December is already New Year's Day in Songpan
    with freeze_time("2026-12-31 16:30:00+00:00"):
        first_of_2027 = w.submit(w.office).reference
    with freeze_time("2027-01-02 10:00+08:00"):
        second_of_2027 = w.submit(w.office).reference
    assert (last_of_2026, first_of_2027, second_of_2027) == ("SP-2026-000001", "SP-2027-000001", "SP-2027-000002")
    assert sorted(CaseSequence.objects.values_list("year", "last")) == [(2026, 1), (2027, 2)]


def test_a_creation_that_fails_after_taking_a_number_gives_it_back(case_world, monkeypatch):
    w = case_world
    w.submit()

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    # Given a failure after the number was taken (writing the first event)
    monkeypatch.setattr("grievances.services.cases.event_write", broken)
    before = case_snapshot()
    with pytest.raises(RuntimeError):
        w.submit(kind="dispute", parties=[{"name": "扎西"}])
    # Then nothing of it remains, and the number is the next case's
    assert case_snapshot() == before
    monkeypatch.undo()
    assert w.submit().reference == "SP-2026-000002"
    assert references() == series("SP", 2026, 2)


def test_a_refused_creation_takes_no_number(case_world):
    w = case_world
    w.submit()
    with pytest.raises(ValidationError):
        w.submit(description="")
    with pytest.raises(ValidationError):
        w.submit(w.township, village=w.village_b)
    assert w.submit().reference == "SP-2026-000002"


# -- committed data, several connections (tests/concurrency.py) ------------------------------------------------


@pytest.fixture
def committed_world(migration_rows_put_back):
    """``case_world`` committed, so that the threads' own connections see it."""
    # An earlier committed test's flush deleted the categories the migrations made.
    for code in ("roads_transport", "education"):
        CaseCategory.objects.get_or_create(code=code, defaults={"name": code})
    return build_case_world()


def test_a_number_is_taken_only_inside_the_creating_transaction():
    # Outside a transaction the lock on the series would end at once; refused before any query.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_reference(village_code="513224101201", year=2026)


@needs_postgresql
@committed_db
def test_cases_created_at_once_get_unique_gapless_numbers(committed_world):
    w = committed_world
    threads, per_thread = 8, 5

    def create(index: int) -> list[str]:
        actor = [w.office, w.township][index % 2]
        return [
            submit_in(w.village_a, actor, description=f"Thread {index}, case {n}.").reference for n in range(per_thread)
        ]

    # When eight clerks each create five cases at the same moment
    made, errors = run_at_once(threads, create)
    # Then every case has its own number, and together they are 1 … 40 without a gap
    assert errors == []
    assert sorted(ref for refs in made for ref in refs) == series("SP", 2026, threads * per_thread)
    assert references() == series("SP", 2026, threads * per_thread)
    assert CaseSequence.objects.get(county="513224", year=2026).last == threads * per_thread
    # And each clerk's own cases were numbered in the order it created them
    assert all(refs == sorted(refs) for refs in made)


@needs_postgresql
@committed_db
def test_concurrent_creations_with_failures_and_two_counties_stay_gapless(committed_world, settings):
    w = committed_world
    other = village("513221101201")
    wenchuan = UserFactory(username="wenchuan", role=Role.COUNTY_OFFICE, division=other.parent.parent)
    settings.SONGPAN_CASE_PREFIXES = {"513224": "SP", "513221": "WC"}

    def create(index: int) -> str:
        if index % 3 == 2:
            # A creation that fails after taking its number: its transaction rolls back and gives it back
            try:
                with transaction.atomic():
                    submit_in(w.village_a, w.office)
                    raise RuntimeError("the request timed out")
            except RuntimeError:
                return "failed"
        if index % 3 == 1:
            return submit_in(other, wenchuan).reference
        return submit_in(w.village_a, w.office).reference

    made, errors = run_at_once(12, create)
    assert errors == []
    assert made.count("failed") == 4
    assert references() == series("SP", 2026, 4) + series("WC", 2026, 4)
    assert dict(CaseSequence.objects.values_list("county", "last")) == {"513224": 4, "513221": 4}


@needs_postgresql
@committed_db
def test_the_same_case_sent_at_once_from_a_phone_and_its_retry_is_created_once(committed_world):
    w = committed_world
    client_id = uuid.uuid4()

    def send(index: int) -> str:
        return w.submit(id=client_id, description=f"Attempt {index}.").reference

    # When a phone's request and its retries arrive at the same moment
    made, errors = run_at_once(6, send)
    # Then one creates the case; the others are refused as the same id, not with a database error
    assert made == ["SP-2026-000001"]
    assert len(errors) == 5
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert {error.error_dict["id"][0].code for error in errors} == {"duplicate_id"}
    # And the refused ones took no number
    assert w.submit().reference == "SP-2026-000002"
