"""The admin lists go through the caller's scope; only a role-less superuser (the technical administrator)
sees everything there."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog, Role
from tests.factories import HouseholdFactory, UserFactory, county, township, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def households():
    return (
        HouseholdFactory(village=village("513224101201"), head_name="本镇户"),
        HouseholdFactory(village=village("513224102201"), head_name="邻镇户"),
    )


def test_a_staff_account_with_a_township_role_sees_only_its_township_in_the_admin(client, households):
    staff = UserFactory(
        username="clerk", role=Role.TOWNSHIP, division=township("513224101"), is_staff=True, is_superuser=True
    )
    client.force_login(staff)

    listing = client.get(reverse("admin:households_household_changelist")).content.decode()
    foreign = client.get(reverse("admin:households_household_change", args=[households[1].pk]))

    assert "本镇户" in listing and "邻镇户" not in listing
    assert foreign.status_code == 302  # the admin's answer for an object it cannot find


def test_the_county_office_sees_the_county(client, households):
    office = UserFactory(
        username="office", role=Role.COUNTY_OFFICE, division=county(), is_staff=True, is_superuser=True
    )
    client.force_login(office)

    listing = client.get(reverse("admin:households_household_changelist")).content.decode()

    assert "本镇户" in listing and "邻镇户" in listing


def test_the_access_log_is_read_only_in_the_admin(admin_client):
    entry = AccessLog.objects.create(event="login", username="someone")

    assert admin_client.get(reverse("admin:accounts_accesslog_changelist")).status_code == 200
    assert (
        admin_client.post(reverse("admin:accounts_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk).exists()
