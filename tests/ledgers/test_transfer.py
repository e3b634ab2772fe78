import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cadres.models import CadreStatus, Rank
from ledgers.models import LeaderAssignment, Pairing, VillageAssistance
from ledgers.services import cadre_transfer
from tests.factories import (
    CadreFactory,
    LeaderAssignmentFactory,
    PairingFactory,
    VillageAssistanceFactory,
)

pytestmark = pytest.mark.django_db


def test_transfer_ends_every_active_row_and_lists_the_uncovered_households():
    cadre = CadreFactory(rank=Rank.COUNTY_LEADER)
    carried = [PairingFactory(cadre=cadre) for _ in range(3)]
    secondary = PairingFactory(cadre=cadre, is_primary=False)  # the household keeps its own primary cadre
    LeaderAssignmentFactory(cadre=cadre)
    VillageAssistanceFactory(cadre=cadre)
    untouched = PairingFactory()

    result = cadre_transfer(actor=None, cadre=cadre, reason="调任州委组织部")

    assert result.cadre.status == CadreStatus.TRANSFERRED
    assert (result.ended_pairings, result.ended_leader_assignments, result.ended_village_assistance) == (4, 1, 1)
    assert {h.pk for h in result.uncovered_households} == {p.household_id for p in carried}
    assert secondary.household not in result.uncovered_households
    for model in (Pairing, LeaderAssignment, VillageAssistance):
        assert not model.objects.active().filter(cadre=cadre).exists()
    assert Pairing.objects.filter(cadre=cadre, end_date=timezone.localdate(), end_reason="调任州委组织部").count() == 4
    assert Pairing.objects.get(pk=untouched.pk).is_active


def test_transfer_writes_history_rows_for_ended_pairings():
    cadre = CadreFactory()
    pairing = PairingFactory(cadre=cadre)

    cadre_transfer(actor=None, cadre=cadre, reason="退休", status=CadreStatus.RETIRED)

    assert pairing.history.count() == 2
    assert pairing.history.first().end_reason == "退休"


def test_a_transferred_cadre_cannot_be_transferred_again_and_nothing_changes():
    cadre = CadreFactory(status=CadreStatus.TRANSFERRED)

    with pytest.raises(ValidationError, match="already"):
        cadre_transfer(actor=None, cadre=cadre, reason="again")


def test_transfer_needs_a_reason():
    cadre = CadreFactory()
    PairingFactory(cadre=cadre)

    with pytest.raises(ValidationError):
        cadre_transfer(actor=None, cadre=cadre, reason="")

    cadre.refresh_from_db()
    assert cadre.status == CadreStatus.ACTIVE
    assert Pairing.objects.active().filter(cadre=cadre).count() == 1


def test_transfer_command_prints_uncovered_households(capsys):
    cadre = CadreFactory(name="王刚")
    pairing = PairingFactory(cadre=cadre, household__head_name="卓玛")

    call_command("transfer_cadre", str(cadre.pk), "--reason", "调动")

    out = capsys.readouterr().out
    assert "1 households are now uncovered" in out and "卓玛" in out
    assert not Pairing.objects.get(pk=pairing.pk).is_active


def test_transfer_command_names_an_unknown_cadre():
    with pytest.raises(CommandError, match="No cadre with id '999999'"):
        call_command("transfer_cadre", "999999", "--reason", "调动")
