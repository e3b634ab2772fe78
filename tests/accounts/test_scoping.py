"""One scoping mechanism (accounts.scoping): each role sees exactly its part of the county, and nothing else.

The county built here:

    county 513224
      township A 513224101: villages A1 (two households, one paired) and A2 (one paired household)
      township B 513224102: village B1 (one household, paired with another cadre)
      township 513224103: one household "elsewhere" in the county
    a department supporting township A only, another supporting B; the township organs of A and B as departments;
    a provincial official posted to village A1.
"""

import json
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import Http404
from django.test import RequestFactory

from accounts.audit import access_log_write
from accounts.models import AccessEvent, AccessLog, AccessOutcome, Role, User
from accounts.scoping import scope_for
from cadres.models import Cadre, Department, DepartmentKind, DepartmentLevel
from divisions.models import Division, KeyVillageCategory, KeyVillageDesignation
from households.models import Household, Member, Relation, Sex
from ledgers.models import Pairing
from ledgers.services import department_support_end, pairing_end
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    VillageAssistanceFactory,
    county,
    township,
    village,
)

pytestmark = pytest.mark.django_db

ALL_HOUSEHOLDS = {"a1", "a1_unpaired", "a2", "b", "elsewhere"}
TOWNSHIP_A = {"a1", "a1_unpaired", "a2"}

# What each kind of user sees, by the keys of the objects built in ``world``.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "leader": {
        "households": ALL_HOUSEHOLDS,
        "pairings": {"a1", "a2", "b"},
        "cadres": {"paired", "other", "posted"},
        "departments": {"supporting", "other", "township_a", "township_b"},
    },
    "office": {
        "households": ALL_HOUSEHOLDS,
        "pairings": {"a1", "a2", "b"},
        "cadres": {"paired", "other", "posted"},
        "departments": {"supporting", "other", "township_a", "township_b"},
    },
    "township": {
        "households": TOWNSHIP_A,
        "pairings": {"a1", "a2"},
        "cadres": {"paired", "posted"},  # works in A; posted to a village of A
        # the county's units (its bureaus and township governments), not the provincial organ: cases are referred
        # to them
        "departments": {"supporting", "other", "township_a", "township_b"},
    },
    "department": {  # the department supporting A sees what township A's staff see
        "households": TOWNSHIP_A,
        "pairings": {"a1", "a2"},
        "cadres": {"paired", "posted"},
        "departments": {"supporting", "other", "township_a", "township_b"},
    },
    "cadre": {
        "households": {"a1", "a2"},
        "pairings": {"a1", "a2"},
        "cadres": {"paired"},
        "departments": {"supporting"},  # its own department
    },
    "no_role": {"households": set(), "pairings": set(), "cadres": set(), "departments": set()},
    "inactive": {"households": set(), "pairings": set(), "cadres": set(), "departments": set()},
    "anonymous": {"households": set(), "pairings": set(), "cadres": set(), "departments": set()},
}
USERS = list(EXPECTED)
WITH_A_ROLE = ["leader", "office", "township", "department", "cadre"]
WITHOUT_ACCESS = ["no_role", "inactive", "anonymous"]


@dataclass
class World:
    households: dict[str, Household]
    members: dict[str, list[Member]]  # by household key
    pairings: dict[str, Pairing]
    cadres: dict[str, Cadre]
    departments: dict[str, Department]
    users: dict[str, User | AnonymousUser]
    supports: dict = field(default_factory=dict)

    def ids(self, kind: str, keys: set[str]) -> set:
        return {getattr(self, kind)[key].pk for key in keys}

    def member_ids(self, household_keys: set[str]) -> set:
        return {member.pk for key in household_keys for member in self.members[key]}


