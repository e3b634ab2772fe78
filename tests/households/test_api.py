"""The household, member, reveal and coverage endpoints: roles, scope, filters, safe updates and bad input."""

import json
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AccessEvent, AccessLog, Role
from households.models import Household, HouseholdStatus, Member
from tests.factories import (
    CadreFactory,
    HouseholdCategoryFactory,
    HouseholdFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    county,
    township,
    valid_id_number,
    village,
)

HOUSEHOLDS = reverse("api-household-list")
MEMBERS = reverse("api-member-list")
COVERAGE = reverse("api-coverage")
FULL_ID_NUMBER = re.compile(r"(?<![\d*])\d{17}[\dX](?![\d*])")
PASSWORD = "correct-horse-battery"  # noqa: S105 - the factories' test password


def household_url(household) -> str:
    return reverse("api-household-detail", args=[household.pk])


def member_url(member) -> str:
    return reverse("api-member-detail", args=[member.pk])


def send(client, method: str, url: str, body=None, **headers):
    data = json.dumps(body) if body is not None and not isinstance(body, str) else body
    return getattr(client, method)(url, data=data, content_type="application/json", headers=headers or None)


@pytest.fixture
def places(db):
    """One household in 513224101 (here), one in the sibling township, one in another county, each with a member."""
    here = HouseholdFactory(village=village("513224101201"), head_name="本乡户", phone="13800001111")
    sibling = HouseholdFactory(village=village("513224102201"), head_name="邻乡户", phone="13800002222")
    elsewhere = HouseholdFactory(village=village("513225101201"), head_name="外县户", phone="13800003333")
    for household in (here, sibling, elsewhere):
        MemberFactory(household=household, name=f"{household.head_name}户主")
    return {"here": here, "sibling": sibling, "elsewhere": elsewhere}


@pytest.fixture
def users(db):
    return {
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101")),
        "office": UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()),
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county()),
        "cadre": UserFactory(username="cadre", role=Role.CADRE),
        "no_role": UserFactory(username="nobody", role=""),
    }


