"""Services check the actor's capability themselves (issue 11, item 4): a call from anywhere — the API, a page, the
admin, a command — by a role that may not is refused, changes nothing, and is logged once; ``actor=None`` (the
system) may."""

import pytest

from accounts.models import AccessEvent, AccessLog, Role
from accounts.permissions import Refused
from households.models import Household
from households.services import household_update
from ledgers.models import Pairing
from ledgers.services import pairing_end
from tests.factories import HouseholdFactory, PairingFactory, UserFactory, county


def refusals():
    return AccessLog.objects.filter(event=AccessEvent.ACCESS_DENIED)


@pytest.mark.parametrize("role", [Role.COUNTY_LEADER, Role.DEPARTMENT, Role.CADRE])
def test_a_registry_edit_by_a_role_without_the_capability_is_refused_and_logged_once(db, role):
    household = HouseholdFactory(aspirations="")
    actor = UserFactory(role=role, division=county())

    with pytest.raises(Refused):
        household_update(actor=actor, household=household, aspirations="修路")

    assert Household.objects.get(pk=household.pk).aspirations == ""
    (row,) = refusals()
    assert row.user == actor and row.detail["capability"] == "edit_registry"


@pytest.mark.parametrize("role", [Role.COUNTY_LEADER, Role.DEPARTMENT, Role.CADRE])
def test_ending_a_pairing_needs_the_pairing_capability(db, role):
    pairing = PairingFactory()

    with pytest.raises(Refused):
        pairing_end(actor=UserFactory(role=role, division=county()), pairing=pairing, reason="调整")

    assert Pairing.objects.get(pk=pairing.pk).end_date is None
    assert refusals().count() == 1


def test_the_system_and_a_role_with_the_capability_may(db):
    household = HouseholdFactory()

    household_update(actor=None, household=household, aspirations="修路")
    household_update(actor=UserFactory(role=Role.TOWNSHIP, division=county()), household=household, difficulties="路远")

    household.refresh_from_db()
    assert (household.aspirations, household.difficulties) == ("修路", "路远")
    assert not refusals().exists()
