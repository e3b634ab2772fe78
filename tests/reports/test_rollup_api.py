import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from reports.periods import county_today, parse
from reports.services import rollup_compute
from tests.factories import CadreFactory, DepartmentFactory, DepartmentSupportFactory, UserFactory, county, township
from tests.reports.world import V1, V2, V3, case, event, household, pairing

NOV = parse("2026-11")
D = dt.date


@pytest.fixture
def world(db):
    a = household(V1, D(2026, 1, 5))
    pairing(a, D(2026, 2, 1))
    household(V2, D(2026, 1, 5))
    household(V3, D(2026, 1, 5))
    event(case(V3, D(2026, 11, 3)), "close", D(2026, 11, 13), satisfaction="satisfied")
    rollup_compute(period=NOV)
    return None


def client_for(role: str, *, cadre=None, **scope) -> APIClient:
    user = UserFactory(role=role, **scope)
    if cadre is not None:
        cadre.user = user
        cadre.save()
    client = APIClient()
    client.force_authenticate(user)
    return client


def get(client, **params):
    return client.get(
        reverse("api-rollups"), {"period": "month", "start": "2026-11-01", **params}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_the_county_sees_its_townships_summed(world):
    body = get(client_for(Role.COUNTY_LEADER, division=county())).json()
    assert body["within"] == "513224"
    assert body["period"] == {"kind": "month", "start": "2026-11-01", "end": "2026-12-01", "name": "2026-11"}
    rows = {row["code"]: row["figures"] for row in body["children"]}
    assert list(rows) == ["513224101", "513224102"]
    assert (rows["513224101"]["households"], rows["513224101"]["paired"], rows["513224101"]["coverage"]) == (2, 1, 0.5)
    assert rows["513224102"]["cases_closed"] == 1
    assert rows["513224102"]["avg_days_to_close"] == 10
    assert body["total"]["households"] == 3


def test_township_staff_see_their_township_and_nothing_of_the_sibling(world):
    client = client_for(Role.TOWNSHIP, division=township("513224101"))
    body = get(client).json()
    assert body["within"] == "513224101"
    assert [row["code"] for row in body["children"]] == [V1, V2]
    county_view = get(client, within="513224").json()
    assert [row["code"] for row in county_view["children"]] == ["513224101"]
    sibling = get(client, within="513224102").json()
    assert sibling["children"] == [] and sibling["total"]["households"] == 0


def test_department_sees_its_supported_townships_and_cadres_nothing(world):
    department = DepartmentFactory()
    DepartmentSupportFactory(department=department, township=township("513224102"))
    body = get(client_for(Role.DEPARTMENT, department=department), within="513224").json()
    assert [row["code"] for row in body["children"]] == ["513224102"]
    cadre = CadreFactory()
    body = get(client_for(Role.CADRE, cadre=cadre), within="513224").json()
    assert body["children"] == [] and body["total"]["households"] == 0


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "year"}, "period", "week, month or quarter"),
        ({"start": "2026-11-02"}, "start", "not the first day"),
        ({"start": "30/11/2026"}, "start", "YYYY-MM-DD"),
        ({"period": "week", "start": "2026-11-01"}, "start", "not the first day"),
        ({"within": "51a"}, "within", "2 to 12 digits"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(world, params, field, message):
    response = get(client_for(Role.COUNTY_OFFICE, division=county()), **params)
    assert response.status_code == 400
    assert message in str(response.json())
    assert field in str(response.json())


def test_a_future_period_is_400(db):
    start = (county_today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    response = get(client_for(Role.COUNTY_OFFICE, division=county()), start=start.isoformat())
    assert response.status_code == 400
    assert "has not begun" in str(response.json())


def test_query_count_does_not_grow_with_divisions(world, django_assert_num_queries):
    client = client_for(Role.COUNTY_LEADER, division=county())
    get(client)  # warm the session-independent caches
    with django_assert_num_queries(2) as captured:  # the facts, the divisions' names
        get(client)
    for code in ("513224103201", "513224104201", "513224105201"):
        household(code, D(2026, 1, 5))
    rollup_compute(period=NOV)
    with django_assert_num_queries(len(captured)):
        assert len(get(client).json()["children"]) == 5


def test_dashboard_is_live_until_the_current_period_is_rolled_up(db):
    today = county_today()
    household(V1, today - dt.timedelta(days=400))
    client = client_for(Role.COUNTY_LEADER, division=county())
    body = client.get(reverse("api-dashboard")).json()
    assert body["live"] is True
    assert body["month"]["live"] and body["month"]["figures"]["households"] == 1
    assert body["quarter"]["period"]["kind"] == "quarter"
    rollup_compute(period=parse(body["month"]["period"]["name"]))
    rollup_compute(period=parse(body["quarter"]["period"]["name"]))
    body = client.get(reverse("api-dashboard"), {"within": "513224101"}).json()
    assert body["live"] is False
    assert body["month"]["figures"]["households"] == 1 and body["month"]["figures"]["unpaired"] == 1
    assert client.get(reverse("api-dashboard"), {"within": "513224102"}).json()["month"]["figures"]["households"] == 0


def test_dashboard_of_a_cadre_is_empty(db):
    household(V1, county_today() - dt.timedelta(days=400))
    body = client_for(Role.CADRE, cadre=CadreFactory()).get(reverse("api-dashboard")).json()
    assert body["month"]["figures"]["households"] == 0