@pytest.fixture
def township_client(client, users):
    client.force_login(users["township"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are asserted in English
    return client


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# -- reading -----------------------------------------------------------------------------------------------------


def test_anonymous_gets_401(client, places):
    for url in (HOUSEHOLDS, MEMBERS, COVERAGE, household_url(places["here"])):
        assert client.get(url).status_code == 401


def test_token_authentication_reads_the_list(client, places, users):
    token = client.post(
        reverse("api-auth-token"), {"username": "township", "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    client.logout()

    response = client.get(HOUSEHOLDS, headers={"Authorization": f"Token {token}"})

    assert ids(response) == {str(places["here"].pk)}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("township", {"here"}),
        ("office", {"here", "sibling"}),
        ("leader", {"here", "sibling"}),
        ("cadre", {"here"}),
        ("no_role", set()),
    ],
)
def test_lists_hold_only_the_scope(client, places, users, role, visible):
    PairingFactory(cadre=CadreFactory(user=users["cadre"]), household=places["here"])
    client.force_login(users[role])

    assert ids(client.get(HOUSEHOLDS)) == {str(places[p].pk) for p in visible}
    members = client.get(MEMBERS).json()["results"]
    assert {m["household"] for m in members} == {str(places[p].pk) for p in visible}
    for place in {"here", "sibling", "elsewhere"} - visible:
        assert client.get(household_url(places[place])).status_code == 404
        assert client.get(member_url(places[place].members.get())).status_code == 404


def test_out_of_scope_detail_is_404_and_logged(township_client, places):
    response = township_client.get(household_url(places["elsewhere"]))

    assert response.status_code == 404
    assert AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED, object_id=str(places["elsewhere"].pk)).exists()


def test_household_detail_fields(township_client, places):
    household = places["here"]
    category = HouseholdCategoryFactory(code="low-income")
    household.categories.add(category)
    household.income_sources.create(kind="farming", year=2025, annual_amount=12000, note="青稞")
    cadre = CadreFactory(name="结对干部", phone="13900001234")
    pairing = PairingFactory(cadre=cadre, household=household)

    response = township_client.get(household_url(household))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert set(body) >= {
        "id",
        "village",
        "number",
        "address",
        "head_name",
        "phone",
        "categories",
        "income_sources",
        "difficulties",
        "aspirations",
        "special_problems",
        "risk_level",
        "status",
        "version",
        "members",
        "active_pairing",
    }
    assert body["village"] == "513224101201"
    assert body["phone"] == "13800001111"
    assert body["categories"] == ["low-income"]
    assert body["income_sources"] == [{"kind": "farming", "year": 2025, "annual_amount": 12000, "note": "青稞"}]
    assert body["active_pairing"] == {
        "id": pairing.pk,
        "cadre": {"id": cadre.pk, "name": "结对干部", "phone": "13900001234"},
        "start_date": pairing.start_date.isoformat(),
    }
    member = household.members.get()
    assert body["members"] == [
        {
            "id": str(member.pk),
            "name": member.name,
            "relation": "head",
            "sex": "male",
            "birth_date": "1980-05-17",
            "id_number": member.id_number_masked,
        }
    ]


def test_leader_sees_phones_masked(client, places, users):
    client.force_login(users["leader"])

    body = client.get(household_url(places["here"])).json()

    assert body["phone"] == "138****1111"
    assert "13800001111" not in client.get(HOUSEHOLDS).content.decode()


def test_leader_cannot_search_by_full_phone(client, places, users):
    client.force_login(users["leader"])

    assert ids(client.get(HOUSEHOLDS, {"q": "13800001111"})) == set()


@pytest.mark.parametrize("url_of", [lambda p: HOUSEHOLDS, lambda p: MEMBERS, lambda p: household_url(p["here"])])
def test_id_numbers_never_unmasked_in_lists_and_details(township_client, places, url_of):
    body = township_client.get(url_of(places)).content.decode()

    assert not FULL_ID_NUMBER.search(body)
    assert places["here"].members.get().id_number_masked in body


def test_member_detail_is_masked(township_client, places):
    member = places["here"].members.get()

    response = township_client.get(member_url(member))

    assert response.status_code == 200
    assert response.json()["id_number"] == member.id_number_masked
    assert response["ETag"] == '"1"'
    assert not FULL_ID_NUMBER.search(response.content.decode())


# -- filters, search, ordering, pagination ---------------------------------------------------------------------


@pytest.fixture
def registry(db, users):
    """Four households in 513224101: two villages, categories, risk, status and a pairing."""
    v1, v2 = village("513224101201"), village("513224101202")
    low = HouseholdCategoryFactory(code="low-income")
    a = HouseholdFactory(village=v1, number="0002", head_name="扎西", risk_level="high", phone="13812345678")
    b = HouseholdFactory(village=v1, number="0001", head_name="卓玛", address="上寨3号")
    c = HouseholdFactory(village=v2, number="0003", head_name="王强", status=HouseholdStatus.MOVED)
    d = HouseholdFactory(village=v2, number="0004", head_name="李梅")
    a.categories.add(low)
    PairingFactory(household=b)
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"village": "513224101201"}, "ab"),
        ({"within": "513224101202"}, "cd"),
        ({"within": "513224"}, "abcd"),
        ({"category": "low-income"}, "a"),
        ({"category": "nothing"}, ""),
        ({"risk_level": "high"}, "a"),
        ({"status": "moved"}, "c"),
        ({"paired": "true"}, "b"),
        ({"paired": "false"}, "acd"),
        ({"q": "卓玛"}, "b"),
        ({"q": "上寨"}, "b"),
        ({"q": "0003"}, "c"),
        ({"q": "13812345678"}, "a"),
    ],
)
def test_household_filters(township_client, registry, params, expected):
    assert ids(township_client.get(HOUSEHOLDS, params)) == {str(registry[key].pk) for key in expected}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, "bacd"),
        ("number", "bacd"),
        ("-number", "dcab"),
        ("village", "bacd"),
        ("-village", "dcab"),
        ("head_name", None),
    ],
)
def test_household_ordering(township_client, registry, ordering, expected):
    response = township_client.get(HOUSEHOLDS, {"ordering": ordering} if ordering else {})
    order = [row["id"] for row in response.json()["results"]]
    if expected is None:
        names = [row["head_name"] for row in response.json()["results"]]
        assert names == sorted(names)
    else:
        assert order == [str(registry[key].pk) for key in expected]


