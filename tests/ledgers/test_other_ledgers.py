import pytest
from django.core.exceptions import ValidationError

from cadres.models import Rank
from divisions.models import KeyVillageCategory, KeyVillageDesignation
from ledgers.models import AssistanceRole, DepartmentSupport, LeaderAssignment, VillageAssistance
from ledgers.services import (
    department_support_create,
    department_support_end,
    leader_assignment_create,
    leader_assignment_end,
    village_assistance_create,
    village_assistance_end,
)
from tests.factories import CadreFactory, DepartmentFactory, UserFactory, township, village

pytestmark = pytest.mark.django_db


def test_leader_assignment_lifecycle_keeps_the_row():
    office = UserFactory(username="office")
    leader = CadreFactory(rank=Rank.COUNTY_LEADER)
    t = township()

    row = leader_assignment_create(actor=office, cadre=leader, township=t, reason="分工调整")
    with pytest.raises(ValidationError, match="already responsible"):
        leader_assignment_create(actor=office, cadre=leader, township=t)
    leader_assignment_end(actor=office, assignment=row, reason="分工调整")

    row.refresh_from_db()
    assert row.ended_by == office and row.end_reason == "分工调整"
    assert LeaderAssignment.objects.count() == 1
    leader_assignment_create(actor=office, cadre=leader, township=t)  # may start again after ending
    assert LeaderAssignment.objects.active().count() == 1


def test_only_county_leaders_take_townships_and_only_townships_are_taken():
    with pytest.raises(ValidationError, match="county leader"):
        leader_assignment_create(actor=None, cadre=CadreFactory(rank=Rank.ORDINARY), township=township())
    with pytest.raises(ValidationError, match="not a"):
        leader_assignment_create(actor=None, cadre=CadreFactory(rank=Rank.COUNTY_LEADER), township=village())
    assert not LeaderAssignment.objects.exists()


def test_department_support_lifecycle():
    department = DepartmentFactory(name="县交通运输局")
    t = township()

    row = department_support_create(actor=None, department=department, township=t)
    with pytest.raises(ValidationError, match="already supports"):
        department_support_create(actor=None, department=department, township=t)
    department_support_end(actor=None, support=row, reason="年度调整")

    assert not DepartmentSupport.objects.active().exists()


def test_inactive_department_cannot_support():
    with pytest.raises(ValidationError):
        department_support_create(actor=None, department=DepartmentFactory(is_active=False), township=township())


def test_officials_are_posted_only_to_key_villages():
    official = CadreFactory(rank=Rank.SECTION_LEVEL)
    plain, key = village("513224101201"), village("513224101202")
    KeyVillageDesignation.objects.create(village=key, category=KeyVillageCategory.WEAK_AND_LAX, year=2026)

    with pytest.raises(ValidationError, match="not a key village"):
        village_assistance_create(actor=None, cadre=official, village=plain, role=AssistanceRole.FIRST_SECRETARY)
    row = village_assistance_create(actor=None, cadre=official, village=key, role=AssistanceRole.FIRST_SECRETARY)
    village_assistance_end(actor=None, assistance=row, reason="轮换")

    assert VillageAssistance.objects.get().end_reason == "轮换"
