"""Duplicate ID numbers across scopes (audit finding 1): the refusal of a number registered outside the caller's
scope names, counts and hints at nothing there, is written to the access log as a probe (who, when, which
household was being edited, which member holds the number, never the number) and is listed on the county
office's conflicts page; inside the scope the household holding the number is named. Nothing is saved.
"""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AccessEvent, AccessLog, AccessOutcome, Role
from households.models import Member
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, county, township, valid_id_number, village

MEMBERS = reverse("api-member-list")
UNAVAILABLE = "This ID number cannot be used here; the county office has been notified."


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def world(db):
    here = HouseholdFactory(village=village("513224101201"), number="0001", head_name="本乡户")
    there = HouseholdFactory(village=village("513224102201"), number="0007", head_name="邻乡户")
    number = valid_id_number()
    holder = MemberFactory(household=there, name="邻乡户主", id_number=number)
    users = {
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101")),
        "office": UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()),
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county()),
        "other": UserFactory(username="other-township", role=Role.TOWNSHIP, division=township("513224103")),
    }
    return {"here": here, "there": there, "number": number, "holder": holder, "users": users}


def as_(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def probes():
    return list(AccessLog.objects.filter(event=AccessEvent.ID_NUMBER_CONFLICT))


def assert_hides_the_holder(response, world):
    assert response.status_code == 400, response.content
    assert response.json()["id_number"] == [UNAVAILABLE]
    body = response.content.decode()
    for hint in ("513224102201", "0007", "邻乡", world["holder"].id_number_masked, str(world["there"].pk)):
        assert hint not in body


def assert_one_probe_without_the_number(world, *, user, household, member=None):
    (probe,) = probes()
    assert (probe.user, probe.outcome) == (user, AccessOutcome.DENIED)
    assert (probe.object_type, probe.object_id) == ("households.household", str(household.pk))
    assert probe.detail["holder"] == str(world["holder"].pk)
    if member is not None:
        assert probe.detail["member"] == str(member.pk)
    row = json.dumps({field.attname: str(getattr(probe, field.attname)) for field in AccessLog._meta.fields})
    number = world["number"]
    assert number not in row and number[:17] not in row and number[-8:] not in row


def test_a_post_with_a_number_held_in_another_township_hides_the_household_and_is_logged(client, world):
    before = Member.objects.count()

    response = send(
        as_(client, world["users"]["township"]),
        "post",
        MEMBERS,
        {"household": str(world["here"].pk), "name": "次仁", "relation": "child", "id_number": world["number"]},
    )

    assert_hides_the_holder(response, world)
    assert Member.objects.count() == before
    assert_one_probe_without_the_number(world, user=world["users"]["township"], household=world["here"])


def test_a_patch_with_a_number_held_in_another_township_hides_the_household_and_is_logged(client, world):
    member = MemberFactory(household=world["here"], relation="child", name="卓玛")
    saved = Member.objects.values().get(pk=member.pk)

    response = send(
        as_(client, world["users"]["township"]),
        "patch",
        reverse("api-member-detail", args=[member.pk]),
        {"id_number": world["number"]},
    )

    assert_hides_the_holder(response, world)
    assert Member.objects.values().get(pk=member.pk) == saved
    assert_one_probe_without_the_number(world, user=world["users"]["township"], household=world["here"], member=member)


def test_inside_the_scope_the_household_is_named_and_nothing_is_logged(client, world):
    response = send(
        as_(client, world["users"]["office"]),
        "post",
        MEMBERS,
        {"household": str(world["here"].pk), "name": "次仁", "relation": "child", "id_number": world["number"]},
    )

    assert response.status_code == 400, response.content
    assert response.json()["id_number"] == [
        "This ID number is already registered for a member of household 513224102201-0007."
    ]
    assert probes() == []


def test_the_office_sees_the_probes_on_its_conflicts_page(client, world):
    send(
        as_(client, world["users"]["township"]),
        "post",
        MEMBERS,
        {"household": str(world["here"].pk), "name": "次仁", "relation": "child", "id_number": world["number"]},
    )

    response = as_(client, world["users"]["office"]).get(reverse("households:id-conflicts"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "township" in page  # who tried
    assert "513224101201-0001" in page and "513224102201-0007" in page  # the household edited, the holder's
    assert world["holder"].id_number_masked in page
    assert world["number"] not in page
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("who", ["township", "leader", "other"])
def test_the_conflicts_page_is_the_office_s_only(client, world, who):
    assert as_(client, world["users"][who]).get(reverse("households:id-conflicts")).status_code == 403


def test_the_conflicts_page_sends_anonymous_callers_to_sign_in(client, world):
    assert client.get(reverse("households:id-conflicts")).status_code == 302


def test_a_concurrent_duplicate_outside_the_scope_caught_by_the_database_is_hidden_and_logged(world, monkeypatch):
    # given a check that (as in a race) does not see the holder before the insert
    import households.services.members as services

    real_holder = services._id_number_holder
    calls = []

    def late_holder(digest, **kwargs):
        calls.append(digest)
        return None if len(calls) == 1 else real_holder(digest, **kwargs)

    monkeypatch.setattr(services, "_id_number_holder", late_holder)
    township_staff = world["users"]["township"]

    # when the unique index refuses the insert
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            actor=township_staff, household=world["here"], name="次仁", relation="child", id_number=world["number"]
        )

    # then the refusal says nothing of the holder, and the probe is logged
    assert [e.code for e in caught.value.error_dict["id_number"]] == ["id_number_unavailable"]
    assert_one_probe_without_the_number(world, user=township_staff, household=world["here"])
