"""The household page, the ID-number reveal and the home page, through the test client, for every role.

Requests go out in the product's default language (Chinese): the assertions are on data (numbers, phones,
counts, names), not on interface words.
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import audit
from accounts.models import AccessEvent, AccessLog, AccessOutcome, Role, User
from households.models import Household, Member, Relation, Sex
from households.services import household_update, member_update
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
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

pytestmark = pytest.mark.django_db

MASKED_ID = re.compile(r"\d{6}\*{8}[\dX]{4}")
FULL_ID = re.compile(r"\b\d{17}[\dX]\b")
MASKED_PHONE = re.compile(r"1\d\d\*{4}\d{4}")

ROLES = ["leader", "office", "township", "department", "cadre"]
MAY_REVEAL = ["office", "township"]
MAY_NOT_REVEAL = ["leader", "department", "cadre"]
FULL_PHONES = ["office", "township", "cadre"]
MASKED_PHONES = ["leader", "department"]

# Households each role may not open: a sibling township for the township's staff, its supporting department and
# the cadre (plus an unpaired household next door for the cadre); a neighbouring county for the county's roles.
OUT_OF_SCOPE = {
    "leader": ["other_county"],
    "office": ["other_county"],
    "township": ["b", "other_county"],
    "department": ["b", "other_county"],
    "cadre": ["a1_unpaired", "b", "other_county"],
}

HOUSEHOLD_PHONE, HEAD_PHONE = "13812345678", "13987654321"


@dataclass
class World:
    households: dict[str, Household]
    members: dict[str, list[Member]]
    numbers: dict  # member pk -> the ID number given to the factory
    users: dict[str, User]


@pytest.fixture
def world() -> World:
    """County 513224: township A (villages A1, A2), township B (B1), a household in township 103; and one in the
    neighbouring county 513225. A cadre paired with two households of A; a department supporting A only."""
    the_county, town_a = county("513224"), township("513224101")
    supporting = DepartmentFactory(name="县农业农村局", division=the_county)
    DepartmentSupportFactory(department=supporting, township=town_a)
    DepartmentSupportFactory(department=DepartmentFactory(name="县教育局"), township=township("513224102"))

    households = {
        "a1": HouseholdFactory(village=village("513224101201"), head_name="泽让多吉", phone=HOUSEHOLD_PHONE),
        "a1_unpaired": HouseholdFactory(village=village("513224101201"), head_name="卓玛央宗"),
        "a2": HouseholdFactory(village=village("513224101202"), head_name="格桑旺姆"),
        "b": HouseholdFactory(village=village("513224102201"), head_name="措姆拉姆"),
        "elsewhere": HouseholdFactory(village=village("513224103201"), head_name="尼玛次仁"),
        "other_county": HouseholdFactory(village=village("513225101201"), head_name="邻县户主"),
    }
    numbers = {}
    members = {}
    for key, household in households.items():
        number = valid_id_number()
        phone = HEAD_PHONE if key == "a1" else ""
        head = MemberFactory(household=household, name=f"{household.head_name}本人", phone=phone, id_number=number)
        numbers[head.pk] = number
        members[key] = [head]
    head = members["a1"][0]
    spouse_number = valid_id_number(birth=head.birth_date, sex=Sex.FEMALE)
    spouse = MemberFactory(
        household=households["a1"], relation=Relation.SPOUSE, sex=Sex.FEMALE, name="拉姆", id_number=spouse_number
    )
    numbers[spouse.pk] = spouse_number
    members["a1"].append(spouse)

    paired = CadreFactory(name="扎西", department=supporting, division=town_a)
    PairingFactory(cadre=paired, household=households["a1"])
    PairingFactory(cadre=paired, household=households["a2"])
    PairingFactory(cadre=CadreFactory(name="王芳"), household=households["b"])

    users = {
        "leader": UserFactory(username="leader_li", role=Role.COUNTY_LEADER, division=the_county),
        "office": UserFactory(username="office_wang", role=Role.COUNTY_OFFICE, division=the_county),
        "township": UserFactory(username="clerk_zhang", role=Role.TOWNSHIP, division=town_a),
        "department": UserFactory(username="bureau_liu", role=Role.DEPARTMENT, department=supporting),
        "cadre": UserFactory(username="cadre_tashi", role=Role.CADRE),
        "no_role": UserFactory(username="newcomer", role="", division=town_a),
    }
    paired.user = users["cadre"]
    paired.save(update_fields=["user"])
    return World(households, members, numbers, users)


def detail_url(household_or_pk) -> str:
    return reverse("households:detail", args=[getattr(household_or_pk, "pk", household_or_pk)])


def reveal_url(member_or_pk) -> str:
    return reverse("households:member-reveal", args=[getattr(member_or_pk, "pk", member_or_pk)])


def signed_in(client, world: World, who: str):
    client.force_login(world.users[who])
    return client


def denied_rows():
    return AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED, outcome=AccessOutcome.DENIED)


def reveal_rows():
    return AccessLog.objects.filter(event=AccessEvent.REVEAL)


# --- the household page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_the_household_page_opens_in_scope_with_masked_id_numbers_only(client, world, who):
    # given a user whose scope holds household a1 (two members)
    household = world.households["a1"]

    # when they open its page
    response = signed_in(client, world, who).get(detail_url(household))

    # then they see it, each member's ID number masked and none in full
    body = response.content.decode()
    assert response.status_code == 200
    assert household.head_name in body
    assert sorted(MASKED_ID.findall(body)) == sorted(m.id_number_masked for m in world.members["a1"])
    assert FULL_ID.search(body) is None
    for number in world.numbers.values():
        assert number not in body
    assert not denied_rows().exists() and not reveal_rows().exists()


@pytest.mark.parametrize("who", ROLES)
def test_the_reveal_button_is_offered_only_to_roles_that_may_reveal(client, world, who):
    response = signed_in(client, world, who).get(detail_url(world.households["a1"]))

    body = response.content.decode()
    for member in world.members["a1"]:
        assert (reveal_url(member) in body) is (who in MAY_REVEAL)


@pytest.mark.parametrize("who", ROLES)
def test_a_household_out_of_scope_or_nonexistent_is_a_404_and_logged(client, world, who):
    # given households outside the user's scope and an id that points at nothing
    signed_in(client, world, who)
    hidden = [world.households[key] for key in OUT_OF_SCOPE[who]]
    asked = [str(h.pk) for h in hidden] + [str(uuid.uuid4())]

    # when the user asks for each
    responses = [client.get(detail_url(pk)) for pk in asked]

    # then each is a 404 that shows nothing of the household, and each refusal is on record
    assert [r.status_code for r in responses] == [404] * len(asked)
    for household, response in zip(hidden, responses, strict=False):
        body = response.content.decode()
        assert household.head_name not in body and household.village_id not in body
    rows = denied_rows().order_by("id")
    assert [row.object_id for row in rows] == asked
    assert {row.user_id for row in rows} == {world.users[who].pk}


def test_a_user_without_a_role_opens_no_household(client, world):
    signed_in(client, world, "no_role")

    statuses = {key: client.get(detail_url(h)).status_code for key, h in world.households.items()}

    assert set(statuses.values()) == {404}
    assert denied_rows().count() == len(world.households)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_sees_nothing(client, world):
    household = world.households["a1"]

    response = client.get(detail_url(household))

    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert household.head_name not in response.content.decode()


def test_a_deactivated_users_session_opens_nothing(client, world):
    # given township staff signed in, whose account is then disabled
    signed_in(client, world, "township")
    User.objects.filter(pk=world.users["township"].pk).update(is_active=False)

    # when the old session asks for a household of the township
    response = client.get(detail_url(world.households["a1"]))

    # then it is not shown
    assert response.status_code in {302, 404}
    assert world.households["a1"].head_name not in response.content.decode()


@pytest.mark.parametrize("path", ["/households/not-a-uuid/", "/households/members/not-a-uuid/reveal/"])
def test_a_tampered_malformed_id_in_the_url_is_refused_and_logged(client, world, path):
    signed_in(client, world, "township")

    response = client.post(path) if path.endswith("reveal/") else client.get(path)

    assert response.status_code == 404
    assert denied_rows().filter(object_id="not-a-uuid").count() == 1


def _page_queries(client, household) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(detail_url(household)).status_code == 200
    return len(queries.captured_queries)


def test_the_household_page_does_not_query_per_member(client, world):
    # given the page of a household with two members
    household = world.households["a1"]
    signed_in(client, world, "township")
    small = _page_queries(client, household)

    # when it has six more members
    for index in range(6):
        MemberFactory(household=household, relation=Relation.CHILD, name=f"子女{index}")

    # then the page costs the same number of queries
    assert _page_queries(client, household) == small


def test_the_household_page_does_not_query_per_edit(client, world):
    # given the page of a household edited once
    household = world.households["a1"]
    household_update(actor=world.users["office"], household=household, phone="13900000000")
    signed_in(client, world, "township")
    small = _page_queries(client, household)

    # when it has been edited a dozen times more
    for index in range(1, 13):
        household_update(actor=world.users["office"], household=household, phone=f"1390000{index:04d}")

    # then the page costs the same number of queries
    assert _page_queries(client, household) == small


@pytest.mark.parametrize("who", MASKED_PHONES)
def test_phones_are_masked_for_leaders_and_departments(client, world, who):
    response = signed_in(client, world, who).get(detail_url(world.households["a1"]))

    body = response.content.decode()
    assert set(MASKED_PHONE.findall(body)) == {"138****5678", "139****4321"}
    assert HOUSEHOLD_PHONE not in body and HEAD_PHONE not in body


@pytest.mark.parametrize("who", FULL_PHONES)
def test_phones_are_shown_in_full_to_township_office_and_cadre(client, world, who):
    response = signed_in(client, world, who).get(detail_url(world.households["a1"]))

    body = response.content.decode()
    assert HOUSEHOLD_PHONE in body and HEAD_PHONE in body
    assert MASKED_PHONE.search(body) is None


# --- revealing an ID number ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", MAY_REVEAL)
def test_office_and_township_see_the_full_number_after_a_reveal_never_cached_and_logged(client, world, who):
    # given a member of a household in scope
    head, spouse = world.members["a1"]

    # when the user reveals the head's number
    response = signed_in(client, world, who).post(reveal_url(head), REMOTE_ADDR="203.0.113.50")

    # then the page shows that number in full, and only that one
    body = response.content.decode()
    assert response.status_code == 200
    assert FULL_ID.findall(body) == [world.numbers[head.pk]]
    assert world.numbers[spouse.pk] not in body and spouse.id_number_masked in body
    # and the response may not be kept by any cache
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control or ("no-cache" in cache_control and "max-age=0" in cache_control)
    # and the reveal is on record, without the number
    row = reveal_rows().get()
    assert (row.user_id, row.object_id, row.ip_address) == (world.users[who].pk, str(head.pk), "203.0.113.50")
    assert world.numbers[head.pk] not in str(row.detail) and world.numbers[head.pk] not in row.path


@pytest.mark.parametrize("who", MAY_NOT_REVEAL)
def test_other_roles_are_refused_a_reveal_with_403_and_nothing_revealed(client, world, who):
    # given a member the user can see
    head = world.members["a1"][0]
    before = Member.objects.values().get(pk=head.pk)

    # when the user posts a reveal
    response = signed_in(client, world, who).post(reveal_url(head))

    # then it is refused, the number is nowhere in the answer, the refusal is logged and nothing else changed
    body = response.content.decode()
    assert response.status_code == 403
    assert world.numbers[head.pk] not in body and FULL_ID.search(body) is None
    row = denied_rows().get()
    assert (row.user_id, row.object_id) == (world.users[who].pk, str(head.pk))
    assert not reveal_rows().exists()
    assert Member.objects.values().get(pk=head.pk) == before


@pytest.mark.parametrize("who", ROLES)
def test_a_reveal_out_of_scope_or_of_nobody_is_a_404(client, world, who):
    # given a member of a household outside the scope, and a member id that points at nothing
    outsider = world.members[OUT_OF_SCOPE[who][0]][0]
    signed_in(client, world, who)

    # when the user posts reveals for them
    responses = [client.post(reveal_url(outsider)), client.post(reveal_url(uuid.uuid4()))]

    # then both are 404, nothing is revealed and both refusals are on record
    assert [r.status_code for r in responses] == [404, 404]
    assert all(world.numbers[outsider.pk] not in r.content.decode() for r in responses)
    assert not reveal_rows().exists()
    assert denied_rows().count() == 2


@pytest.mark.parametrize("who", ROLES)
def test_get_on_the_reveal_url_is_not_allowed(client, world, who):
    head = world.members["a1"][0]

    response = signed_in(client, world, who).get(reveal_url(head))

    assert response.status_code == 405
    assert world.numbers[head.pk] not in response.content.decode()
    assert not reveal_rows().exists()


def test_a_reveal_without_the_csrf_token_is_refused(world):
    # given an office user in a browser that sends no CSRF token
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["office"])
    head = world.members["a1"][0]

    # when a reveal is posted without the token, then it is refused and nothing is revealed
    refused = browser.post(reveal_url(head))
    assert refused.status_code == 403
    assert world.numbers[head.pk] not in refused.content.decode()
    assert not reveal_rows().exists()

    # and with the token of the household page's form it goes through
    page = browser.get(detail_url(world.households["a1"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    allowed = browser.post(reveal_url(head), {"csrfmiddlewaretoken": token})
    assert allowed.status_code == 200 and world.numbers[head.pk] in allowed.content.decode()
    assert reveal_rows().count() == 1


def test_an_anonymous_reveal_reveals_nothing(client, world):
    head = world.members["a1"][0]

    response = client.post(reveal_url(head))

    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not reveal_rows().exists()


def test_a_reveal_whose_log_cannot_be_written_fails_without_the_number(client, world, monkeypatch):
    # given an office user and an access log that cannot be written
    head = world.members["a1"][0]
    signed_in(client, world, "office")

    def broken_create(**kwargs):
        raise RuntimeError("access log unavailable")

    monkeypatch.setattr(audit.AccessLog.objects, "create", broken_create)
    client.raise_request_exception = False

    # when a reveal is posted
    response = client.post(reveal_url(head))

    # then the request fails and the number is not in the answer
    assert response.status_code == 500
    assert world.numbers[head.pk] not in response.content.decode()


# --- the edit history ---------------------------------------------------------------------------------------


@pytest.fixture
def edited(world):
    """Township staff changed the household's phone and the head's phone through the services."""
    clerk = world.users["township"]
    household_update(actor=clerk, household=world.households["a1"], phone="13900001111")
    member_update(actor=clerk, member=world.members["a1"][0], phone="13700002222")
    return world


def _phone_changes(response) -> set[tuple[str, str, str]]:
    return {
        (entry.who, change.old, change.new)
        for entry in response.context["history"]
        for change in entry.changes
        if change.old or change.new
    }


@pytest.mark.parametrize("who", FULL_PHONES)
def test_the_edit_history_lists_who_changed_what_from_what_to_what(client, edited, who):
    response = signed_in(client, edited, who).get(detail_url(edited.households["a1"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert _phone_changes(response) == {
        ("clerk_zhang", HOUSEHOLD_PHONE, "13900001111"),
        ("clerk_zhang", HEAD_PHONE, "13700002222"),
    }
    assert f"{HOUSEHOLD_PHONE} → 13900001111" in body
    assert f"{HEAD_PHONE} → 13700002222" in body
    assert "clerk_zhang" in body
    assert FULL_ID.search(body) is None


@pytest.mark.parametrize("who", MASKED_PHONES)
def test_the_edit_history_masks_phones_for_leaders_and_departments(client, edited, who):
    response = signed_in(client, edited, who).get(detail_url(edited.households["a1"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert _phone_changes(response) == {
        ("clerk_zhang", "138****5678", "139****1111"),
        ("clerk_zhang", "139****4321", "137****2222"),
    }
    assert "138****5678 → 139****1111" in body and "139****4321 → 137****2222" in body
    for phone in [HOUSEHOLD_PHONE, HEAD_PHONE, "13900001111", "13700002222"]:
        assert phone not in body
    assert FULL_ID.search(body) is None


@pytest.mark.parametrize("who", ROLES)
def test_an_id_number_change_shows_in_the_history_without_the_number(client, world, who):
    # given the township changed the spouse's ID number
    spouse = world.members["a1"][1]
    new_number = valid_id_number(birth=spouse.birth_date, sex=Sex.FEMALE)
    member_update(actor=world.users["township"], member=spouse, id_number=new_number)

    response = signed_in(client, world, who).get(detail_url(world.households["a1"]))

    body = response.content.decode()
    assert new_number not in body and world.numbers[spouse.pk] not in body
    assert FULL_ID.search(body) is None


def test_a_category_change_in_the_edit_history_names_who_made_it(client, world):
    # given township staff put the household in a category
    HouseholdCategoryFactory(code="low-income", name="低保户")
    household_update(actor=world.users["township"], household=world.households["a1"], categories=["low-income"])

    # when the office opens the household page
    response = signed_in(client, world, "office").get(detail_url(world.households["a1"]))

    # then the one entry with changes names who made it
    changed = [entry for entry in response.context["history"] if entry.changes]
    assert [entry.who for entry in changed] == ["clerk_zhang"]


def test_a_category_change_in_the_edit_history_shows_the_category_names(client, world):
    HouseholdCategoryFactory(code="low-income", name="低保户")
    household_update(actor=world.users["township"], household=world.households["a1"], categories=["low-income"])

    response = signed_in(client, world, "office").get(detail_url(world.households["a1"]))

    changes = [change for entry in response.context["history"] for change in entry.changes]
    assert [(change.old, change.new) for change in changes] == [("", "低保户")]
    assert "UUID(" not in response.content.decode()


def test_an_income_source_change_shows_in_the_edit_history(client, world):
    # given township staff recorded the household's herding income
    sources = [{"kind": "herding", "year": 2025, "annual_amount": 18000}]
    household_update(actor=world.users["township"], household=world.households["a1"], income_sources=sources)

    # when the office opens the household page
    response = signed_in(client, world, "office").get(detail_url(world.households["a1"]))

    # then the history shows who added it and the amount
    assert any(
        entry.who == "clerk_zhang" and any("18000" in change.new for change in entry.changes)
        for entry in response.context["history"]
    )


# --- the home page ------------------------------------------------------------------------------------------


# Inside each role's scope, with one more household in township B and one in the neighbouring county: households,
# paired households, households per child division, and the unpaired households listed (by head).
COUNTY_UNPAIRED = {"卓玛央宗", "尼玛次仁", "再一户"}
HOME = {
    "leader": (6, 3, [3, 2, 1], COUNTY_UNPAIRED),  # townships 101, 102, 103; not the neighbouring county
    "office": (6, 3, [3, 2, 1], COUNTY_UNPAIRED),
    "township": (3, 2, [2, 1], {"卓玛央宗"}),  # villages A1, A2
    "department": (3, 2, [2, 1], {"卓玛央宗"}),  # the township it supports
    "cadre": (2, 2, [], set()),  # its own two households
}


@pytest.mark.parametrize("who", ROLES)
def test_the_home_page_counts_coverage_only_inside_the_scope(client, world, who):
    # given the county, one more household in township B and one in the neighbouring county
    HouseholdFactory(village=village("513224102201"), head_name="再一户")
    HouseholdFactory(village=village("513225101201"), head_name="邻县再一户")
    households, paired, children, unpaired = HOME[who]

    # when a user opens the home page
    response = signed_in(client, world, who).get(reverse("home"))

    # then the figures count only what they may see, and list only unpaired households they may see
    assert response.status_code == 200
    coverage = response.context["coverage"]
    assert (coverage.households, coverage.paired, coverage.unpaired) == (households, paired, households - paired)
    assert [row.households for row in response.context["children"]] == children
    assert {household.head_name for household in coverage.first_unpaired} == unpaired
    body = response.content.decode()
    assert "邻县户主" not in body and "邻县再一户" not in body


def test_the_home_page_of_a_user_without_a_role_has_no_figures(client, world):
    response = signed_in(client, world, "no_role").get(reverse("home"))

    assert response.status_code == 200 and "coverage" not in response.context
    for household in world.households.values():
        assert household.head_name not in response.content.decode()


# --- the household list (issue 12) -------------------------------------------------------------------------

LIST_URL = "/households/"
# The households each role's list holds (the world's scopes, as the household page opens them).
LISTED = {
    "township": {"a1", "a1_unpaired", "a2"},
    "office": {"a1", "a1_unpaired", "a2", "b", "elsewhere"},
    "cadre": {"a1", "a2"},
    "leader": {"a1", "a1_unpaired", "a2", "b", "elsewhere"},
    "department": {"a1", "a1_unpaired", "a2"},
}


def listed(response, world: World) -> set[str]:
    """The world's households the page links to (by key)."""
    body = response.content.decode()
    return {key for key, household in world.households.items() if detail_url(household) in body}