def test_ordering_by_updated_at(township_client, registry):
    registry["c"].save()

    response = township_client.get(HOUSEHOLDS, {"ordering": "-updated_at"})

    assert response.json()["results"][0]["id"] == str(registry["c"].pk)


@pytest.mark.parametrize(
    "params",
    [
        {"within": "5"},
        {"within": "abc"},
        {"village": "x"},
        {"risk_level": "extreme"},
        {"status": "gone"},
        {"paired": "maybe"},
        {"category": "c" * 100},
        {"page_size": "abc", "page": "x"},
    ],
)
def test_bad_household_filters_are_400_or_ignored_never_500(township_client, registry, params):
    response = township_client.get(HOUSEHOLDS, params)

    assert response.status_code in (400, 404)
    assert isinstance(response.json(), dict)


def test_member_household_filter(township_client, places):
    here = places["here"]
    other = HouseholdFactory(village=here.village)
    MemberFactory(household=other)

    assert {m["household"] for m in township_client.get(MEMBERS, {"household": here.pk}).json()["results"]} == {
        str(here.pk)
    }
    assert township_client.get(MEMBERS, {"household": "not-a-uuid"}).status_code == 400
    assert township_client.get(MEMBERS, {"household": places["elsewhere"].pk}).json()["count"] == 0


def test_pagination(township_client, registry):
    first = township_client.get(HOUSEHOLDS, {"page_size": 3}).json()
    second = township_client.get(HOUSEHOLDS, {"page_size": 3, "page": 2}).json()

    assert first["count"] == 4
    assert len(first["results"]) == 3
    assert first["next"] and first["previous"] is None
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_page_past_the_end_is_404_with_detail(township_client, registry):
    for url in (HOUSEHOLDS, MEMBERS):
        response = township_client.get(url, {"page": 99})

        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


@pytest.fixture
def crowded(db, users):
    """Make ``n`` households in 513224101, each with two members, a category, an income source and a pairing."""

    def make(n: int) -> None:
        category = HouseholdCategoryFactory(code="five-guarantee")
        cadre = CadreFactory()
        for _ in range(n):
            household = HouseholdFactory(village=village("513224101203"))
            household.categories.add(category)
            household.income_sources.create(kind="herding", year=2025, annual_amount=5000)
            MemberFactory(household=household)
            MemberFactory(household=household, relation="child")
            PairingFactory(cadre=cadre, household=household)

    return make


# session, user, count, page, categories, income sources, members, pairings with their cadres
HOUSEHOLD_LIST_QUERIES = 8
# session, user, count, page
MEMBER_LIST_QUERIES = 4


@pytest.mark.parametrize("n", [5, 30])
def test_household_list_query_count_is_fixed(township_client, crowded, django_assert_num_queries, n):
    crowded(n)
    for page_size in (1, 200):
        with django_assert_num_queries(HOUSEHOLD_LIST_QUERIES):
            response = township_client.get(HOUSEHOLDS, {"page_size": page_size})
        assert len(response.json()["results"]) == min(page_size, n)


@pytest.mark.parametrize("n", [5, 30])
def test_member_list_query_count_is_fixed(township_client, crowded, django_assert_num_queries, n):
    crowded(n)
    for page_size in (1, 200):
        with django_assert_num_queries(MEMBER_LIST_QUERIES):
            response = township_client.get(MEMBERS, {"page_size": page_size})
        assert len(response.json()["results"]) == min(page_size, 2 * n)


def test_cadre_list_query_count_is_fixed(client, users, crowded, django_assert_num_queries):
    crowded(5)
    cadre = CadreFactory(user=users["cadre"])
    for household in Household.objects.all():
        PairingFactory(cadre=cadre, household=household, is_primary=False)
    client.force_login(users["cadre"])
    for page_size in (1, 200):
        with django_assert_num_queries(HOUSEHOLD_LIST_QUERIES + 1):  # + the cadre behind the account
            assert client.get(HOUSEHOLDS, {"page_size": page_size}).status_code == 200


# -- creating households -----------------------------------------------------------------------------------------


def new_household(**overrides) -> dict:
    return {"village": "513224101201", "number": "0100", "head_name": "新户主", **overrides}


