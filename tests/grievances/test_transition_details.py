"""Details of transitions that the workflow matrix does not show: what happens to the units' parts, referrals
that keep the lead unit, the original of a duplicate, and stale mediation forms."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grievances.models import CaseStatus, MediationSession, PartStatus, UnitRole
from grievances.services import mediation_record
from songpan.errors import StaleVersionError


def _parts(case):
    return {(p.unit_id, p.role): p.status for p in case.units.exclude(status=PartStatus.REFERRED)}


def test_a_co_units_part_still_to_do_closes_with_the_case_and_opens_again_when_it_is_reopened(case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")
    # When the lead unit resolves while the township (co-responsible) has not reported its part
    case = w.take(case, "resolve", w.department, note="Road rebuilt.")
    # Then the township's part is closed with the case, not left "to do" forever
    assert _parts(case)[(w.government_a.pk, UnitRole.CO)] == PartStatus.CLOSED
    assert _parts(case)[(w.transport.pk, UnitRole.LEAD)] == PartStatus.DONE
    # When the household is not satisfied
    case = w.take(case, "close", w.cadre, satisfaction="not_satisfied", note="Still floods.")
    # Then both parts are to do again
    assert case.status == CaseStatus.IN_PROGRESS
    assert set(_parts(case).values()) == {PartStatus.PENDING}


def test_a_referral_that_keeps_the_lead_unit_leaves_work_in_progress(case_world):
    w = case_world
    case = w.to_status(w.submit(), "in_progress")
    # When the township drops itself as co-responsible unit (the bureau keeps the lead)
    case = w.take(case, "reassign", w.township, unit=w.transport.pk, note="The bureau can do it alone.")
    # Then the bureau goes on working: the case stays in progress, and the township's part is ended
    assert case.status == CaseStatus.IN_PROGRESS
    assert _parts(case) == {(w.transport.pk, UnitRole.LEAD): PartStatus.PENDING}
    assert case.events.last().action == "reassign"


def test_a_duplicate_must_name_an_original_inside_the_actors_area(case_world):
    w = case_world
    elsewhere = w.submit(actor=w.township_b, household=w.other_household)
    case = w.take(w.submit(), "accept", w.township)
    # When township A names township B's case as the original
    with pytest.raises(ValidationError) as refused:
        w.take(case, "duplicate", w.township, duplicate_of=elsewhere)
    # Then it is refused as unknown (its existence is not confirmed) and nothing changed
    assert refused.value.message_dict["duplicate_of"] == ["There is no such case in your area."]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.duplicate_of is None


def test_a_mediation_form_made_from_an_older_version_is_refused(case_world):
    w = case_world
    dispute = w.submit(kind="dispute", category="land_forest_grassland", description="Boundary of two pastures.")
    seen = dispute.version
    w.take(dispute, "accept", w.township)
    with pytest.raises(StaleVersionError):
        mediation_record(
            actor=w.township,
            case=dispute,
            date=dt.date(2026, 11, 1),
            mediators="Village mediation committee",
            result="adjourned",
            expected_version=seen,
        )
    assert not MediationSession.objects.exists()