def list_rows(response) -> list[str]:
    """The household ids of the page's rows, in order."""
    return [household.pk for household in response.context["page"].object_list]


@pytest.mark.parametrize("who", ["township", "office", "cadre", "leader", "department"])
def test_the_list_shows_exactly_the_households_of_the_scope(client, world, who):
    response = signed_in(client, world, who).get(LIST_URL)

    assert response.status_code == 200
    assert listed(response, world) == LISTED[who]
    assert response.context["page"].paginator.count == len(LISTED[who])
    body = response.content.decode()
    for key in set(world.households) - LISTED[who]:
        assert world.households[key].head_name not in body


def test_a_user_without_a_role_lists_no_household(client, world):
    response = signed_in(client, world, "no_role").get(LIST_URL)

    assert response.status_code == 200 and listed(response, world) == set()


def test_the_list_searches_the_heads_name_the_number_and_the_village(client, world):
    signed_in(client, world, "office")

    assert listed(client.get(LIST_URL, {"q": "格桑"}), world) == {"a2"}
    assert listed(client.get(LIST_URL, {"q": world.households["b"].number}), world) == {"b"}
    village_name = world.households["a2"].village.name
    assert listed(client.get(LIST_URL, {"q": village_name}), world) == {
        k for k in LISTED["office"] if world.households[k].village.name == village_name
    }