def test_township_creates_a_household(township_client, places):
    HouseholdCategoryFactory(code="low-income")
    client_id = uuid.uuid4()
    body = new_household(
        id=str(client_id),
        phone="13811112222",
        categories=["low-income"],
        income_sources=[{"kind": "farming", "year": 2025, "annual_amount": 8000}],
        risk_level="medium",
    )

    response = send(township_client, "post", HOUSEHOLDS, body)

    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    data = response.json()
    assert data["id"] == str(client_id)
    assert data["categories"] == ["low-income"]
    assert data["income_sources"] == [{"kind": "farming", "year": 2025, "annual_amount": 8000, "note": ""}]
    assert data["active_pairing"] is None
    assert data["members"] == []
    assert Household.objects.get(pk=client_id).history.first().history_user.username == "township"


def test_replayed_create_returns_the_household_once(township_client, places):
    body = new_household(id=str(uuid.uuid4()))

    first = send(township_client, "post", HOUSEHOLDS, body)
    again = send(township_client, "post", HOUSEHOLDS, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    # by village and number: the factories number households 0001, 0002, ... in every village, so another
    # village may hold a 0100 too, depending on how many households earlier tests of the worker made
    assert Household.objects.filter(village_id=body["village"], number=body["number"]).count() == 1


@pytest.mark.parametrize("code", ["513224102201", "513225101201"])
def test_create_outside_the_scope_is_refused_on_village(township_client, places, code):
    village(code)
    before = Household.objects.count()

    response = send(township_client, "post", HOUSEHOLDS, new_household(village=code))

    assert response.status_code == 400
    assert "outside your area" in response.json()["village"][0]
    assert Household.objects.count() == before


@pytest.mark.parametrize("role", ["leader", "cadre", "no_role"])
def test_roles_that_may_not_edit_get_403_and_nothing_is_written(client, users, places, role):
    client.force_login(users[role])
    before = Household.objects.count()

    response = send(client, "post", HOUSEHOLDS, new_household())

    assert response.status_code == 403
    assert Household.objects.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_household(unknown="x"), "unknown"),
        (new_household(number=12), None),
        (new_household(number="1" * 21), "number"),
        (new_household(head_name="名" * 51), "head_name"),
        (new_household(difficulties="难" * 4001), "difficulties"),
        (new_household(village="abc"), "village"),
        (new_household(village="513224109999"), "village"),
        (new_household(village="513224101"), "village"),  # a township, not a village
        (new_household(id="not-a-uuid"), "id"),
        (new_household(categories="low-income"), "categories"),
        (new_household(categories=["nope"]), "categories"),
        (new_household(income_sources=[{"kind": "farming", "year": 1900, "annual_amount": 1}]), "income_sources"),
        (new_household(income_sources=[{"kind": "x", "year": 2025, "annual_amount": 1, "extra": 1}]), None),
        (new_household(income_sources={"kind": "farming"}), "income_sources"),
        (new_household(risk_level="extreme"), "risk_level"),
        (new_household(phone="12345"), "phone"),
        (new_household(head_name=None), "head_name"),
        (new_household(status="moved"), "status"),
        ({"number": "1"}, "village"),
        ([1, 2, 3], None),
        ("null", None),
    ],
)
def test_bad_household_input_is_400(township_client, places, body, field):
    before = Household.objects.count()

    response = send(township_client, "post", HOUSEHOLDS, body)

    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    if field:
        assert field in response.json()
    assert Household.objects.count() == before


