"""The roll-up's reading of the case timeline, on cases walked through the real workflow services."""

from grievances.models import CaseKind
from reports import metrics as m
from reports.periods import MONTH, Period, county_today
from reports.services import rollup_rows
from tests.grievances.conftest import build_case_world


def test_a_case_walked_through_the_workflow_is_counted_at_each_step(db):
    world = build_case_world()
    closed = world.to_status(world.submit(), "closed")
    reopened = world.to_status(world.submit(), "resolved")
    world.take(reopened, "close", world.cadre, satisfaction="not_satisfied", note="Still blocked.")
    world.take(reopened, "escalate", world.township, note="Needs the county.")
    suggestion = world.to_status(world.submit(kind=CaseKind.SUGGESTION), "resolved")
    code = closed.village_id

    rows = rollup_rows(Period.containing(MONTH, county_today()), code)

    counted = {metric: value for (village, metric), value in rows.items() if village == code}
    assert suggestion.village_id == code
    assert (
        counted.items()
        >= {
            m.CASES_OPENED: 3,
            m.CASES_ACCEPTED: 3,
            m.CASES_RESOLVED: 3,
            m.CASES_CLOSED: 1,
            m.CASES_REOPENED: 1,
            m.CASES_ESCALATED: 1,
            m.SUGGESTIONS_RECEIVED: 1,
            m.SUGGESTIONS_ADOPTED: 1,
            m.SATISFACTION_PREFIX + "satisfied": 1,
            m.SATISFACTION_PREFIX + "not_satisfied": 1,
            m.CLOSE_DAYS_PREFIX + "0": 1,
        }.items()
    )
