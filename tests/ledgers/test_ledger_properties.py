"""Property-based test: whatever sequence of ledger operations staff attempt, the ledger stays consistent."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadres.models import Cadre, CadreStatus, Rank
from households.models import Household
from ledgers.models import Pairing
from ledgers.services import (
    cadre_transfer,
    pairing_bulk_repair_plan,
    pairing_create,
    pairing_end,
    pairing_plan_apply,
    pairing_repair,
    pairing_suggestions,
)
from tests.factories import CadreFactory, HouseholdFactory, village

LIMITS = {"county_leader": 1, "section_level": 2, "ordinary": 2, "village_cadre": 3}
N_CADRES, N_HOUSEHOLDS = 4, 6

operation = st.one_of(
    st.tuples(st.just("pair"), st.integers(0, N_CADRES - 1), st.integers(0, N_HOUSEHOLDS - 1), st.booleans()),
    st.tuples(st.just("end"), st.integers(0, N_HOUSEHOLDS - 1)),
    st.tuples(st.just("repair"), st.integers(0, N_HOUSEHOLDS - 1), st.integers(0, N_CADRES - 1)),
    st.tuples(st.just("transfer"), st.integers(0, N_CADRES - 1)),
    st.tuples(st.just("bulk"), st.integers(0, N_CADRES - 1), st.integers(0, N_CADRES - 1), st.booleans()),
    st.tuples(st.just("suggest"), st.booleans()),
)


def snapshot():
    rows = Pairing.objects.values_list("cadre_id", "household_id", "is_primary", "end_date", "end_reason")
    return sorted(rows, key=str), sorted(Cadre.objects.values_list("id", "status"))


def run(op, cadres, households):
    kind = op[0]
    if kind == "pair":
        pairing_create(actor=None, cadre=cadres[op[1]], household=households[op[2]], is_primary=op[3])
    elif kind == "end":
        pairing = Pairing.objects.active().filter(household=households[op[1]]).first()
        if pairing:
            pairing_end(actor=None, pairing=pairing, reason="end")
    elif kind == "repair":
        pairing_repair(actor=None, household=households[op[1]], cadre=cadres[op[2]], reason="repair")
    elif kind == "transfer":
        cadre_transfer(actor=None, cadre=cadres[op[1]], reason="transfer")
    elif kind == "bulk":
        plan = pairing_bulk_repair_plan(
            from_cadre=cadres[op[1]], to_cadres=[cadres[op[2]]], village=households[0].village
        )
        pairing_plan_apply(actor=None, plan=plan, reason="bulk", allow_uncovered=op[3])
    elif kind == "suggest":
        plan = pairing_suggestions(division=households[0].village)
        pairing_plan_apply(actor=None, plan=plan, reason="suggest", allow_uncovered=op[1])


def check_invariants(rows_before: int):
    active_primary = Pairing.objects.active().filter(is_primary=True)
    assert not active_primary.values("household").annotate(n=Count("id")).filter(n__gt=1).exists()
    for cadre in Cadre.objects.all():
        load = active_primary.filter(cadre=cadre).count()
        assert load <= LIMITS[cadre.rank]
        if cadre.status != CadreStatus.ACTIVE:
            assert not Pairing.objects.active().filter(cadre=cadre).exists()
    assert not Pairing.objects.active().values("cadre", "household").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Pairing.objects.count() >= rows_before  # rows are ended, never deleted
    for pairing in Pairing.objects.exclude(end_date=None):
        assert pairing.end_date >= pairing.start_date and pairing.end_reason


@pytest.mark.django_db(transaction=False)
@override_settings(PAIRING_LIMITS=LIMITS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=14))
def test_any_sequence_of_operations_keeps_the_ledger_consistent(operations):
    with transaction.atomic():
        v = village()
        ranks = [Rank.COUNTY_LEADER, Rank.ORDINARY, Rank.ORDINARY, Rank.VILLAGE_CADRE]
        cadres = [CadreFactory(rank=rank, division=v) for rank in ranks]
        households = [HouseholdFactory(village=v) for _ in range(N_HOUSEHOLDS)]
        for op in operations:
            rows_before = Pairing.objects.count()
            before = snapshot()
            try:
                run(op, cadres, households)
            except ValidationError:
                assert snapshot() == before, f"{op} was refused but changed the ledger"
            for cadre in cadres:
                cadre.refresh_from_db()
            check_invariants(rows_before)
        transaction.set_rollback(True)
    assert not Household.objects.exists()
