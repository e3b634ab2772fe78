"""The division endpoints: reference data every role reads, filtered by level, parent and code prefix."""

import pytest
from django.urls import reverse

from accounts.models import Role
from divisions.models import KeyVillageCategory, KeyVillageDesignation
from tests.factories import UserFactory, township, village

LIST = reverse("api-division-list")


@pytest.fixture
def tree(db):
    for code in ("513224101201", "513224101202", "513224102201", "513225101201"):
        village(code)
    KeyVillageDesignation.objects.create(
        village_id="513224101201", category=KeyVillageCategory.FORMERLY_POOR, year=2025
    )
    KeyVillageDesignation.objects.create(village_id="513224101201", category=KeyVillageCategory.WEAK_AND_LAX, year=2026)


@pytest.fixture
def api(client, tree):
    client.force_login(UserFactory(role=Role.TOWNSHIP, division=township("513224101")))
    return client


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_gets_401(client, tree):
    assert client.get(LIST).status_code == 401


def test_user_without_role_sees_no_division(client, tree):
    client.force_login(UserFactory(role=""))

    assert client.get(LIST).json()["count"] == 0
    assert client.get(reverse("api-division-detail", args=["513224"])).status_code == 404


@pytest.mark.parametrize("role", [Role.CADRE, Role.DEPARTMENT, Role.COUNTY_LEADER])
def test_every_role_reads_the_whole_tree(client, tree, role):
    client.force_login(UserFactory(role=role, division=None))

    response = client.get(LIST, {"within": "513225"})

    assert codes(response) == ["513225", "513225101", "513225101201"]


def test_detail_fields_and_key_categories(api):
    response = api.get(reverse("api-division-detail", args=["513224101201"]))

    assert response.status_code == 200
    assert response.json() == {
        "code": "513224101201",
        "name": "区划513224101201",
        "level": "village",
        "parent": "513224101",
        "key_categories": [
            {"category": "weak_and_lax", "year": 2026},
            {"category": "formerly_poor", "year": 2025},
        ],
    }


def test_top_of_the_tree_has_no_parent(api):
    assert api.get(reverse("api-division-detail", args=["51"])).json()["parent"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "township"}, ["513224101", "513224102", "513225101"]),
        ({"parent": "513224101"}, ["513224101201", "513224101202"]),
        ({"within": "513224102"}, ["513224102", "513224102201"]),
        ({"level": "village", "within": "513224"}, ["513224101201", "513224101202", "513224102201"]),
        ({"q": "513224102201"}, ["513224102201"]),
        (
            {"level": "village", "ordering": "-code", "within": "5132241"},
            ["513224102201", "513224101202", "513224101201"],
        ),
    ],
)
def test_filters(api, params, expected):
    assert codes(api.get(LIST, params)) == expected


@pytest.mark.parametrize(
    "params",
    [{"level": "hamlet"}, {"within": "5"}, {"within": "abc"}, {"parent": "x" * 300}, {"within": "1" * 13}],
)
def test_bad_filters_answer_400(api, params):
    response = api.get(LIST, params)

    assert response.status_code == 400
    assert set(response.json()) <= {"level", "within", "parent"}


@pytest.mark.parametrize("code", ["999999", "abc", "5" * 40])
def test_unknown_code_is_404(api, code):
    assert api.get(reverse("api-division-detail", args=[code])).status_code == 404


def test_page_past_the_end_is_404_with_detail(api):
    response = api.get(LIST, {"page": 99})

    assert response.status_code == 404
    assert "detail" in response.json()


def test_writes_are_not_offered(api):
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(LIST, data="{}", content_type="application/json").status_code == 405


def test_query_count_does_not_depend_on_page_size(api, django_assert_num_queries):
    for n in range(30):
        KeyVillageDesignation.objects.create(
            village=village(f"513224103{n + 201:03d}"), category=KeyVillageCategory.REVITALISATION_KEY, year=2026
        )
    # session, user, count, page, key categories
    with django_assert_num_queries(5):
        assert len(codes(api.get(LIST, {"page_size": 1}))) == 1
    with django_assert_num_queries(5):
        assert len(codes(api.get(LIST, {"page_size": 200}))) > 30
