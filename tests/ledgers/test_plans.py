"""Bulk re-pairing and re-pairing suggestions: previewed, then applied atomically."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings

from cadres.models import CadreStatus, Rank
from ledgers.models import Pairing
from ledgers.selectors import coverage_for_division
from ledgers.services import (
    cadre_transfer,
    pairing_bulk_repair_plan,
    pairing_create,
    pairing_plan_apply,
    pairing_suggestions,
)
from tests.factories import (
    CadreFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    PairingFactory,
    township,
    village,
)

pytestmark = pytest.mark.django_db
LIMITS = {"county_leader": 2, "section_level": 3, "ordinary": 3, "village_cadre": 4}


def active_cadre_of(household):
    return Pairing.objects.active().get(household=household, is_primary=True).cadre


@override_settings(PAIRING_LIMITS=LIMITS)
def test_bulk_repair_preview_writes_nothing_and_shows_loads_and_uncovered():
    v = village()
    leaving = CadreFactory(rank=Rank.VILLAGE_CADRE)
    households = [PairingFactory(cadre=leaving, household__village=v).household for _ in range(4)]
    a = CadreFactory(rank=Rank.ORDINARY)
    PairingFactory.create_batch(2, cadre=a)  # a carries 2 of 3: room for 1
    b = CadreFactory(rank=Rank.COUNTY_LEADER)  # b carries 0 of 2: room for 2

    plan = pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[a, b], village=v)

    assert len(plan.moves) == 4
    assert plan.loads_before == {leaving.pk: 4, a.pk: 2, b.pk: 0}
    assert plan.loads_after == {leaving.pk: 0, a.pk: 3, b.pk: 2}
    assert len(plan.placed) == 3 and len(plan.uncovered) == 1
    assert all(active_cadre_of(h) == leaving for h in households)  # nothing written


@override_settings(PAIRING_LIMITS=LIMITS)
def test_bulk_repair_apply_moves_everyone_atomically_and_balances_load():
    leaving = CadreFactory(rank=Rank.VILLAGE_CADRE)
    v = village()
    households = [PairingFactory(cadre=leaving, household__village=v).household for _ in range(4)]
    a, b = CadreFactory(rank=Rank.ORDINARY), CadreFactory(rank=Rank.ORDINARY)

    plan = pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[a, b], village=v)
    applied = pairing_plan_apply(actor=None, plan=plan, reason="调整结对")

    assert (applied.ended, applied.created) == (4, 4)
    assert sorted(active_cadre_of(h).pk for h in households) == sorted([a.pk, a.pk, b.pk, b.pk])
    assert Pairing.objects.filter(cadre=leaving, end_reason="调整结对").count() == 4


@override_settings(PAIRING_LIMITS=LIMITS)
def test_apply_refuses_to_leave_households_uncovered_unless_confirmed():
    leaving = CadreFactory(rank=Rank.VILLAGE_CADRE)
    v = village()
    for _ in range(4):
        PairingFactory(cadre=leaving, household__village=v)
    small = CadreFactory(rank=Rank.COUNTY_LEADER)
    plan = pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[small], village=v)

    with pytest.raises(ValidationError, match="uncovered"):
        pairing_plan_apply(actor=None, plan=plan, reason="调整")
    assert Pairing.objects.active().filter(cadre=leaving).count() == 4

    applied = pairing_plan_apply(actor=None, plan=plan, reason="调整", allow_uncovered=True)
    assert (applied.ended, applied.created, len(applied.uncovered)) == (4, 2, 2)
    assert coverage_for_division(v.code).unpaired == 2


@override_settings(PAIRING_LIMITS=LIMITS)
def test_apply_refuses_a_stale_plan_and_changes_nothing():
    leaving = CadreFactory()
    pairings = [PairingFactory(cadre=leaving) for _ in range(2)]
    target = CadreFactory()
    plan = pairing_bulk_repair_plan(
        from_cadre=leaving, to_cadres=[target], household_ids=[str(p.household_id) for p in pairings]
    )
    # someone else moves one household after the preview
    Pairing.objects.filter(pk=pairings[0].pk).update(end_date=pairings[0].start_date, end_reason="x")
    pairing_create(actor=None, cadre=CadreFactory(), household=pairings[0].household)

    with pytest.raises(ValidationError, match="Preview again"):
        pairing_plan_apply(actor=None, plan=plan, reason="调整")

    assert Pairing.objects.get(pk=pairings[1].pk).is_active
    assert not Pairing.objects.filter(cadre=target).exists()


def test_household_list_must_belong_to_the_cadre():
    leaving = CadreFactory()
    mine = PairingFactory(cadre=leaving).household
    not_mine = PairingFactory().household

    with pytest.raises(ValidationError, match=str(not_mine.pk)):
        pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[CadreFactory()], household_ids=[mine.pk, not_mine.pk])
    with pytest.raises(ValidationError, match="UUID"):
        pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[CadreFactory()], household_ids=["not-a-uuid"])


def test_targets_must_be_active_and_not_the_source():
    leaving = CadreFactory()
    PairingFactory(cadre=leaving)

    with pytest.raises(ValidationError, match="can no longer be paired"):
        pairing_bulk_repair_plan(
            from_cadre=leaving, to_cadres=[CadreFactory(status=CadreStatus.RETIRED)], village=village()
        )
    with pytest.raises(ValidationError):
        pairing_bulk_repair_plan(from_cadre=leaving, to_cadres=[leaving], village=village())


@override_settings(PAIRING_LIMITS=LIMITS)
def test_suggestions_prefer_the_same_village_then_township_then_supporting_departments():
    v1, v2 = village("513224101201"), village("513224101202")
    in_village = CadreFactory(rank=Rank.VILLAGE_CADRE, division=v1, department=None)
    in_township = CadreFactory(rank=Rank.ORDINARY, division=township("513224101"), department=None)
    support = DepartmentSupportFactory(township=township("513224101"))
    supporter = CadreFactory(rank=Rank.ORDINARY, department=support.department)
    h1 = HouseholdFactory(village=v1)
    h2 = HouseholdFactory(village=v2)

    plan = pairing_suggestions(division=township("513224101"))

    proposal = {m.household_id: m.to_cadre_id for m in plan.moves}
    assert proposal[h1.pk] == in_village.pk
    assert proposal[h2.pk] == in_township.pk
    assert supporter.pk not in proposal.values()
    assert not Pairing.objects.exists()  # a proposal only


@override_settings(PAIRING_LIMITS={"county_leader": 1, "section_level": 1, "ordinary": 2, "village_cadre": 2})
def test_suggestions_respect_limits_and_balance_load():
    v = village()
    busy = CadreFactory(rank=Rank.VILLAGE_CADRE, division=v, department=None)
    PairingFactory(cadre=busy, household__village=v)
    idle = CadreFactory(rank=Rank.VILLAGE_CADRE, division=v, department=None)
    unpaired = HouseholdFactory.create_batch(4, village=v)

    plan = pairing_suggestions(division=v)

    assigned = [m.to_cadre_id for m in plan.moves]
    assert assigned.count(idle.pk) == 2 and assigned.count(busy.pk) == 1
    assert len(plan.uncovered) == 1
    assert {m.household_id for m in plan.moves} == {h.pk for h in unpaired}


def test_accepting_suggestions_after_a_transfer_restores_coverage():
    v = village()
    leaving = CadreFactory(rank=Rank.VILLAGE_CADRE, division=v, department=None)
    CadreFactory(rank=Rank.VILLAGE_CADRE, division=v, department=None)
    for _ in range(3):
        PairingFactory(cadre=leaving, household__village=v)
    cadre_transfer(actor=None, cadre=leaving, reason="调动")
    assert coverage_for_division(v.code).unpaired == 3

    plan = pairing_suggestions(division=v)
    pairing_plan_apply(actor=None, plan=plan, reason="补齐结对")

    assert coverage_for_division(v.code).unpaired == 0


def test_suggest_command_previews_and_applies(capsys):
    v = village()
    CadreFactory(rank=Rank.VILLAGE_CADRE, division=v, department=None, name="扎西")
    HouseholdFactory(village=v, head_name="拉姆")

    call_command("suggest_pairings", v.code)
    assert "拉姆" in capsys.readouterr().out and not Pairing.objects.exists()

    call_command("suggest_pairings", v.code, "--apply", "--reason", "补齐")
    assert Pairing.objects.active().get().cadre.name == "扎西"


def test_bulk_repair_command_preview_then_apply(capsys):
    v = village()
    leaving = CadreFactory()
    PairingFactory(cadre=leaving, household__village=v)
    target = CadreFactory()

    call_command("bulk_repair", "--from", str(leaving.pk), "--to", str(target.pk), "--village", v.code)
    assert "1 households affected" in capsys.readouterr().out
    assert Pairing.objects.active().get().cadre == leaving

    call_command(
        "bulk_repair",
        "--from",
        str(leaving.pk),
        "--to",
        str(target.pk),
        "--village",
        v.code,
        "--apply",
        "--reason",
        "调",
    )
    assert Pairing.objects.active().get().cadre == target
