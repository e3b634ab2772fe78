"""Revealing a member's full ID number: county office and township staff only, each reveal on record."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from accounts import audit
from accounts.models import AccessEvent, AccessLog, AccessOutcome, Role
from households.models import Member
from households.services import member_id_number_reveal
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    county,
    township,
    valid_id_number,
    village,
)

pytestmark = pytest.mark.django_db

MAY_REVEAL = [Role.COUNTY_OFFICE, Role.TOWNSHIP]
MAY_NOT_REVEAL = [Role.COUNTY_LEADER, Role.DEPARTMENT, Role.CADRE]


@pytest.fixture
def number() -> str:
    return valid_id_number()


@pytest.fixture
def member(number) -> Member:
    """A member of a household in township A, paired with a cadre; the department of that cadre supports A."""
    return MemberFactory(household__village=village("513224101201"), name="泽让", id_number=number)


def user_with(role: str, member: Member, **extra):
    """A user of ``role`` whose scope holds ``member``."""
    if role in {Role.COUNTY_OFFICE, Role.COUNTY_LEADER}:
        return UserFactory(username=role, role=role, division=county(), **extra)
    if role == Role.TOWNSHIP:
        return UserFactory(username=role, role=role, division=township("513224101"), **extra)
    if role == Role.DEPARTMENT:
        support = DepartmentSupportFactory(department=DepartmentFactory(name="县民政局"), township=township())
        return UserFactory(username=role, role=role, department=support.department, **extra)
    user = UserFactory(username=role, role=role, **extra)
    PairingFactory(household=member.household, cadre=CadreFactory(user=user))
    return user


def reveal_request(user, member: Member):
    request = RequestFactory().post(
        f"/households/members/{member.pk}/reveal/", REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="pytest-browser"
    )
    request.user = user
    return request


def every_column(row: AccessLog) -> list[str]:
    """Each column of the row as text, the JSON detail serialised."""
    values = []
    for column in AccessLog._meta.concrete_fields:
        value = getattr(row, column.attname)
        values.append(json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value))
    return values


@pytest.mark.parametrize("role", MAY_REVEAL)
def test_office_and_township_staff_see_the_full_number_and_the_reveal_is_logged(member, number, role):
    # given a user allowed to reveal, with the member in scope
    user = user_with(role, member)

    # when they reveal the member's number
    revealed = member_id_number_reveal(actor=user, member=member, request=reveal_request(user, member))

    # then they get the number that was stored
    assert revealed == number

    # and one reveal row names who, whose and from where
    row = AccessLog.objects.get()
    assert (row.event, row.outcome) == (AccessEvent.REVEAL, AccessOutcome.OK)
    assert (row.user_id, row.username, row.role) == (user.pk, user.username, role)
    assert (row.object_type, row.object_id) == ("households.member", str(member.pk))
    assert row.ip_address == "198.51.100.23"
    assert row.path == f"/households/members/{member.pk}/reveal/"
    assert row.at is not None

    # and no column holds the number, not even its first seventeen digits or the digits the mask hides
    for text in every_column(row):
        assert number not in text and number[:17] not in text and number[6:14] not in text


@pytest.mark.parametrize("role", MAY_REVEAL)
def test_each_reveal_is_one_more_row(member, number, role):
    user = user_with(role, member)

    for _ in range(3):
        assert member_id_number_reveal(actor=user, member=member) == number

    assert AccessLog.objects.filter(event=AccessEvent.REVEAL, user=user).count() == 3


@pytest.mark.parametrize("role", MAY_NOT_REVEAL)
def test_roles_that_may_not_reveal_are_refused_and_the_refusal_is_logged(member, number, role):
    # given a user of a role that may not reveal, with the member in its scope
    user = user_with(role, member)
    before = Member.objects.values().get(pk=member.pk)

    # when they try to reveal
    with pytest.raises(PermissionDenied):
        member_id_number_reveal(actor=user, member=member, request=reveal_request(user, member))

    # then the refusal is on record, no reveal is, and the member did not change
    row = AccessLog.objects.get()
    assert (row.event, row.outcome) == (AccessEvent.ACCESS_DENIED, AccessOutcome.DENIED)
    assert (row.user_id, row.role, row.object_id) == (user.pk, role, str(member.pk))
    assert row.ip_address == "198.51.100.23"
    assert not AccessLog.objects.filter(event=AccessEvent.REVEAL).exists()
    assert all(number not in text for text in every_column(row))
    assert Member.objects.values().get(pk=member.pk) == before


@pytest.mark.parametrize(
    "who",
    ["no role", "inactive office", "inactive township"],
)
def test_users_without_an_active_role_are_refused(member, who):
    role, active = {
        "no role": ("", True),
        "inactive office": (Role.COUNTY_OFFICE, False),
        "inactive township": (Role.TOWNSHIP, False),
    }[who]
    user = UserFactory(username="someone", role=role, division=county(), is_active=active)

    with pytest.raises(PermissionDenied):
        member_id_number_reveal(actor=user, member=member)

    assert list(AccessLog.objects.values_list("event", flat=True)) == [AccessEvent.ACCESS_DENIED]


@pytest.mark.parametrize("role", MAY_REVEAL)
def test_when_the_log_cannot_be_written_the_reveal_fails_and_gives_nothing(member, role, monkeypatch):
    # given an allowed user and an access log that cannot be written
    user = user_with(role, member)
    decrypted = []
    original = Member.reveal_id_number

    def spy(self):
        decrypted.append(self.pk)
        return original(self)

    def broken_create(**kwargs):
        raise RuntimeError("access log unavailable")

    monkeypatch.setattr(Member, "reveal_id_number", spy)
    monkeypatch.setattr(audit.AccessLog.objects, "create", broken_create)
    revealed = None

    # when they reveal
    with pytest.raises(RuntimeError, match="access log unavailable"):
        revealed = member_id_number_reveal(actor=user, member=member, request=reveal_request(user, member))

    # then the reveal fails: no number was returned, none was even decrypted, and nothing was logged
    assert revealed is None
    assert decrypted == []
    monkeypatch.undo()
    assert not AccessLog.objects.exists()


def test_a_member_without_an_id_number_reveals_an_empty_string_and_is_still_logged():
    member = MemberFactory(household__village=village("513224101201"), id_number="")
    user = UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county())

    assert member_id_number_reveal(actor=user, member=member) == ""

    assert AccessLog.objects.filter(event=AccessEvent.REVEAL, object_id=str(member.pk)).count() == 1


def test_a_number_the_configured_key_cannot_read_is_refused_with_503_logged_and_not_shown(client, settings):
    member = MemberFactory(household__village=village("513224101201"))
    client.force_login(UserFactory(username="office-key", role=Role.COUNTY_OFFICE, division=county()))
    settings.FIELD_ENCRYPTION_KEY = "d3JvbmctZmllbGQta2V5LWZvci10aGUtdGVzdHMtMDE="  # another 32-byte key

    page = client.post(reverse("households:member-reveal", args=[member.pk]))
    api = client.post(reverse("api-member-reveal", args=[member.pk]), content_type="application/json")

    assert (page.status_code, api.status_code) == (503, 503)
    assert "detail" in api.json()
    failed = AccessLog.objects.filter(event=AccessEvent.REVEAL, outcome=AccessOutcome.FAILED)
    assert failed.count() == 2 and not AccessLog.objects.filter(event=AccessEvent.REVEAL, outcome="ok").exists()
