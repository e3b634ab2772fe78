"""factory-boy factories for the registry. Build a small tree with ``township_with_villages``."""

import datetime as dt
import itertools

import factory
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import CadreStatus, Department, DepartmentKind, DepartmentLevel, Rank
from divisions.models import Division, Level
from households.models import Household, Member, Relation, Sex
from households.validators import id_number_check_char
from ledgers.models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance

_id_serial = itertools.count(1)


def valid_id_number(region: str = "513224", birth: dt.date = dt.date(1980, 5, 17), sex: str = "male") -> str:
    """A fresh, valid ID number (right check digit); each call gives another sequence number."""
    serial = next(_id_serial) % 500
    sequence = serial * 2 + (1 if sex == "male" else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = "513224"
    name = factory.LazyAttribute(lambda o: f"区划{o.code}")
    level = Level.COUNTY
    parent = None


def county(code: str = "513224") -> Division:
    province = DivisionFactory(code=code[:2], level=Level.PROVINCE)
    prefecture = DivisionFactory(code=code[:4], level=Level.PREFECTURE, parent=province)
    return DivisionFactory(code=code, level=Level.COUNTY, parent=prefecture, name="松潘县")


def township(code: str = "513224101") -> Division:
    return DivisionFactory(code=code, level=Level.TOWNSHIP, parent=county(code[:6]))


def village(code: str = "513224101201") -> Division:
    return DivisionFactory(code=code, level=Level.VILLAGE, parent=township(code[:9]))


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.LazyFunction(village)
    number = factory.Sequence(lambda n: f"{n + 1:04d}")
    head_name = factory.Sequence(lambda n: f"户主{n}")
    address = factory.LazyAttribute(lambda o: f"{o.village.name}{o.number}号")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"成员{n}")
    relation = Relation.HEAD
    sex = Sex.MALE
    birth_date = dt.date(1980, 5, 17)

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy passes the object first
        obj.set_id_number(extracted if extracted is not None else valid_id_number(birth=obj.birth_date, sex=obj.sex))
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("division", "name")

    name = factory.Sequence(lambda n: f"县部门{n}")
    level = DepartmentLevel.COUNTY
    kind = DepartmentKind.GOVERNMENT
    division = factory.LazyFunction(county)


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cadres.Cadre"

    name = factory.Sequence(lambda n: f"干部{n}")
    sex = "male"
    rank = Rank.ORDINARY
    department = factory.SubFactory(DepartmentFactory)
    status = CadreStatus.ACTIVE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY_OFFICE
    password = factory.django.Password("correct-horse-battery")


class LedgerFactory(factory.django.DjangoModelFactory):
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    start_reason = "initial"


class PairingFactory(LedgerFactory):
    class Meta:
        model = Pairing

    cadre = factory.SubFactory(CadreFactory)
    household = factory.SubFactory(HouseholdFactory)


class LeaderAssignmentFactory(LedgerFactory):
    class Meta:
        model = LeaderAssignment

    cadre = factory.SubFactory(CadreFactory, rank=Rank.COUNTY_LEADER)
    township = factory.LazyFunction(township)


class DepartmentSupportFactory(LedgerFactory):
    class Meta:
        model = DepartmentSupport

    department = factory.SubFactory(DepartmentFactory)
    township = factory.LazyFunction(township)


class VillageAssistanceFactory(LedgerFactory):
    class Meta:
        model = VillageAssistance

    cadre = factory.SubFactory(CadreFactory)
    village = factory.LazyFunction(village)


class HouseholdCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "households.HouseholdCategory"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())