def test_the_list_finds_a_household_by_the_exact_id_number_of_a_member(client, world):
    # given the spouse of a1, whose number is stored only encrypted with its digest
    spouse = world.members["a1"][1]
    signed_in(client, world, "township")

    # when the full number is searched, then a1 is found; a part of it finds nothing
    assert listed(client.get(LIST_URL, {"q": world.numbers[spouse.pk]}), world) == {"a1"}
    assert listed(client.get(LIST_URL, {"q": world.numbers[spouse.pk][:10]}), world) == set()


def test_an_id_number_held_outside_the_scope_finds_nothing(client, world):
    outsider = world.members["b"][0]

    response = signed_in(client, world, "township").get(LIST_URL, {"q": world.numbers[outsider.pk]})

    assert listed(response, world) == set()
    assert world.households["b"].head_name not in response.content.decode()


def test_the_list_filters_by_village_category_risk_status_and_pairing(client, world):
    category = HouseholdCategoryFactory(code="low-income", name="低保户")
    world.households["a2"].categories.add(category)
    Household.objects.filter(pk=world.households["a1_unpaired"].pk).update(risk_level="high", status="moved")
    signed_in(client, world, "township")

    assert listed(client.get(LIST_URL, {"village": "513224101202"}), world) == {"a2"}
    assert listed(client.get(LIST_URL, {"category": "low-income"}), world) == {"a2"}
    assert listed(client.get(LIST_URL, {"risk_level": "high"}), world) == {"a1_unpaired"}
    assert listed(client.get(LIST_URL, {"status": "moved"}), world) == {"a1_unpaired"}
    assert listed(client.get(LIST_URL, {"paired": "yes"}), world) == {"a1", "a2"}
    assert listed(client.get(LIST_URL, {"paired": "no"}), world) == {"a1_unpaired"}


