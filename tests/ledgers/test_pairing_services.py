import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from cadres.models import CadreStatus, Rank
from households.models import HouseholdStatus
from ledgers.models import Pairing
from ledgers.services import pairing_create, pairing_end, pairing_repair
from tests.factories import CadreFactory, HouseholdFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pairing_records_who_when_and_why():
    office = UserFactory(username="office")
    cadre, household = CadreFactory(), HouseholdFactory()

    pairing = pairing_create(actor=office, cadre=cadre, household=household, reason="首轮结对")

    assert pairing.is_active and pairing.is_primary
    assert pairing.start_date == timezone.localdate()
    assert pairing.created_by == office and pairing.start_reason == "首轮结对"
    assert pairing.history.get().history_user == office


def test_second_active_primary_pairing_is_refused_with_the_current_cadres_name():
    first = PairingFactory(cadre__name="泽让")
    other = CadreFactory()

    with pytest.raises(ValidationError) as error:
        pairing_create(actor=None, cadre=other, household=first.household)

    assert "泽让" in str(error.value.message_dict["household"])
    assert Pairing.objects.filter(household=first.household).count() == 1


def test_database_refuses_a_second_active_primary_pairing_even_without_the_service():
    first = PairingFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cadre=CadreFactory(), household=first.household, start_date=first.start_date)


def test_database_allows_a_new_pairing_once_the_old_one_ended():
    old = PairingFactory(end_date=timezone.localdate(), end_reason="调动")

    Pairing.objects.create(cadre=CadreFactory(), household=old.household, start_date=timezone.localdate())

    assert Pairing.objects.active().filter(household=old.household).count() == 1


def test_a_secondary_pairing_may_sit_beside_the_primary_one():
    primary = PairingFactory()

    secondary = pairing_create(actor=None, cadre=CadreFactory(), household=primary.household, is_primary=False)

    assert Pairing.objects.active().filter(household=primary.household).count() == 2
    assert not secondary.is_primary


@override_settings(PAIRING_LIMITS={"county_leader": 1, "section_level": 2, "ordinary": 2, "village_cadre": 3})
def test_rank_limit_is_enforced_with_a_clear_message():
    cadre = CadreFactory(rank=Rank.ORDINARY, name="李明")
    PairingFactory.create_batch(2, cadre=cadre)
    household = HouseholdFactory()

    with pytest.raises(ValidationError) as error:
        pairing_create(actor=None, cadre=cadre, household=household)

    message = str(error.value.message_dict["cadre"])
    assert "李明" in message and "2" in message
    assert not household.pairings.exists()


@override_settings(PAIRING_LIMITS={"county_leader": 1, "section_level": 2, "ordinary": 2, "village_cadre": 3})
def test_secondary_pairings_do_not_count_against_the_limit():
    cadre = CadreFactory(rank=Rank.COUNTY_LEADER)
    PairingFactory(cadre=cadre)

    pairing_create(actor=None, cadre=cadre, household=PairingFactory().household, is_primary=False)

    assert Pairing.objects.active().filter(cadre=cadre).count() == 2


@pytest.mark.parametrize("status", [CadreStatus.TRANSFERRED, CadreStatus.RETIRED, CadreStatus.INACTIVE])
def test_a_cadre_who_left_cannot_be_paired(status):
    cadre = CadreFactory(status=status)
    household = HouseholdFactory()

    with pytest.raises(ValidationError, match="can no longer be paired"):
        pairing_create(actor=None, cadre=cadre, household=household)
    assert not Pairing.objects.exists()


def test_a_household_that_moved_away_cannot_be_paired():
    household = HouseholdFactory(status=HouseholdStatus.MOVED)

    with pytest.raises(ValidationError):
        pairing_create(actor=None, cadre=CadreFactory(), household=household)


def test_start_date_in_the_future_is_refused():
    with pytest.raises(ValidationError) as error:
        pairing_create(
            actor=None,
            cadre=CadreFactory(),
            household=HouseholdFactory(),
            start_date=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "start_date" in error.value.message_dict


def test_ending_keeps_the_row_with_date_reason_and_actor():
    office = UserFactory(username="office")
    pairing = PairingFactory()

    pairing_end(actor=office, pairing=pairing, reason="干部调动")

    pairing.refresh_from_db()
    assert pairing.end_date == timezone.localdate()
    assert pairing.end_reason == "干部调动" and pairing.ended_by == office
    assert Pairing.objects.count() == 1


def test_ending_needs_a_reason_and_cannot_happen_twice_or_before_the_start():
    pairing = PairingFactory()

    with pytest.raises(ValidationError, match="reason"):
        pairing_end(actor=None, pairing=pairing, reason="  ")
    with pytest.raises(ValidationError):
        pairing_end(actor=None, pairing=pairing, reason="x", end_date=pairing.start_date - dt.timedelta(days=1))
    pairing_end(actor=None, pairing=pairing, reason="x")
    with pytest.raises(ValidationError, match="already ended"):
        pairing_end(actor=None, pairing=pairing, reason="again")


def test_repair_ends_the_old_row_and_starts_the_new_one_on_the_same_day():
    old = PairingFactory()
    new_cadre = CadreFactory()

    new = pairing_repair(actor=None, household=old.household, cadre=new_cadre, reason="调整")

    old.refresh_from_db()
    assert old.end_date == new.start_date == timezone.localdate()
    assert new.cadre == new_cadre and new.is_active


@override_settings(PAIRING_LIMITS={"county_leader": 1, "section_level": 1, "ordinary": 1, "village_cadre": 1})
def test_repair_to_a_full_cadre_changes_nothing():
    old = PairingFactory()
    full = PairingFactory().cadre

    with pytest.raises(ValidationError):
        pairing_repair(actor=None, household=old.household, cadre=full, reason="调整")

    old.refresh_from_db()
    assert old.is_active
    assert Pairing.objects.count() == 2


def test_repair_of_an_unpaired_household_is_refused():
    with pytest.raises(ValidationError, match="no active pairing"):
        pairing_repair(actor=None, household=HouseholdFactory(), cadre=CadreFactory(), reason="x")
