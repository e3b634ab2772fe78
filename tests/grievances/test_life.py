"""A case's whole life through the services, as the demo accounts live it."""

from grievances.models import AccountabilityRecord, CaseEvent, CaseStatus, Notification, UnitRole


def test_a_road_problem_goes_from_the_cadre_to_the_bureau_and_back_to_the_household(case_world):
    w = case_world
    # Given a cadre reporting a washed-out road for its household
    case = w.submit()
    assert case.reference.startswith("SP-") and case.status == CaseStatus.SUBMITTED
    # When the township accepts and assigns it by the routing table
    case = w.take(case, "accept", w.township)
    case = w.take(case, "assign", w.township)
    # Then the transport bureau leads, the township shares the work, and both are told
    assert case.responsible_unit == w.transport and case.deadline is not None
    parts = {(p.unit_id, p.role) for p in case.units.all()}
    assert parts == {(w.transport.pk, UnitRole.LEAD), (w.government_a.pk, UnitRole.CO)}
    assert set(Notification.objects.filter(case=case).values_list("unit_id", flat=True)) == {
        w.transport.pk,
        w.government_a.pk,
    }
    # When the bureau starts and resolves it and the cadre confirms for the household
    case = w.take(case, "start", w.department)
    case = w.take(case, "part_done", w.township, note="Township cleared the debris.")
    case = w.take(case, "resolve", w.department, note="Road rebuilt with a culvert.")
    case = w.take(case, "close", w.cadre, satisfaction="satisfied")
    # Then it is closed with the verdict, and every step is on the timeline
    assert case.status == CaseStatus.CLOSED and case.satisfaction == "satisfied"
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["submit", "accept", "assign", "start", "part_done", "resolve", "close"]
    assert not AccountabilityRecord.objects.exists()