def test_the_village_filter_offers_only_villages_of_the_scope_and_ignores_others(client, world):
    signed_in(client, world, "township")

    response = client.get(LIST_URL)
    offered = {code for code, _label in response.context["form"].fields["village"].choices if code}
    assert offered == {"513224101201", "513224101202"}
    # a village outside the scope given by hand is not a filter: the list stays the scope's
    assert listed(client.get(LIST_URL, {"village": "513224102201"}), world) == LISTED["township"]


def test_the_list_sorts_by_number_head_name_village_and_update(client, world):
    signed_in(client, world, "office")
    mine = [world.households[k] for k in LISTED["office"]]
    world.households["b"].refresh_from_db()
    household_update(actor=world.users["office"], household=world.households["b"], address="新地址")

    assert list_rows(client.get(LIST_URL, {"sort": "number"})) == [
        h.pk for h in sorted(mine, key=lambda h: (h.number, h.village_id))
    ]
    assert list_rows(client.get(LIST_URL, {"sort": "head_name"})) == [
        h.pk for h in sorted(mine, key=lambda h: h.head_name)
    ]
    assert list_rows(client.get(LIST_URL)) == [h.pk for h in sorted(mine, key=lambda h: (h.village_id, h.number))]
    assert list_rows(client.get(LIST_URL, {"sort": "-updated"}))[0] == world.households["b"].pk