def test_malformed_json_is_400_with_detail(township_client, places):
    response = send(township_client, "post", HOUSEHOLDS, '{"village": ')

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON: line 1, column 13."}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"village":\n  "513224101201",\n}', "The request body is not valid JSON: line 3, column 1."),
        (b'{"village": "\xff"}', "The request body is not valid JSON: it must be UTF-8 text."),
        (b'{"risk_level": NaN}', "The request body is not valid JSON."),
    ],
)
def test_malformed_json_says_where_and_changes_nothing(township_client, places, body, detail):
    before = Household.objects.count()

    response = township_client.post(HOUSEHOLDS, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert Household.objects.count() == before


def test_malformed_json_is_answered_in_the_requested_language(township_client, places):
    response = township_client.post(HOUSEHOLDS, "{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="bo")

    with translation.override("bo"):
        expected = translation.gettext("The request body is not valid JSON: line %(line)d, column %(column)d.")
    assert response.json() == {"detail": expected % {"line": 1, "column": 2}}


# -- changing households -----------------------------------------------------------------------------------------


def test_patch_bumps_version_and_etag(township_client, places):
    household = places["here"]

    response = send(township_client, "patch", household_url(household), {"head_name": "新名字"}, If_Match='"1"')

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    household.refresh_from_db()
    assert (household.head_name, household.version) == ("新名字", 2)


def test_put_replaces_the_household(township_client, places):
    household = places["here"]
    household.difficulties = "缺水"
    household.save()
    body = {"village": household.village_id, "number": household.number, "head_name": "换名", "version": 1}

    response = send(township_client, "put", household_url(household), body)

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    household.refresh_from_db()
    assert (household.head_name, household.difficulties, household.version) == ("换名", "", 2)


def test_put_without_required_fields_is_400(township_client, places):
    response = send(township_client, "put", household_url(places["here"]), {"head_name": "只有名字"})

    assert response.status_code == 400
    assert {"village", "number"} <= set(response.json())


@pytest.mark.parametrize("how", ["if_match", "body"])
def test_stale_version_is_412_and_nothing_changes(township_client, places, how):
    household = places["here"]
    send(township_client, "patch", household_url(household), {"head_name": "第一次"})
    body = {"head_name": "过期的修改"}
    headers = {"If_Match": '"1"'} if how == "if_match" else {}
    if how == "body":
        body["version"] = 1

    response = send(township_client, "patch", household_url(household), body, **headers)

    assert response.status_code == 412
    assert "detail" in response.json()
    household.refresh_from_db()
    assert (household.head_name, household.version) == ("第一次", 2)


def test_malformed_if_match_is_412(township_client, places):
    response = send(township_client, "patch", household_url(places["here"]), {"head_name": "x"}, If_Match="seven")

    assert response.status_code == 412


def test_status_change_needs_a_reason(township_client, places):
    household = places["here"]

    refused = send(township_client, "patch", household_url(household), {"status": "moved"})
    moved = send(township_client, "patch", household_url(household), {"status": "moved", "reason": "迁往县城"})

    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert moved.status_code == 200
    household.refresh_from_db()
    assert household.status == "moved"
    assert household.history.first().history_change_reason == "迁往县城"


def test_status_and_fields_change_together_atomically(township_client, places):
    household = places["here"]

    response = send(
        township_client,
        "patch",
        household_url(household),
        {"status": "dissolved", "reason": "户主去世", "phone": "bad"},
    )

    assert response.status_code == 400
    household.refresh_from_db()
    assert (household.status, household.version) == ("active", 1)


def test_moving_a_household_outside_the_scope_is_refused(township_client, places):
    household = places["here"]
    village("513224102202")

    response = send(township_client, "patch", household_url(household), {"village": "513224102202"})

    assert response.status_code == 400
    household.refresh_from_db()
    assert household.village_id == "513224101201"


@pytest.mark.parametrize("role", ["leader", "cadre"])
def test_visible_household_refused_to_readers(client, users, places, role):
    PairingFactory(cadre=CadreFactory(user=users["cadre"]), household=places["here"])
    client.force_login(users[role])

    response = send(client, "patch", household_url(places["here"]), {"head_name": "改名"})

    assert response.status_code == 403
    places["here"].refresh_from_db()
    assert places["here"].version == 1


def test_foreign_household_patch_is_404(township_client, places):
    response = send(township_client, "patch", household_url(places["sibling"]), {"head_name": "改名"})

    assert response.status_code == 404
    places["sibling"].refresh_from_db()
    assert places["sibling"].head_name == "邻乡户"


@pytest.mark.parametrize("pk", ["not-a-uuid", "1", "0b4c8f9e-5d1a-4f63-9a57-3c2e8d7b6a10"])
def test_invalid_or_unknown_ids_are_404(township_client, places, pk):
    assert township_client.get(reverse("api-household-detail", args=[pk])).status_code == 404
    assert township_client.get(reverse("api-member-detail", args=[pk])).status_code == 404


def test_household_delete_is_not_offered(township_client, places):
    assert township_client.delete(household_url(places["here"])).status_code == 405


# -- members -----------------------------------------------------------------------------------------------------


def test_member_create_masks_the_id_number(township_client, places):
    number = valid_id_number(birth=__import__("datetime").date(1990, 1, 2), sex="female")
    body = {"household": str(places["here"].pk), "name": "卓玛", "relation": "spouse", "id_number": number}

    response = send(township_client, "post", MEMBERS, body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["id_number"] == f"{number[:6]}********{number[-4:]}"
    assert (data["sex"], data["birth_date"]) == ("female", "1990-01-02")
    assert number not in response.content.decode()
    assert Member.objects.get(pk=data["id"]).reveal_id_number() == number


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "relation": "child", "sex": "male"}, "household"),
        ({"household": "not-a-uuid", "name": "x", "relation": "child", "sex": "male"}, "household"),
        ({"household": "HERE", "name": "x", "relation": "cousin", "sex": "male"}, "relation"),
        ({"household": "HERE", "name": "x", "relation": "child", "id_number": "123"}, "id_number"),
        ({"household": "HERE", "name": "x" * 51, "relation": "child", "sex": "male"}, "name"),
        ({"household": "HERE", "name": "x", "relation": "child", "sex": "male", "birth_date": "2020-13-01"}, None),
        ({"household": "HERE", "name": "x", "relation": "child", "sex": "male", "colour": "red"}, "colour"),
        ({"household": "HERE", "name": "x", "relation": "child"}, "sex"),
        ({"household": "HERE", "name": "x", "relation": "head", "sex": "male"}, "relation"),  # a second head
        ({"household": "ELSEWHERE", "name": "x", "relation": "child", "sex": "male"}, "household"),
    ],
)
def test_bad_member_input_is_400(township_client, places, body, field):
    body = {
        k: (str(places["here"].pk) if v == "HERE" else str(places["elsewhere"].pk) if v == "ELSEWHERE" else v)
        for k, v in body.items()
    }
    before = Member.objects.count()

    response = send(township_client, "post", MEMBERS, body)

    assert response.status_code == 400, response.content
    if field:
        assert field in response.json()
    assert Member.objects.count() == before


