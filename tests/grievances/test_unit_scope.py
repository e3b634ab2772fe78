"""Which units a case may be given to (audit finding 9): the lead and co-units named in an assign or a referral
must be units the actor may see and that serve the case's place; otherwise 400 on the field named, and nothing
changes (no event, no part, no notification).

A unit the actor may not see is refused in the same words as a unit that does not exist: the refusal does not
confirm that it exists.
"""

import datetime as dt

import pytest
from django.urls import reverse

from cadres.models import DepartmentLevel
from divisions.models import Division
from grievances.models import CaseStatus
from grievances.selectors import responsible_units
from tests.factories import DepartmentFactory, DepartmentSupportFactory, county
from tests.grievances.conftest import case_snapshot
from tests.grievances.test_api import as_, send, transition_url


@pytest.fixture
def provincial(case_world):
    """A provincial department: ``GET /departments/<id>/`` hides it from everyone in the county."""
    return DepartmentFactory(name="省林草局", division=Division.objects.get(code="51"), level=DepartmentLevel.PROVINCE)


def refused(client, actor, case, body: dict, field: str) -> dict:
    before = case_snapshot()
    response = send(as_(client, actor), "post", transition_url(case), body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert case_snapshot() == before
    return errors


def test_the_hidden_department_is_hidden_over_the_api(client, case_world, provincial):
    w = case_world
    for actor in (w.office, w.township):
        response = as_(client, actor).get(reverse("api-department-detail", args=[provincial.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("who", ["office", "township"])
def test_assigning_to_a_department_outside_the_county_is_400_on_unit(client, case_world, provincial, who):
    w = case_world
    case = w.to_status(w.submit(), "accepted")

    errors = refused(client, getattr(w, who), case, {"action": "assign", "unit": provincial.pk, "reason": "x"}, "unit")

    assert "省林草局" not in str(errors)


@pytest.mark.parametrize("who", ["office", "township"])
def test_referring_to_a_department_outside_the_county_is_400_on_unit(client, case_world, provincial, who):
    w = case_world
    case = w.to_status(w.submit(), "assigned")

    refused(client, getattr(w, who), case, {"action": "reassign", "unit": provincial.pk, "reason": "x"}, "unit")


@pytest.mark.parametrize("action", ["assign", "reassign"])
def test_a_co_unit_outside_the_county_is_400_on_co_units(client, case_world, provincial, action):
    w = case_world
    case = w.to_status(w.submit(), "accepted" if action == "assign" else "assigned")
    body = {"action": action, "unit": w.transport.pk, "co_units": [w.government_a.pk, provincial.pk]}

    refused(client, w.office, case, body, "co_units")


@pytest.fixture
def supporting_b(provincial, case_world):
    """The provincial department, supporting township B: the office sees it, township A's staff do not."""
    township_b = case_world.village_b.parent
    DepartmentSupportFactory(department=provincial, township=township_b, start_date=dt.date(2026, 1, 1))
    return provincial


def test_a_unit_hidden_from_the_actor_is_refused_like_one_that_does_not_exist(client, case_world, supporting_b):
    w = case_world
    case = w.to_status(w.submit(), "accepted")

    hidden = refused(client, w.township, case, {"action": "assign", "unit": supporting_b.pk, "reason": "x"}, "unit")
    missing = refused(client, w.township, case, {"action": "assign", "unit": 999999, "reason": "x"}, "unit")

    assert hidden["unit"] == [message.replace("999999", str(supporting_b.pk)) for message in missing["unit"]]


def test_a_unit_that_does_not_serve_the_case_place_is_400(client, case_world, supporting_b):
    # The office sees the department supporting township B, but it does not serve a village of township A.
    w = case_world
    case = w.to_status(w.submit(), "accepted")

    refused(client, w.office, case, {"action": "assign", "unit": supporting_b.pk, "reason": "x"}, "unit")
    body = {"action": "assign", "unit": w.transport.pk, "co_units": [supporting_b.pk]}
    refused(client, w.office, case, body, "co_units")


def test_a_department_of_another_county_is_refused(client, case_world):
    w = case_world
    case = w.to_status(w.submit(), "accepted")
    foreign = DepartmentFactory(name="邻县交通运输局", division=county("513225"))

    refused(client, w.office, case, {"action": "assign", "unit": foreign.pk, "reason": "x"}, "unit")


def test_the_county_units_and_the_supporting_units_serve_the_case(client, case_world, provincial):
    # A county bureau serves the whole county (the education bureau supports no township), a neighbouring
    # township may share the case, and a provincial department that supports the case's township serves it too.
    w = case_world
    DepartmentSupportFactory(department=provincial, township=w.village_a.parent, start_date=dt.date(2026, 1, 1))
    case = w.to_status(w.submit(), "accepted")

    body = {
        "action": "assign",
        "unit": w.education.pk,
        "co_units": [provincial.pk, w.government_b.pk],
        "reason": "The school road.",
    }
    response = send(as_(client, w.township), "post", transition_url(case), body)

    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED and case.responsible_unit == w.education
    assert set(case.units.values_list("unit_id", flat=True)) == {w.education.pk, provincial.pk, w.government_b.pk}


def test_the_web_form_offers_the_units_the_service_accepts(case_world, supporting_b):
    w = case_world
    case = w.submit()

    assert set(responsible_units(case=case, user=w.township)) == {
        w.government_a,
        w.government_b,
        w.transport,
        w.education,
    }
