"""The household registry in the admin: readable and searchable, never showing a full ID number, never written."""

import pytest
from django.urls import reverse

from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory, valid_id_number, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_with_number():
    number = valid_id_number()
    member = MemberFactory(name="卓玛", id_number=number, household=HouseholdFactory(number="0031"))
    return member, number


def test_the_household_page_shows_members_with_masked_id_numbers_only(admin_client, member_with_number):
    member, number = member_with_number

    response = admin_client.get(reverse("admin:households_household_change", args=[member.household_id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "卓玛" in page
    assert member.id_number_masked in page
    assert number not in page
    assert member.id_number_encrypted not in page


def test_the_member_list_and_page_show_the_masked_id_number_only(admin_client, member_with_number):
    member, number = member_with_number

    listing = admin_client.get(reverse("admin:households_member_changelist")).content.decode()
    page = admin_client.get(reverse("admin:households_member_change", args=[member.pk])).content.decode()
    history = admin_client.get(reverse("admin:households_member_history", args=[member.pk])).content.decode()

    assert member.id_number_masked in listing
    assert member.id_number_masked in page
    for content in (listing, page, history):
        assert number not in content
        assert member.id_number_encrypted not in content


def test_a_member_is_found_by_the_exact_id_number_and_not_by_a_fragment(admin_client, member_with_number):
    member, number = member_with_number
    MemberFactory(name="拉姆")
    url = reverse("admin:households_member_changelist")

    exact = admin_client.get(url, {"q": f"{number[:6]} {number[6:].lower()}"})
    fragment = admin_client.get(url, {"q": number[-8:]})
    by_name = admin_client.get(url, {"q": "卓玛"})

    assert list(exact.context["cl"].result_list) == [member]
    assert list(fragment.context["cl"].result_list) == []
    assert list(by_name.context["cl"].result_list) == [member]


def test_households_are_found_by_a_township_code(admin_client):
    inside = HouseholdFactory(village=village("513224101201"))
    HouseholdFactory(village=village("513224102201"))

    response = admin_client.get(reverse("admin:households_household_changelist"), {"q": "513224101"})

    assert list(response.context["cl"].result_list) == [inside]


def test_the_admin_cannot_write_households_or_members(admin_client, member_with_number):
    # given a household and a member, each at version 1
    member, _number = member_with_number
    household = member.household

    # when a superuser posts changes, a deletion, an addition or a history revert
    responses = [
        admin_client.post(
            reverse("admin:households_household_change", args=[household.pk]),
            {"village": household.village_id, "number": "9999", "head_name": "改名", "risk_level": "high"},
        ),
        admin_client.post(reverse("admin:households_member_delete", args=[member.pk]), {"post": "yes"}),
        admin_client.post(reverse("admin:households_household_add"), {"number": "1", "head_name": "x"}),
        admin_client.post(
            reverse(
                "admin:households_household_simple_history",
                args=[household.pk, household.history.first().history_id],
            ),
            {"village": household.village_id, "number": "8888", "head_name": "回滚", "risk_level": "none"},
        ),
    ]

    # then every one is refused and nothing changed
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    household.refresh_from_db()
    assert (household.number, household.head_name, household.version) == ("0031", household.head_name, 1)
    assert Household.objects.count() == 1
    assert Member.objects.filter(pk=member.pk).exists()


def test_lists_filters_and_old_versions_can_be_read(admin_client, member_with_number):
    member, number = member_with_number
    household = member.household
    record = member.history.first()

    pages = [
        admin_client.get(reverse("admin:households_household_changelist"), {"status__exact": "active"}),
        admin_client.get(reverse("admin:households_household_history", args=[household.pk])),
        admin_client.get(reverse("admin:households_member_simple_history", args=[member.pk, record.history_id])),
        admin_client.get(reverse("admin:households_incomesource_changelist")),
        admin_client.get(reverse("admin:households_householdcategory_changelist")),
    ]

    assert [page.status_code for page in pages] == [200] * len(pages)
    assert number not in pages[2].content.decode()
