"""The records toolkit (songpan/records.py): lock, check the version the caller edited, save the next version."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from households.models import Household
from songpan.errors import StaleVersionError
from songpan.records import copy_saved_fields, lock_for_update, save_new, save_next_version
from tests.factories import HouseholdFactory, UserFactory, village


def rename(household: Household, *, actor, expected_version: int | None, name: str) -> Household:
    """A service as a new app writes it with the toolkit."""
    with transaction.atomic():
        locked = lock_for_update(household, expected_version=expected_version, label=lambda h: f"Household {h.number}")
        locked.head_name = name
        save_next_version(locked, actor=actor, reason="renamed")
        return locked


def stored(household: Household) -> tuple:
    row = Household.objects.get(pk=household.pk)
    return row.version, row.head_name, row.history.count()


@pytest.mark.django_db
def test_the_next_version_is_saved_by_the_actor_with_the_reason():
    clerk = UserFactory(username="clerk")
    household = HouseholdFactory(head_name="Before")
    assert household.version == 1

    saved = rename(household, actor=clerk, expected_version=1, name="After")

    assert saved.version == 2
    assert stored(household)[:2] == (2, "After")
    latest = Household.objects.get(pk=household.pk).history.first()
    assert (latest.history_user, latest.history_change_reason, latest.version) == (clerk, "renamed", 2)


@pytest.mark.django_db
def test_a_stale_version_is_refused_and_nothing_is_saved():
    clerk = UserFactory(username="clerk")
    household = HouseholdFactory(head_name="Before", number="0042")
    rename(household, actor=clerk, expected_version=None, name="Someone else's change")  # now at version 2
    before = stored(household)

    # When a change is made from the copy read at version 1
    with pytest.raises(StaleVersionError) as refused:
        rename(household, actor=clerk, expected_version=1, name="Mine")

    # Then it is refused, naming the record and both versions, and nothing was written
    assert "Household 0042" in str(refused.value)
    assert (refused.value.expected, refused.value.current) == (1, 2)
    assert stored(household) == before == (2, "Someone else's change", 2)


@pytest.mark.django_db
def test_the_lock_reads_the_record_as_it_is_now():
    household = HouseholdFactory(head_name="Before")
    old_copy = Household.objects.get(pk=household.pk)
    rename(household, actor=None, expected_version=None, name="Now")

    with transaction.atomic():
        locked = lock_for_update(old_copy)

    assert (locked.version, locked.head_name) == (2, "Now")
    assert (old_copy.version, old_copy.head_name) == (1, "Before")
    copy_saved_fields(locked, old_copy)
    assert (old_copy.version, old_copy.head_name) == (2, "Now")


@pytest.mark.django_db
def test_update_fields_saves_those_and_the_version_only():
    household = HouseholdFactory(head_name="Before", address="Old road")
    with transaction.atomic():
        locked = lock_for_update(household)
        locked.head_name, locked.address = "After", "Not saved"
        save_next_version(locked, actor=None, update_fields=["head_name"])

    row = Household.objects.get(pk=household.pk)
    assert (row.version, row.head_name, row.address) == (2, "After", "Old road")


def number_taken() -> None:
    raise ValidationError({"number": "That number is taken."})


@pytest.mark.django_db
def test_a_constraint_refusing_the_save_becomes_the_clear_error_and_the_transaction_goes_on():
    place = village("513224101201")
    HouseholdFactory(village=place, number="0001")
    second = HouseholdFactory(village=place, number="0002")

    with transaction.atomic():
        locked = lock_for_update(second)
        locked.number = "0001"
        with pytest.raises(ValidationError, match="taken"):
            save_next_version(locked, actor=None, on_integrity_error=number_taken)
        # the savepoint was rolled back: the transaction is still usable
        assert Household.objects.get(pk=second.pk).number == "0002"

    duplicate = Household(village=place, number="0001", head_name="Twin")
    with pytest.raises(IntegrityError):
        save_new(duplicate, on_integrity_error=lambda: None)  # nothing to explain: the database's error goes on
    assert Household.objects.filter(number="0001").count() == 1


def test_no_service_bumps_a_version_by_hand():
    """Every version bump goes through ``save_next_version`` (issue 11): none written by hand elsewhere."""
    root = Path(__file__).resolve().parents[2]
    apps = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".") and path.name != "tests"]
    sources = (path for app in apps for path in app.rglob("*.py") if "migrations" not in path.parts)
    by_hand = [
        str(path.relative_to(root))
        for path in sources
        if re.search(r"\.version\s*(\+=|=\s*\w+\.version\s*\+)", path.read_text(encoding="utf-8"))
        and path != root / "songpan" / "records.py"
    ]
    assert by_hand == []