def test_the_list_is_paginated_by_50_with_the_total_and_keeps_the_filters(client, world):
    for index in range(55):
        HouseholdFactory(village=village("513224101202"), head_name=f"新户{index:02d}")
    signed_in(client, world, "township")

    first = client.get(LIST_URL, {"q": "新户"})
    second = client.get(LIST_URL, {"q": "新户", "page": 2})

    assert len(first.context["page"].object_list) == 50 and first.context["page"].paginator.count == 55
    assert len(second.context["page"].object_list) == 5
    assert set(list_rows(first)).isdisjoint(list_rows(second))
    assert "q=%E6%96%B0%E6%88%B7&amp;page=2" in first.content.decode()


def test_the_list_costs_the_same_queries_whatever_its_rows(client, world, django_assert_max_num_queries):
    # given the list of the three paired households the office sees
    signed_in(client, world, "office")
    query = {"paired": "yes", "sort": "head_name", "status": "active"}
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL, query).context["page"].paginator.count == 3

    # when thirty more paired households, each with a category, are in the scope
    for index in range(30):
        household = HouseholdFactory(village=village("513224101202"), head_name=f"多户{index}")
        PairingFactory(cadre=CadreFactory(name=f"干部{index}"), household=household)
        household.categories.add(HouseholdCategoryFactory())

    # then the page costs no more queries
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL, query)
    assert response.context["page"].paginator.count == 33


