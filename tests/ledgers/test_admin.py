"""The ledger admin shows the whole history and changes rows only through the ledger services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cadres.models import Rank
from ledgers.models import Pairing
from tests.factories import CadreFactory, HouseholdFactory, PairingFactory

pytestmark = pytest.mark.django_db


def test_changelist_lists_active_and_ended_rows_with_a_filter(admin_client):
    active = PairingFactory(household__head_name="在册户")
    PairingFactory(household__head_name="已结束户", end_date=timezone.localdate(), end_reason="调动")
    url = reverse("admin:ledgers_pairing_changelist")

    everything = admin_client.get(url).content.decode()
    only_active = admin_client.get(url, {"state": "active"}).content.decode()

    assert "在册户" in everything and "已结束户" in everything
    assert "在册户" in only_active and "已结束户" not in only_active
    assert admin_client.get(reverse("admin:ledgers_pairing_change", args=[active.pk])).status_code == 200


def test_adding_a_pairing_goes_through_the_service_and_records_the_user(admin_client, admin_user):
    cadre, household = CadreFactory(), HouseholdFactory()

    response = admin_client.post(
        reverse("admin:ledgers_pairing_add"),
        {
            "cadre": cadre.pk,
            "household": household.pk,
            "is_primary": "on",
            "start_date": timezone.localdate().isoformat(),
            "start_reason": "首轮结对",
        },
    )

    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.created_by == admin_user and pairing.history.get().history_user == admin_user


@override_settings(PAIRING_LIMITS={"county_leader": 1, "section_level": 1, "ordinary": 1, "village_cadre": 1})
def test_a_refused_pairing_shows_the_services_message_and_writes_nothing(admin_client):
    full = PairingFactory(cadre__rank=Rank.ORDINARY, cadre__name="满额干部").cadre
    household = HouseholdFactory()

    response = admin_client.post(
        reverse("admin:ledgers_pairing_add"),
        {"cadre": full.pk, "household": household.pk, "is_primary": "on", "start_date": timezone.localdate()},
    )

    assert response.status_code == 200
    assert "满额干部" in response.content.decode()
    assert not household.pairings.exists()


def test_end_action_asks_for_a_reason_then_ends_rows_through_the_service(admin_client, admin_user):
    rows = PairingFactory.create_batch(2)
    url = reverse("admin:ledgers_pairing_changelist")
    selected = {"action": "end_selected", ACTION_CHECKBOX_NAME: [r.pk for r in rows]}

    confirmation = admin_client.post(url, selected)
    assert confirmation.status_code == 200 and "reason" in confirmation.content.decode()
    assert Pairing.objects.active().count() == 2

    admin_client.post(url, {**selected, "apply": "1", "reason": "干部调动", "end_date": timezone.localdate()})

    assert Pairing.objects.active().count() == 0
    assert set(Pairing.objects.values_list("end_reason", "ended_by")) == {("干部调动", admin_user.pk)}


def test_ledger_rows_cannot_be_deleted_or_reverted_from_history(admin_client):
    pairing = PairingFactory()
    history_id = pairing.history.get().history_id

    delete = admin_client.post(reverse("admin:ledgers_pairing_delete", args=[pairing.pk]), {"post": "yes"})
    revert = admin_client.post(
        reverse("admin:ledgers_pairing_simple_history", args=[pairing.pk, history_id]),
        {"cadre": CadreFactory().pk, "household": pairing.household_id, "start_date": pairing.start_date},
    )

    assert delete.status_code == 403 and revert.status_code == 403
    assert Pairing.objects.get().cadre_id == pairing.cadre_id