def test_member_patch_and_stale_version(township_client, places):
    member = places["here"].members.get()

    changed = send(township_client, "patch", member_url(member), {"health": "chronic"}, If_Match='"1"')
    stale = send(township_client, "patch", member_url(member), {"health": "serious"}, If_Match='"1"')

    assert (changed.status_code, changed["ETag"]) == (200, '"2"')
    assert stale.status_code == 412
    member.refresh_from_db()
    assert (member.health, member.version) == ("chronic", 2)


def test_member_cannot_move_household(township_client, places):
    member = places["here"].members.get()
    other = HouseholdFactory(village=places["here"].village)

    response = send(township_client, "patch", member_url(member), {"household": str(other.pk)})

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.household_id == places["here"].pk


def test_member_delete_needs_a_reason(township_client, places):
    child = MemberFactory(household=places["here"], relation="child")

    refused = township_client.delete(member_url(child))
    by_query = township_client.delete(member_url(child) + "?reason=迁出")

    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert by_query.status_code == 204
    assert not Member.objects.filter(pk=child.pk).exists()


def test_member_delete_with_a_json_reason(township_client, places):
    child = MemberFactory(household=places["here"], relation="child")

    response = send(township_client, "delete", member_url(child), {"reason": "重复登记"})

    assert response.status_code == 204
    assert Member.history.filter(id=child.pk, history_type="-").get().history_change_reason == "重复登记"


def test_member_delete_refused_to_leader_and_outside_scope(client, users, places):
    client.force_login(users["leader"])
    here = places["here"].members.get()
    elsewhere = places["elsewhere"].members.get()

    assert send(client, "delete", member_url(here), {"reason": "x"}).status_code == 403
    assert send(client, "delete", member_url(elsewhere), {"reason": "x"}).status_code == 404
    assert Member.objects.filter(pk__in=[here.pk, elsewhere.pk]).count() == 2


# -- reveal ------------------------------------------------------------------------------------------------------


def reveal_url(member) -> str:
    return reverse("api-member-reveal", args=[member.pk])