def test_bad_list_input_is_ignored_or_escaped_never_an_error(client, world):
    signed_in(client, world, "township")

    hostile = client.get(LIST_URL, {"q": "<script>alert(1)</script>"})
    too_long = client.get(LIST_URL, {"q": "户" * 500, "sort": "password", "paired": "maybe", "page": "abc"})
    unknown_category = client.get(LIST_URL, {"category": "no-such-category", "village": "x" * 40})

    assert hostile.status_code == too_long.status_code == unknown_category.status_code == 200
    assert "<script>alert(1)</script>" not in hostile.content.decode()
    assert "&lt;script&gt;" in hostile.content.decode()
    assert listed(too_long, world) == LISTED["township"]  # every wrong value ignored
    assert listed(unknown_category, world) == LISTED["township"]


def test_every_cell_of_the_list_carries_its_column_name_for_the_phone_layout(client, world):
    body = signed_in(client, world, "township").get(LIST_URL).content.decode()

    cells = re.findall(r"<td[^>]*>", body)
    assert cells and all("data-label=" in cell for cell in cells)
    assert 'class="households stack"' in body


def test_the_list_is_in_the_navigation_of_every_role(client, world):
    for who in ["township", "office", "cadre", "leader", "department"]:
        body = signed_in(client, world, who).get(detail_url(world.households["a1"])).content.decode()
        assert f'href="{LIST_URL}"' in body