@pytest.fixture
def world() -> World:
    the_county = county("513224")
    town_a, town_b = township("513224101"), township("513224102")
    a1, a2 = village("513224101201"), village("513224101202")
    b1, elsewhere = village("513224102201"), village("513224103201")

    province = Division.objects.get(code="51")
    departments = {
        "supporting": DepartmentFactory(name="县农业农村局", division=the_county),
        "other": DepartmentFactory(name="县教育局", division=the_county),
        "township_a": DepartmentFactory(
            name="A乡党委政府", division=town_a, level=DepartmentLevel.TOWNSHIP, kind=DepartmentKind.TOWNSHIP
        ),
        "township_b": DepartmentFactory(
            name="B镇党委政府", division=town_b, level=DepartmentLevel.TOWNSHIP, kind=DepartmentKind.TOWNSHIP
        ),
        "provincial": DepartmentFactory(name="省林草局", division=province, level=DepartmentLevel.PROVINCE),
    }
    supports = {
        "a": DepartmentSupportFactory(department=departments["supporting"], township=town_a),
        "b": DepartmentSupportFactory(department=departments["other"], township=town_b),
    }
    cadres = {
        "paired": CadreFactory(name="扎西", department=departments["supporting"], division=town_a),
        "other": CadreFactory(name="王芳", department=departments["other"], division=town_b),
        "posted": CadreFactory(name="李驻村", department=departments["provincial"], division=None),
    }
    VillageAssistanceFactory(cadre=cadres["posted"], village=a1)

    households = {
        "a1": HouseholdFactory(village=a1, head_name="泽让", phone="13812345678"),
        "a1_unpaired": HouseholdFactory(village=a1, head_name="卓玛"),
        "a2": HouseholdFactory(village=a2, head_name="格桑"),
        "b": HouseholdFactory(village=b1, head_name="措姆", address="B村3组", phone="13987654321"),
        "elsewhere": HouseholdFactory(village=elsewhere, head_name="尼玛"),
    }
    members = {key: [MemberFactory(household=household)] for key, household in households.items()}
    members["a1"].append(
        MemberFactory(household=households["a1"], relation=Relation.SPOUSE, sex=Sex.FEMALE, name="拉姆")
    )
    pairings = {
        "a1": PairingFactory(cadre=cadres["paired"], household=households["a1"]),
        "a2": PairingFactory(cadre=cadres["paired"], household=households["a2"]),
        "b": PairingFactory(cadre=cadres["other"], household=households["b"]),
    }

    cadre_user = UserFactory(username="cadre", role=Role.CADRE)
    cadres["paired"].user = cadre_user
    cadres["paired"].save(update_fields=["user"])
    users = {
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=the_county),
        "office": UserFactory(username="office", role=Role.COUNTY_OFFICE, division=the_county),
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=town_a),
        "department": UserFactory(username="department", role=Role.DEPARTMENT, department=departments["supporting"]),
        "cadre": cadre_user,
        # a division but no role: still nothing
        "no_role": UserFactory(username="no_role", role="", division=town_a),
        "inactive": UserFactory(username="inactive", role=Role.TOWNSHIP, division=town_a, is_active=False),
        "anonymous": AnonymousUser(),
    }
    return World(households, members, pairings, cadres, departments, users, supports)


def ids(queryset: models.QuerySet) -> set:
    return set(queryset.values_list("pk", flat=True))


