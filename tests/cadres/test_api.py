"""``/api/v1/departments/`` and ``/api/v1/cadres/``: scoped lists, filters, writes through the services, refusals
that change nothing, bad input that answers 4xx, and a fixed number of queries whatever the page size."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from cadres.models import Cadre, CadreStatus, Department, DepartmentKind, DepartmentLevel, Rank
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    PairingFactory,
    UserFactory,
    VillageAssistanceFactory,
    county,
    township,
    village,
)

DEPARTMENTS = reverse("api-department-list")
CADRES = reverse("api-cadre-list")


def post(client, url, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **extra)


def patch(client, url, body, **extra):
    return client.patch(url, data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def users(db):
    return {
        "office": UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()),
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county()),
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101")),
        "no_role": UserFactory(username="nobody", role=""),
    }


@pytest.fixture
def bureau(db):
    return DepartmentFactory(name="县农业农村局", short_name="农业局", division=county())


@pytest.fixture
def foreign_bureau(db):
    return DepartmentFactory(name="外县农业局", division=county("513225"))


def as_user(client, users, role):
    client.force_login(users[role])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- departments ---------------------------------------------------------------------------------------------


def test_department_list_holds_the_callers_county_only(client, users, bureau, foreign_bureau):
    response = as_user(client, users, "office").get(DEPARTMENTS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [bureau.pk]
    assert rows[0] == {
        "id": bureau.pk,
        "name": "县农业农村局",
        "short_name": "农业局",
        "level": "county",
        "kind": "government",
        "division": "513224",
        "is_active": True,
    }


def test_department_list_filters_and_search(client, users, bureau):
    township_government = DepartmentFactory(
        name="川主寺镇党委政府", level=DepartmentLevel.TOWNSHIP, kind=DepartmentKind.TOWNSHIP, division=township()
    )
    as_user(client, users, "office")

    def ids(query):
        return [row["id"] for row in client.get(DEPARTMENTS, query).json()["results"]]

    assert ids({"level": "township"}) == [township_government.pk]
    assert ids({"kind": "government"}) == [bureau.pk]
    assert ids({"within": "513224101"}) == [township_government.pk]
    assert ids({"division": "513224"}) == [bureau.pk]
    assert ids({"q": "农业"}) == [bureau.pk]


@pytest.mark.parametrize("query", [{"level": "planet"}, {"within": "abc"}, {"is_active": "maybe"}, {"page": 99}])
def test_department_list_bad_query_is_4xx(client, users, bureau, query):
    assert as_user(client, users, "office").get(DEPARTMENTS, query).status_code in (400, 404)


def test_department_detail_outside_scope_is_404(client, users, bureau, foreign_bureau):
    as_user(client, users, "office")

    assert client.get(reverse("api-department-detail", args=[bureau.pk])).status_code == 200
    assert client.get(reverse("api-department-detail", args=[foreign_bureau.pk])).status_code == 404
    assert client.get(reverse("api-department-detail", args=["abc"])).status_code == 404


def test_office_creates_a_department(client, users):
    county()
    body = {"name": "县水务局", "short_name": "水务局", "level": "county", "kind": "government", "division": "513224"}

    response = post(as_user(client, users, "office"), DEPARTMENTS, body)

    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "县水务局"
    assert Department.objects.get(pk=response.json()["id"]).division_id == "513224"


@pytest.mark.parametrize("role", ["leader", "township", "no_role"])
def test_other_roles_may_not_create_departments(client, users, role):
    county()
    body = {"name": "县水务局", "level": "county", "kind": "government", "division": "513224"}

    response = post(as_user(client, users, role), DEPARTMENTS, body)

    assert response.status_code == 403
    assert not Department.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "县水务局", "level": "county", "kind": "government", "division": "513225"}, "division"),
        ({"name": "县水务局", "level": "county", "kind": "government", "division": "xx"}, "division"),
        ({"name": "县水务局", "level": "planet", "kind": "government", "division": "513224"}, "level"),
        ({"name": "县水务局", "level": "township", "kind": "government", "division": "513224"}, "division"),
        ({"name": "县水务局", "level": "county", "kind": "government", "division": "513224", "colour": 1}, "colour"),
        ({"name": ["x"], "level": "county", "kind": "government", "division": "513224"}, "name"),
        ({"name": "x" * 101, "level": "county", "kind": "government", "division": "513224"}, "name"),
        ({"level": "county", "kind": "government", "division": "513224"}, "name"),
    ],
)
def test_department_bad_input_is_400_and_writes_nothing(client, users, body, field):
    county(), county("513225")

    response = post(as_user(client, users, "office"), DEPARTMENTS, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Department.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', "null"])
def test_malformed_bodies_are_400(client, users, raw):
    response = post(as_user(client, users, "office"), DEPARTMENTS, raw)

    assert response.status_code == 400
    assert not Department.objects.exists()


# --- cadres --------------------------------------------------------------------------------------------------


@pytest.fixture
def cadres(db, bureau):
    local = CadreFactory(name="张三", rank=Rank.VILLAGE_CADRE, division=village(), department=None, phone="13812345678")
    county_staff = CadreFactory(name="李四", rank=Rank.SECTION_LEVEL, department=bureau, is_party_member=True)
    sibling = CadreFactory(name="王五", rank=Rank.ORDINARY, division=township("513224102"), department=None)
    foreign = CadreFactory(name="赵六", department=DepartmentFactory(division=county("513225")))
    return {"local": local, "county": county_staff, "sibling": sibling, "foreign": foreign}


def _names(response):
    return sorted(row["name"] for row in response.json()["results"])


def test_cadre_list_is_scoped(client, users, cadres):
    assert _names(as_user(client, users, "office").get(CADRES)) == ["张三", "李四", "王五"]
    assert _names(as_user(client, users, "township").get(CADRES)) == ["张三"]
    assert _names(as_user(client, users, "no_role").get(CADRES)) == []


def test_a_posted_official_is_visible_where_posted(client, users, cadres):
    VillageAssistanceFactory(cadre=cadres["foreign"], village=village())

    assert _names(as_user(client, users, "township").get(CADRES)) == ["张三", "赵六"]


def test_cadre_fields_and_household_count(client, users, cadres):
    PairingFactory(cadre=cadres["local"])
    PairingFactory(cadre=cadres["local"], household__number="9001")
    PairingFactory(cadre=cadres["local"], household__number="9002", is_primary=False)
    ended = PairingFactory(cadre=cadres["local"], household__number="9003")
    ended.end_date = ended.start_date
    ended.save()

    row = as_user(client, users, "office").get(reverse("api-cadre-detail", args=[cadres["local"].pk])).json()

    assert row["household_count"] == 2
    assert {k: row[k] for k in ("name", "rank", "department", "division", "is_party_member", "status")} == {
        "name": "张三",
        "rank": "village_cadre",
        "department": None,
        "division": "513224101201",
        "is_party_member": False,
        "status": "active",
    }
    assert row["phone"] == "13812345678"
    assert row["version"] == 1


def test_cadre_phone_is_masked_for_the_county_leader(client, users, cadres):
    row = as_user(client, users, "leader").get(reverse("api-cadre-detail", args=[cadres["local"].pk])).json()

    assert row["phone"] == "138****5678"


def test_cadre_filters(client, users, cadres, bureau):
    as_user(client, users, "office")

    assert _names(client.get(CADRES, {"rank": "section_level"})) == ["李四"]
    assert _names(client.get(CADRES, {"department": bureau.pk})) == ["李四"]
    assert _names(client.get(CADRES, {"within": "513224102"})) == ["王五"]
    assert _names(client.get(CADRES, {"within": "513224"})) == ["张三", "李四", "王五"]
    assert _names(client.get(CADRES, {"q": "张"})) == ["张三"]
    cadres["sibling"].status = CadreStatus.RETIRED
    cadres["sibling"].save()
    assert _names(client.get(CADRES, {"status": "retired"})) == ["王五"]


@pytest.mark.parametrize(
    "query", [{"rank": "general"}, {"department": "x"}, {"within": "51322A"}, {"page_size": "many"}, {"page": 0}]
)
def test_cadre_list_odd_query_is_never_a_server_error(client, users, cadres, query):
    assert as_user(client, users, "office").get(CADRES, query).status_code in (200, 400, 404)


def test_cadre_list_bad_filter_values_are_400(client, users, cadres):
    as_user(client, users, "office")

    for query in ({"rank": "general"}, {"department": "x"}, {"within": "51322A"}):
        assert client.get(CADRES, query).status_code == 400, query


def test_cadre_detail_outside_scope_is_404(client, users, cadres):
    as_user(client, users, "township")

    assert client.get(reverse("api-cadre-detail", args=[cadres["local"].pk])).status_code == 200
    for other in ("county", "sibling", "foreign"):
        assert client.get(reverse("api-cadre-detail", args=[cadres[other].pk])).status_code == 404


def test_office_registers_a_cadre(client, users, bureau):
    body = {"name": "钱七", "rank": "ordinary", "sex": "female", "department": bureau.pk, "phone": "13900001111"}

    response = post(as_user(client, users, "office"), CADRES, body)

    assert response.status_code == 201, response.json()
    cadre = Cadre.objects.get(pk=response.json()["id"])
    assert (cadre.name, cadre.department, cadre.sex) == ("钱七", bureau, "female")
    assert response.json()["household_count"] == 0
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "department": "FOREIGN"}, "department"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "department": 2**40}, "department"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "division": "513225101"}, "division"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female"}, "department"),
        ({"name": "钱七", "rank": "general", "sex": "female", "department": "OWN"}, "rank"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "department": "OWN", "phone": "12"}, "phone"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "department": "OWN", "status": "retired"}, "status"),
        ({"name": "钱七", "rank": "ordinary", "sex": "female", "department": "OWN", "is_party_member": "?"}, None),
        ({"name": "钱七", "rank": "ordinary", "department": "OWN"}, "sex"),
    ],
)
def test_cadre_bad_input_is_400_and_writes_nothing(client, users, bureau, foreign_bureau, body, field):
    body = {**body}
    if body.get("department") == "FOREIGN":
        body["department"] = foreign_bureau.pk
    if body.get("department") == "OWN":
        body["department"] = bureau.pk
    township("513225101")

    response = post(as_user(client, users, "office"), CADRES, body)

    assert response.status_code == 400
    if field:
        assert field in response.json(), response.json()
    assert not Cadre.objects.exists()


def test_a_department_outside_the_scope_is_named_as_not_found(client, users, bureau, foreign_bureau):
    body = {"name": "钱七", "rank": "ordinary", "sex": "female", "department": foreign_bureau.pk}

    response = post(as_user(client, users, "office"), CADRES, body)

    assert response.json() == {"department": [f"Department {foreign_bureau.pk} was not found."]}


@pytest.mark.parametrize("role", ["leader", "township", "no_role"])
def test_other_roles_may_not_register_cadres(client, users, bureau, role):
    body = {"name": "钱七", "rank": "ordinary", "sex": "female", "department": bureau.pk}

    assert post(as_user(client, users, role), CADRES, body).status_code == 403
    assert not Cadre.objects.exists()


def test_office_corrects_a_cadre_with_if_match(client, users, cadres):
    url = reverse("api-cadre-detail", args=[cadres["county"].pk])

    response = patch(as_user(client, users, "office"), url, {"title": "副局长"}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["version"]) == ("副局长", 2)
    assert response["ETag"] == '"2"'


def test_a_stale_if_match_is_412_and_changes_nothing(client, users, cadres):
    url = reverse("api-cadre-detail", args=[cadres["county"].pk])
    as_user(client, users, "office")
    assert patch(client, url, {"title": "副局长"}, HTTP_IF_MATCH='"1"').status_code == 200

    response = patch(client, url, {"title": "局长"}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    cadres["county"].refresh_from_db()
    assert (cadres["county"].title, cadres["county"].version) == ("副局长", 2)
    assert patch(client, url, {"title": "局长", "version": 1}).status_code == 412
    assert patch(client, url, {"title": "局长"}, HTTP_IF_MATCH="seven").status_code == 412


@pytest.mark.parametrize("body", [{"status": "retired"}, {"rank": "general"}, {"name": ""}, {"division": "51"}])
def test_patch_bad_input_is_400_and_changes_nothing(client, users, cadres, body):
    url = reverse("api-cadre-detail", args=[cadres["county"].pk])

    response = patch(as_user(client, users, "office"), url, body)

    assert response.status_code == 400
    cadres["county"].refresh_from_db()
    assert (cadres["county"].version, cadres["county"].status, cadres["county"].name) == (1, "active", "李四")


def test_township_may_see_but_not_correct_its_cadres(client, users, cadres):
    as_user(client, users, "township")

    assert patch(client, reverse("api-cadre-detail", args=[cadres["local"].pk]), {"title": "x"}).status_code == 403
    assert patch(client, reverse("api-cadre-detail", args=[cadres["county"].pk]), {"title": "x"}).status_code == 404
    assert not Cadre.objects.filter(title="x").exists()


def test_cadre_put_and_delete_are_not_offered(client, users, cadres):
    url = reverse("api-cadre-detail", args=[cadres["local"].pk])
    as_user(client, users, "office")

    assert client.put(url, data="{}", content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_anonymous_is_401(client, cadres):
    assert client.get(CADRES).status_code == 401
    assert client.get(DEPARTMENTS).status_code == 401


# --- queries -------------------------------------------------------------------------------------------------


def _same_queries_for_page_sizes(client, url, django_assert_num_queries, rows):
    with CaptureQueriesContext(connection) as one:
        first = client.get(url, {"page_size": 1})
    assert first.status_code == 200
    assert first.json()["count"] == rows
    with django_assert_num_queries(len(one)):
        full = client.get(url, {"page_size": 200})
    assert len(full.json()["results"]) == rows
    return len(one)


@pytest.mark.parametrize("rows", [5, 30])
@pytest.mark.parametrize("role", ["office", "township"])
def test_cadre_list_queries_do_not_grow_with_the_page(client, users, django_assert_num_queries, rows, role):
    for n in range(rows):
        cadre = CadreFactory(rank=Rank.VILLAGE_CADRE, division=village(), department=None, phone="13812345678")
        PairingFactory(cadre=cadre, household__number=f"{n:04d}")
    as_user(client, users, role)

    queries = _same_queries_for_page_sizes(client, CADRES, django_assert_num_queries, rows)

    assert queries <= 4  # session, user, count, page


@pytest.mark.parametrize("rows", [5, 30])
def test_department_list_queries_do_not_grow_with_the_page(client, users, django_assert_num_queries, rows):
    for _ in range(rows):
        DepartmentFactory(division=county())
    as_user(client, users, "office")

    assert _same_queries_for_page_sizes(client, DEPARTMENTS, django_assert_num_queries, rows) <= 4


def test_department_staff_list_costs_one_query_more_for_its_scope(client, bureau, django_assert_num_queries):
    DepartmentSupportFactory(department=bureau, township=township())
    for _ in range(5):
        CadreFactory(rank=Rank.VILLAGE_CADRE, division=village(), department=None)
    client.force_login(UserFactory(username="dept", role=Role.DEPARTMENT, department=bureau))

    assert _same_queries_for_page_sizes(client, CADRES, django_assert_num_queries, 5) <= 5