# --- the household page: pairing and open cases ------------------------------------------------------------


def test_the_household_page_names_its_cadre_and_links_its_open_cases_only(client, world):
    from grievances.models import Case, CaseKind, CaseSource, CaseStatus

    household = world.households["a1"]
    cases = {
        status: Case.objects.create(
            reference=f"SP-2026-{index:06d}",
            kind=CaseKind.PROBLEM,
            category_id="roads_transport",
            source=CaseSource.VISIT,
            household=household,
            village=household.village,
            title=f"案件{status}",
            description="道路",
            status=status,
        )
        for index, status in enumerate([CaseStatus.SUBMITTED, CaseStatus.REJECTED], start=1)
    }

    body = signed_in(client, world, "township").get(detail_url(household)).content.decode()

    assert "扎西" in body
    assert reverse("grievances:detail", args=[cases[CaseStatus.SUBMITTED].pk]) in body
    assert reverse("grievances:detail", args=[cases[CaseStatus.REJECTED].pk]) not in body


# --- editing a household ------------------------------------------------------------------------------------

MAY_EDIT = ["office", "township"]
MAY_NOT_EDIT = ["leader", "department", "cadre"]


def edit_url(household) -> str:
    return reverse("households:edit", args=[household.pk])


def edit_data(household, **changes) -> dict:
    data = {
        "version": household.version,
        "head_name": household.head_name,
        "number": household.number,
        "address": household.address,
        "phone": household.phone,
        "risk_level": household.risk_level,
        "difficulties": household.difficulties,
        "aspirations": household.aspirations,
        "special_problems": household.special_problems,
        "categories": [c.code for c in household.categories.all()],
    }
    return {**data, **changes}