def row_text(row: AccessLog) -> str:
    """Every column of an access-log row, as one string (the JSON detail included)."""
    values = []
    for column in AccessLog._meta.concrete_fields:
        value = getattr(row, column.attname)
        values.append(json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    return " | ".join(values)


# --- lists --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", USERS)
def test_each_user_sees_exactly_the_households_and_members_of_its_scope(world, who):
    # given the county and one of its users
    expected = EXPECTED[who]["households"]

    # when the scope is asked for households and members
    scope = scope_for(world.users[who])

    # then it holds exactly the expected ones
    assert ids(scope.of(Household)) == world.ids("households", expected)
    assert ids(scope.of(Member)) == world.member_ids(expected)
    assert ids(scope.filter(Member.objects.select_related("household"))) == world.member_ids(expected)


@pytest.mark.parametrize("who", USERS)
def test_each_user_sees_exactly_the_pairings_cadres_and_departments_of_its_scope(world, who):
    expected = EXPECTED[who]

    scope = scope_for(world.users[who])

    assert ids(scope.of(Pairing)) == world.ids("pairings", expected["pairings"])
    assert ids(scope.of(Cadre)) == world.ids("cadres", expected["cadres"])
    assert ids(scope.filter(Department.objects.all())) == world.ids("departments", expected["departments"])


@pytest.mark.parametrize("who", USERS)
def test_sees_anything_only_with_a_role_and_a_scope(world, who):
    scope = scope_for(world.users[who])

    assert scope.sees_anything is (who in WITH_A_ROLE)


@pytest.mark.parametrize(
    ("who", "codes", "cadre_id"),
    [
        ("leader", ("513224",), None),
        ("office", ("513224",), None),
        ("township", ("513224101",), None),
        ("department", ("513224101",), None),
        ("cadre", (), "paired"),
        ("no_role", (), None),
        ("inactive", (), None),
        ("anonymous", (), None),
    ],
)
def test_the_scope_is_made_of_division_codes_or_a_cadre(world, who, codes, cadre_id):
    scope = scope_for(world.users[who])

    assert scope.division_codes == codes
    assert scope.cadre_id == (world.cadres[cadre_id].pk if cadre_id else None)


@pytest.mark.parametrize(
    ("who", "covered"),
    [
        ("leader", {"513224", "513224101", "513224101201", "513224101202", "513224102201", "513224103201"}),
        ("township", {"513224101", "513224101201", "513224101202"}),
        ("department", {"513224101", "513224101201", "513224101202"}),
        ("cadre", set()),  # a cadre's scope is households, never a whole division
        ("no_role", set()),
    ],
)
def test_covers_division_only_for_divisions_wholly_inside_the_scope(world, who, covered):
    scope = scope_for(world.users[who])

    codes = {"51", "513224", "513224101", "513224101201", "513224101202", "513224102201", "513224103201", "513225"}
    assert {code for code in codes if scope.covers_division(code)} == covered


@pytest.mark.parametrize("who", USERS)
def test_divisions_and_key_villages_are_public_to_every_role_but_not_to_users_without_one(world, who):
    # given reference data
    KeyVillageDesignation.objects.create(
        village_id="513224101201", category=KeyVillageCategory.FORMERLY_POOR, year=2025
    )

    scope = scope_for(world.users[who])

    divisions, designations = scope.filter(Division.objects.all()), scope.filter(KeyVillageDesignation.objects.all())
    if who in WITH_A_ROLE:
        assert ids(divisions) == ids(Division.objects.all())
        assert designations.count() == 1
    else:
        assert not divisions.exists() and not designations.exists()


@pytest.mark.parametrize("who", WITH_A_ROLE)
def test_a_model_nobody_declared_is_visible_to_nobody(world, who):
    scope = scope_for(world.users[who])

    # given rows of two models without a rule: the access log and the households' history
    access_log_write(event=AccessEvent.LOGIN, user=world.users["office"])

    assert not scope.filter(AccessLog.objects.all()).exists()
    assert not scope.filter(Household.history.model.objects.all()).exists()
    assert Household.history.exists()


# --- changes of the ledgers change the scope ----------------------------------------------------------------


def test_an_ended_pairing_no_longer_gives_the_cadre_its_household(world):
    # given the cadre sees the household of its pairing in A2
    cadre = world.users["cadre"]
    assert world.households["a2"].pk in ids(scope_for(cadre).of(Household))

    # when the pairing ends
    pairing_end(actor=world.users["township"], pairing=world.pairings["a2"], reason="调离")

    # then the household and its members are out of the cadre's scope (the ledger row is still its own)
    scope = scope_for(cadre)
    assert ids(scope.of(Household)) == world.ids("households", {"a1"})
    assert ids(scope.of(Member)) == world.member_ids({"a1"})
    assert ids(scope.of(Pairing)) == world.ids("pairings", {"a1", "a2"})
    with pytest.raises(Http404):
        scope.get_or_404(Household, pk=world.households["a2"].pk)
    # and a township's staff still see it
    assert world.households["a2"].pk in ids(scope_for(world.users["township"]).of(Household))


def test_a_department_whose_support_ended_sees_nothing(world):
    # given the department supports township A
    assert scope_for(world.users["department"]).sees_anything

    # when the support ends
    department_support_end(actor=world.users["office"], support=world.supports["a"], reason="调整联系乡镇")

    # then the department's staff see nothing at all
    scope = scope_for(world.users["department"])
    assert scope.division_codes == () and not scope.sees_anything
    assert not scope.of(Household).exists()
    assert not scope.of(Member).exists()
    assert not scope.of(Pairing).exists()
    assert not scope.of(Cadre).exists()
    assert not scope.filter(Department.objects.all()).exists()


def test_a_department_sees_every_township_it_supports(world):
    # given the department also supports township B
    DepartmentSupportFactory(department=world.departments["supporting"], township=township("513224102"))

    scope = scope_for(world.users["department"])

    assert scope.division_codes == ("513224101", "513224102")
    assert ids(scope.of(Household)) == world.ids("households", TOWNSHIP_A | {"b"})


def test_a_cadre_account_without_its_cadre_record_sees_nothing(world):
    # given a cadre account nobody linked to a cadre
    lonely = UserFactory(username="lonely", role=Role.CADRE)

    scope = scope_for(lonely)

    assert scope.cadre_id is None and not scope.sees_anything
    assert not scope.of(Household).exists() and not scope.of(Pairing).exists()


# --- fetch and authorize in one call ------------------------------------------------------------------------


@pytest.mark.parametrize("who", WITH_A_ROLE)
def test_get_or_404_returns_what_is_in_scope_without_logging(world, who):
    scope = scope_for(world.users[who])

    for key in EXPECTED[who]["households"]:
        household = world.households[key]
        assert scope.get_or_404(Household, pk=household.pk) == household
        assert scope.get_or_404(Household.objects.select_related("village"), pk=str(household.pk)) == household
        for member in world.members[key]:
            assert scope.get_or_404(Member, pk=member.pk) == member

    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("asked", ["sibling township", "elsewhere", "nonexistent", "malformed"])
def test_get_or_404_refuses_what_is_out_of_scope_and_logs_only_the_id_asked(world, asked):
    # given township A's staff and an id outside their scope
    user = world.users["township"]
    target = {"sibling township": world.households["b"], "elsewhere": world.households["elsewhere"]}.get(asked)
    asked_id = {"nonexistent": str(uuid.uuid4()), "malformed": "not-a-uuid"}.get(asked) or str(target.pk)
    request = RequestFactory().get(f"/households/{asked_id}/", REMOTE_ADDR="203.0.113.9")
    request.user = user

    # when they ask for it
    with pytest.raises(Http404):
        scope_for(user).get_or_404(Household, request=request, pk=asked_id)

    # then one refusal is logged, naming the id asked and nothing the household holds
    row = AccessLog.objects.get()
    assert (row.event, row.outcome) == (AccessEvent.ACCESS_DENIED, AccessOutcome.DENIED)
    assert (row.user_id, row.username, row.role) == (user.pk, "township", Role.TOWNSHIP)
    assert (row.object_type, row.object_id) == ("households.household", asked_id)
    assert row.ip_address == "203.0.113.9"
    if target is not None:
        text = row_text(row)
        for secret in [target.head_name, target.village_id, target.address, target.phone]:
            assert not secret or secret not in text
        for member in world.members["b" if asked == "sibling township" else "elsewhere"]:
            assert member.name not in text and member.id_number_masked not in text


@pytest.mark.parametrize("who", USERS)
def test_every_miss_of_every_user_is_a_404_with_one_log_row_each(world, who):
    # given everything this user may not see, plus ids that point at nothing
    user = world.users[who]
    hidden = [world.households[key].pk for key in sorted(ALL_HOUSEHOLDS - EXPECTED[who]["households"])]
    asked = [str(pk) for pk in hidden] + [str(uuid.uuid4()), "not-a-uuid"]
    scope = scope_for(user)

    # when each is asked for
    for asked_id in asked:
        with pytest.raises(Http404):
            scope.get_or_404(Household, pk=asked_id)

    # then each miss is one denied row naming the id asked
    rows = AccessLog.objects.order_by("id")
    assert [row.object_id for row in rows] == asked
    assert {(row.event, row.outcome) for row in rows} == {(AccessEvent.ACCESS_DENIED, AccessOutcome.DENIED)}
    assert {row.user_id for row in rows} == {user.pk if user.is_authenticated else None}
    assert all(row.detail == {"reason": "not found in scope"} for row in rows)


@pytest.mark.parametrize("who", ["township", "department", "cadre"])
def test_a_member_of_a_sibling_townships_household_is_a_404(world, who):
    member = world.members["b"][0]

    with pytest.raises(Http404):
        scope_for(world.users[who]).get_or_404(Member, pk=member.pk)

    row = AccessLog.objects.get()
    assert (row.object_type, row.object_id) == ("households.member", str(member.pk))
    assert member.name not in row_text(row)


# --- query counts -------------------------------------------------------------------------------------------


def _more_households(count: int) -> None:
    for index in range(count):
        HouseholdFactory(village=village("513224101201" if index % 2 else "513224101202"))


@pytest.mark.parametrize("extra", [0, 25])
@pytest.mark.parametrize("who", ["leader", "office", "township"])
def test_a_division_role_lists_its_households_in_one_query(world, who, extra, django_assert_num_queries):
    # given a small or a larger township
    _more_households(extra)
    user = world.users[who]

    # when the list is evaluated, then it takes one query whatever its length
    with django_assert_num_queries(1):
        households = list(scope_for(user).of(Household))
    assert len(households) == len(EXPECTED[who]["households"]) + extra

    with django_assert_num_queries(1):
        list(scope_for(user).of(Member))


@pytest.mark.parametrize("extra", [0, 25])
@pytest.mark.parametrize("who", ["department", "cadre"])
def test_department_and_cadre_list_their_households_in_two_queries_at_most(
    world, who, extra, django_assert_max_num_queries
):
    _more_households(extra)
    user = world.users[who]

    with django_assert_max_num_queries(2):  # the support rows (or the cadre row), then the households
        households = list(scope_for(user).of(Household))
    assert len(households) == len(EXPECTED[who]["households"]) + (extra if who == "department" else 0)


@pytest.mark.parametrize("who", WITHOUT_ACCESS)
def test_users_without_access_cost_no_query(world, who, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(scope_for(world.users[who]).of(Household)) == []


def test_township_staff_see_a_county_cadre_while_it_carries_one_of_their_households(world):
    county_cadre = CadreFactory(name="县直干部", department=world.departments["other"], division=None)
    pairing = PairingFactory(cadre=county_cadre, household=world.households["a1_unpaired"])
    scope = scope_for(world.users["township"])

    assert county_cadre.pk in ids(scope.of(Cadre))

    pairing.end_date, pairing.end_reason = pairing.start_date, "调整"
    pairing.save()
    assert county_cadre.pk not in ids(scope_for(world.users["township"]).of(Cadre))


def test_every_app_registers_the_rules_of_its_own_models():
    from accounts import scoping

    registered = {model._meta.label for model in scoping.RULES}

    assert {
        "households.Household",
        "households.Member",
        "households.IncomeSource",
        "ledgers.Pairing",
        "ledgers.LeaderAssignment",
        "ledgers.DepartmentSupport",
        "ledgers.VillageAssistance",
        "cadres.Cadre",
        "cadres.Department",
        "grievances.Case",
        "grievances.CaseCategory",
        "accounts.User",
        "divisions.Division",
        "divisions.KeyVillageDesignation",
    } <= registered


def test_a_second_different_rule_for_a_model_is_refused():
    from accounts import scoping
    from households.models import Household

    with pytest.raises(RuntimeError):
        scoping.register(Household, scoping.Rule(within=None, public=True))
    assert scoping.RULES[Household].public is False
