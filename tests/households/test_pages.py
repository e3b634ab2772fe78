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