@pytest.mark.parametrize("who", MAY_EDIT)
def test_an_edit_is_saved_and_says_what_changed(client, world, who):
    household = world.households["a1"]
    HouseholdCategoryFactory(code="low-income", name="低保户")
    signed_in(client, world, who)
    assert client.get(edit_url(household)).status_code == 200

    response = client.post(
        edit_url(household), edit_data(household, address="新村3号", risk_level="high", categories=["low-income"])
    )

    assert response.status_code == 302 and response["Location"] == detail_url(household)
    household.refresh_from_db()
    assert (household.address, household.risk_level, household.version) == ("新村3号", "high", 2)
    assert [c.code for c in household.categories.all()] == ["low-income"]
    page = client.get(response["Location"]).content.decode()
    assert "新村3号" in page and household.number in page and 'class="messages"' in page


def test_a_stale_edit_saves_nothing_and_shows_both_values(client, world):
    # given a township user who opened the form at version 1, and an office user who saved an address since
    household = world.households["a1"]
    signed_in(client, world, "township")
    data = edit_data(household, address="我的地址")
    household_update(actor=world.users["office"], household=household, address="别人的地址")

    # when the township user saves
    response = client.post(edit_url(household), data)

    # then nothing of theirs is saved, the page says so, shows both values and keeps what they typed
    assert response.status_code == 409
    household.refresh_from_db()
    assert (household.address, household.version) == ("别人的地址", 2)
    body = response.content.decode()
    assert "别人的地址" in body and "我的地址" in body
    assert response.context["form"]["version"].value() == "2"


def test_an_edit_with_bad_input_shows_the_errors_and_saves_nothing(client, world):
    household = world.households["a1"]
    taken = world.households["a1_unpaired"].number
    signed_in(client, world, "township")

    bad_phone = client.post(edit_url(household), edit_data(household, phone="12abc", head_name=""))
    taken_number = client.post(edit_url(household), edit_data(household, number=taken))
    too_long = client.post(edit_url(household), edit_data(household, address="长" * 201))

    assert bad_phone.status_code == taken_number.status_code == too_long.status_code == 200
    assert "head_name" in bad_phone.context["form"].errors
    assert "number" in taken_number.context["form"].errors
    assert "address" in too_long.context["form"].errors
    assert 'value="12abc"' in bad_phone.content.decode()
    household.refresh_from_db()
    assert household.version == 1 and household.number != taken


def test_a_service_refusal_of_the_phone_is_shown_on_its_field(client, world):
    household = world.households["a1"]

    response = signed_in(client, world, "township").post(edit_url(household), edit_data(household, phone="12abc"))

    assert response.status_code == 200 and "phone" in response.context["form"].errors
    household.refresh_from_db()
    assert household.version == 1


@pytest.mark.parametrize("who", MAY_NOT_EDIT)
def test_roles_that_may_not_edit_the_registry_get_403_logged_and_nothing_saved(client, world, who):
    household = world.households["a1"]
    signed_in(client, world, who)

    responses = [client.get(edit_url(household)), client.post(edit_url(household), edit_data(household, address="x"))]

    assert [r.status_code for r in responses] == [403, 403]
    household.refresh_from_db()
    assert household.version == 1 and household.address != "x"
    assert denied_rows().filter(user=world.users[who]).count() == 2


@pytest.mark.parametrize("who", MAY_EDIT)
def test_editing_a_household_outside_the_scope_is_a_logged_404(client, world, who):
    outsider = world.households[OUT_OF_SCOPE[who][0]]
    signed_in(client, world, who)

    responses = [client.get(edit_url(outsider)), client.post(edit_url(outsider), edit_data(outsider, address="x"))]

    assert [r.status_code for r in responses] == [404, 404]
    outsider.refresh_from_db()
    assert outsider.version == 1
    assert denied_rows().filter(object_id=str(outsider.pk)).count() == 2


@pytest.mark.parametrize("who", ROLES)
def test_the_edit_link_is_offered_only_to_roles_that_may_edit(client, world, who):
    household = world.households["a1"]

    body = signed_in(client, world, who).get(detail_url(household)).content.decode()

    assert (edit_url(household) in body) is (who in MAY_EDIT)