def test_reveal_returns_the_number_logged_and_uncached(township_client, places):
    member = places["here"].members.get()

    response = township_client.post(reveal_url(member))

    assert response.status_code == 200
    assert response.json() == {"id_number": member.reveal_id_number()}
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(event=AccessEvent.REVEAL, object_id=str(member.pk)).count() == 1


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("no_role", 404)])
def test_reveal_refused(client, users, places, role, status):
    client.force_login(users[role])
    member = places["here"].members.get()

    response = client.post(reveal_url(member))

    assert response.status_code == status
    assert not FULL_ID_NUMBER.search(response.content.decode())
    assert not AccessLog.objects.filter(event=AccessEvent.REVEAL).exists()


def test_reveal_outside_scope_is_404(township_client, places):
    assert township_client.post(reveal_url(places["sibling"].members.get())).status_code == 404
    assert township_client.get(reveal_url(places["here"].members.get())).status_code == 405


# -- coverage ----------------------------------------------------------------------------------------------------


def test_coverage_counts_inside_the_scope(township_client, places):
    PairingFactory(household=places["here"])
    unpaired = HouseholdFactory(village=places["here"].village, number="0999", head_name="未结对户")
    PairingFactory(household=places["sibling"])  # outside the township: not counted

    response = township_client.get(COVERAGE)

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("households", "paired", "unpaired")} == {"households": 2, "paired": 1, "unpaired": 1}
    assert body["coverage"] == 0.5
    assert body["unpaired_households"] == [
        {"id": str(unpaired.pk), "village": "513224101201", "number": "0999", "head_name": "未结对户"}
    ]


def test_coverage_within_a_division_and_outside_the_scope(client, users, places):
    client.force_login(users["office"])

    county_wide = client.get(COVERAGE).json()
    one_township = client.get(COVERAGE, {"within": "513224102"}).json()
    other_county = client.get(COVERAGE, {"within": "513225"}).json()

    assert county_wide["households"] == 2
    assert (one_township["households"], one_township["unpaired_households"][0]["head_name"]) == (1, "邻乡户")
    assert other_county["households"] == 0


@pytest.mark.parametrize("within", ["5", "abc", "1" * 13])
def test_coverage_bad_within_is_400(township_client, within):
    response = township_client.get(COVERAGE, {"within": within})

    assert response.status_code == 400
    assert "within" in response.json()


def test_coverage_of_a_user_without_role_is_empty(client, users, places):
    client.force_login(users["no_role"])

    body = client.get(COVERAGE).json()

    assert (body["households"], body["unpaired_households"]) == (0, [])


def test_replayed_member_create_returns_the_member_once(township_client, places):
    body = {"id": str(uuid.uuid4()), "household": str(places["here"].pk), "name": "次仁", "relation": "child"}
    body["sex"] = "male"

    first = send(township_client, "post", MEMBERS, body)
    again = send(township_client, "post", MEMBERS, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert Member.objects.filter(name="次仁").count() == 1


def test_put_with_a_different_id_is_400(township_client, places):
    household = places["here"]
    body = {"id": str(uuid.uuid4()), "village": household.village_id, "number": household.number, "head_name": "x"}

    response = send(township_client, "put", household_url(household), body)

    assert response.status_code == 400
    assert "id" in response.json()


# -- idempotent create by client UUID (PUT) ------------------------------------------------------------------------


def test_a_replayed_put_creates_one_household_and_then_changes_nothing(township_client, places):
    client_id = uuid.uuid4()
    url = f"/api/v1/households/{client_id}/"
    body = {"village": "513224101201", "number": "9001", "head_name": "离线登记户", "phone": "13800009001"}

    first = send(township_client, "put", url, body)
    replay = send(township_client, "put", url, body)

    assert (first.status_code, replay.status_code) == (201, 200)
    assert Household.objects.filter(pk=client_id).count() == 1
    assert first.json()["id"] == str(client_id) and replay.json()["version"] == 1
    assert replay["ETag"] == '"1"'


def test_a_put_create_outside_the_scope_writes_nothing(township_client, places):
    client_id = uuid.uuid4()

    response = send(
        township_client,
        "put",
        f"/api/v1/households/{client_id}/",
        {"village": "513224102201", "number": "9002", "head_name": "越界户"},
    )

    assert response.status_code == 400 and "village" in response.json()
    assert not Household.objects.filter(pk=client_id).exists()
