"""A small county for case tests: two townships, a village in each, their township governments, two county
bureaus (transport, education) with routing rules, a household paired with a cadre, and one user per role.

    def test_something(case_world):
        case = case_world.submit()                       # a submitted problem in township A, by the cadre
        case_world.take(case, "accept", case_world.township)

``case_snapshot()`` captures every row of the case tables, to assert that a refused action wrote nothing;
``build_case_world()`` builds the same world outside ``db`` (the numbering test commits it for its threads).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Role, User
from cadres.models import Department, DepartmentKind, DepartmentLevel
from divisions.models import Division
from grievances.models import (
    AccountabilityRecord,
    Case,
    CaseEvent,
    CaseSequence,
    CaseUnit,
    DisputeParty,
    MediationSession,
    Notification,
    RoutingRule,
)
from grievances.services import case_submit, case_transition
from households.models import Household
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    PairingFactory,
    UserFactory,
    township,
    village,
)


@dataclass
class CaseWorld:
    village_a: Division
    village_b: Division
    government_a: Department  # township A's Party committee and government (a responsible unit)
    government_b: Department
    transport: Department  # county transport bureau: lead unit for roads
    education: Department
    household: Household  # in village A, paired with ``cadre``
    other_household: Household  # in village B, nobody's
    office: User
    leader: User
    township: User  # staff of township A
    township_b: User  # staff of township B
    department: User  # staff of the transport bureau
    education_staff: User
    cadre: User  # paired with ``household``
    other_cadre: User  # paired with nobody

    def submit(self, actor: User | None = None, **fields: Any) -> Case:
        defaults = {
            "kind": "problem",
            "category": "roads_transport",
            "description": "The road to the upper pasture washed out.",
            "source": "visit",
            "household": self.household,
        }
        return case_submit(actor=actor or self.cadre, **{**defaults, **fields})

    def take(self, case: Case, action: str, actor: User, **fields: Any) -> Case:
        return case_transition(actor=actor, case=case, action=action, **fields)

    def to_status(self, case: Case, status: str) -> Case:
        """Walk ``case`` from ``submitted`` to ``status`` by the usual path and actors."""
        path = {
            "submitted": [],
            "accepted": [("accept", self.township, {})],
            "assigned": [("accept", self.township, {}), ("assign", self.township, {})],
            "in_progress": [
                ("accept", self.township, {}),
                ("assign", self.township, {}),
                ("start", self.department, {}),
            ],
        }
        path["resolved"] = [*path["in_progress"], ("resolve", self.department, {"note": "Road rebuilt."})]
        path["closed"] = [*path["resolved"], ("close", self.cadre, {"satisfaction": "satisfied"})]
        path["rejected"] = [("reject", self.township, {"note": "Not a public matter."})]
        if status == "duplicate":
            original = self.submit(self.township, household=None, village=self.village_a)
            path["duplicate"] = [("duplicate", self.township, {"duplicate_of": original})]
        for action, actor, fields in path[status]:
            case = self.take(case, action, actor, **fields)
        return case


def case_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a case service writes (cases and their history, timelines, units' parts,
    notifications, accountability, parties, mediation, numbering): equal before and after means nothing changed."""
    tables = [
        Case,
        Case.history.model,
        CaseEvent,
        CaseUnit,
        Notification,
        AccountabilityRecord,
        DisputeParty,
        MediationSession,
        CaseSequence,
    ]
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in tables}


@pytest.fixture
def case_world(db) -> CaseWorld:
    return build_case_world()


def build_case_world() -> CaseWorld:
    village_a, village_b = village("513224101201"), village("513224102201")
    township_a, township_b = township("513224101"), township("513224102")
    county = township_a.parent

    def government(division: Division) -> Department:
        return DepartmentFactory(
            name=f"{division.name}党委政府",
            level=DepartmentLevel.TOWNSHIP,
            kind=DepartmentKind.TOWNSHIP,
            division=division,
        )

    government_a, government_b = government(township_a), government(township_b)
    transport = DepartmentFactory(name="县交通运输局", division=county)
    education = DepartmentFactory(name="县教育局", division=county)
    DepartmentSupportFactory(department=transport, township=township_a)
    roads = RoutingRule.objects.create(category_id="roads_transport", unit=transport, with_township=True)
    assert roads.pk
    RoutingRule.objects.create(category_id="education", unit=education)

    household = HouseholdFactory(village=village_a)
    other_household = HouseholdFactory(village=village_b)
    cadre = CadreFactory(department=transport)
    PairingFactory(cadre=cadre, household=household, start_date=dt.date(2026, 1, 1))
    other_cadre = CadreFactory(department=transport)

    def user(name: str, role: str, **scope: Any) -> User:
        return UserFactory(username=name, role=role, **scope)

    cadre_user = user("cadre", Role.CADRE)
    cadre.user = cadre_user
    cadre.save()
    other_cadre_user = user("other-cadre", Role.CADRE)
    other_cadre.user = other_cadre_user
    other_cadre.save()
    return CaseWorld(
        village_a=village_a,
        village_b=village_b,
        government_a=government_a,
        government_b=government_b,
        transport=transport,
        education=education,
        household=household,
        other_household=other_household,
        office=user("office", Role.COUNTY_OFFICE, division=county),
        leader=user("leader", Role.COUNTY_LEADER, division=county),
        township=user("township", Role.TOWNSHIP, division=township_a),
        township_b=user("township-b", Role.TOWNSHIP, division=township_b),
        department=user("department", Role.DEPARTMENT, department=transport),
        education_staff=user("education", Role.DEPARTMENT, department=education),
        cadre=User.objects.get(pk=cadre_user.pk),
        other_cadre=User.objects.get(pk=other_cadre_user.pk),
    )
