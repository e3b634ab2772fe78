"""Cases in the sync feed (``songpan.api.sync``): who gets which case, first and incremental syncs, village-level
cases (no household), department staff without townships, and what a household leaving a scope takes along."""

import pytest
from django.urls import reverse

from grievances.models import Case
from households.services import household_update
from ledgers.models import Pairing
from ledgers.services import pairing_end
from tests.factories import DepartmentSupportFactory

URL = reverse("api-sync")


@pytest.fixture(autouse=True)
def _no_settle_window(settings):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 0


def walk(client, user, since: str | None = None, limit: int = 200) -> tuple[list[dict], str]:
    client.force_login(user)
    changes: list[dict] = []
    for _ in range(100):
        params = {"limit": limit, **({"since": since} if since else {})}
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        page = response.json()
        changes += page["changes"]
        since = page["cursor"]
        if not page["more"]:
            return changes, since
    raise AssertionError("the walk never ended")


def cases_in(changes: list[dict]) -> dict[str, tuple[str, dict | None]]:
    return {c["id"]: (c["op"], c["data"]) for c in changes if c["resource"] == "case"}


def test_a_cadres_first_sync_holds_its_case_and_no_other(client, case_world):
    w = case_world
    mine = w.submit()
    w.submit(actor=w.township_b, household=w.other_household)  # another township's

    changes, _ = walk(client, w.cadre)

    assert set(cases_in(changes)) == {str(mine.pk)}
    op, data = cases_in(changes)[str(mine.pk)]
    assert op == "upsert"
    assert data["reference"] == mine.reference and data["status"] == "submitted"
    assert data["household"] == str(w.household.pk) and data["village"] == "513224101201"


def test_an_incremental_sync_after_a_transition_holds_the_changed_case(client, case_world):
    w = case_world
    case, untouched = w.submit(), w.submit(description="Another problem")
    _, cursor = walk(client, w.cadre)

    w.to_status(case, "assigned")
    changes, cursor = walk(client, w.cadre, since=cursor)

    assert [(c["resource"], c["id"], c["op"]) for c in changes] == [("case", str(case.pk), "upsert")]
    data = changes[0]["data"]
    assert data["status"] == "assigned" and data["responsible_unit"] == w.transport.pk
    assert data["co_units"] == [{"unit": w.government_a.pk, "name": w.government_a.name, "status": "pending"}]
    assert str(untouched.pk) not in cases_in(changes)
    assert walk(client, w.cadre, since=cursor)[0] == []


def test_a_village_level_case_reaches_the_township_and_the_county_not_the_sibling(client, case_world):
    w = case_world
    village_case = w.submit(actor=w.township, household=None, village=w.village_a)
    assert village_case.household_id is None

    for user, expected in ((w.township, True), (w.office, True), (w.township_b, False), (w.cadre, False)):
        changes, _ = walk(client, user)
        assert (str(village_case.pk) in cases_in(changes)) is expected, user.username


def test_a_village_level_case_changed_later_reaches_the_township_incrementally(client, case_world):
    w = case_world
    village_case = w.submit(actor=w.township, household=None, village=w.village_a)
    _, cursor = walk(client, w.township)

    w.take(village_case, "accept", w.township)
    changes, _ = walk(client, w.township, since=cursor)

    assert cases_in(changes)[str(village_case.pk)][1]["status"] == "accepted"


def test_department_staff_without_townships_sync_the_cases_assigned_to_their_department(client, case_world):
    w = case_world
    case = w.submit(category="education")  # the education bureau supports no township
    changes, cursor = walk(client, w.education_staff)
    assert changes == []

    w.to_status(case, "assigned")
    changes, _ = walk(client, w.education_staff, since=cursor)

    assert set(cases_in(changes)) == {str(case.pk)}
    assert {c["resource"] for c in changes} == {"case"}  # nothing of the township: it supports none


def test_a_cursor_of_another_department_restarts_the_feed(client, case_world):
    w = case_world
    _, cursor = walk(client, w.department)
    w.department.department = w.education
    w.department.save()

    client.force_login(w.department)
    page = client.get(URL, {"since": cursor}).json()

    assert page["reset"] is True


def test_a_household_leaving_the_cadre_tombstones_only_the_cases_it_did_not_report(client, case_world):
    w = case_world
    reported = w.submit()
    by_staff = w.submit(actor=w.township, description="Reported at the township office")
    _, cursor = walk(client, w.cadre)

    pairing_end(actor=w.township, pairing=Pairing.objects.get(household=w.household), reason="调整")
    changes, _ = walk(client, w.cadre, since=cursor)

    assert cases_in(changes) == {str(by_staff.pk): ("delete", None)}
    assert str(reported.pk) not in cases_in(changes)


def test_a_household_moving_away_leaves_its_cases_with_the_township(client, case_world):
    w = case_world
    case = w.submit()
    _, cursor = walk(client, w.township)

    household_update(actor=w.office, household=w.household, village=w.village_b)
    changes, _ = walk(client, w.township, since=cursor)

    assert str(case.pk) not in cases_in(changes)  # no tombstone: the case stays in village A
    assert Case.objects.get().village_id == "513224101201"


def test_a_supporting_department_syncs_the_cases_of_its_townships(client, case_world):
    w = case_world
    DepartmentSupportFactory(department=w.education, township=w.village_b.parent)
    sibling = w.submit(actor=w.township_b, household=w.other_household)

    changes, _ = walk(client, w.education_staff)

    assert set(cases_in(changes)) == {str(sibling.pk)}
