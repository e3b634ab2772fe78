"""The permission matrix: every URL pattern × every role × every method × objects in and out of scope.

Every named URL of the project must be declared in ``MATRIX`` (or covered by a declared prefix such as the
admin's); a new page or endpoint that is not declared fails ``test_every_url_is_declared`` — deny by default.
For each declared URL the expected status is computed from the role, the place of the object and the method,
and every response is checked for leaks: no full ID number for roles that may not reveal, and no household from
outside the role's scope on any page.

Places, seen from the township staff of 川主寺镇 (513224101):
  in_scope  — a household of 513224101 (paired with the cadre account, in a township the department supports);
  sibling   — a household of the sibling township 513224102 (inside the county);
  elsewhere — a household of another county (513225);
  missing   — an id that does not exist.
"""

import datetime as dt
import importlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from cadres.models import DepartmentKind, DepartmentLevel, Rank
from divisions.models import KeyVillageCategory, KeyVillageDesignation
from grievances.models import Case, CaseKind, CaseSource, CaseStatus, CaseUnit, UnitRole
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    LeaderAssignmentFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    VillageAssistanceFactory,
    county,
    township,
    village,
)

ROLES = ["anonymous", "no_role", "leader", "office", "township", "department", "cadre"]
PLACES = ["in_scope", "sibling", "elsewhere", "missing"]
METHODS = ["get", "post", "put", "patch", "delete"]
FULL_ID_NUMBER = re.compile(r"(?<![\d*])\d{17}[\dX](?![\d*])")

# Which places each role sees (its scope): county roles the whole county, the township and the department (which
# supports 513224101) one township, the cadre its paired household.
SEES = {
    "leader": {"in_scope", "sibling"},
    "office": {"in_scope", "sibling"},
    "township": {"in_scope"},
    "department": {"in_scope"},
    "cadre": {"in_scope"},
    "no_role": set(),
}
MAY_REVEAL = {"office", "township"}
REVEALING = {"households:member-reveal", "api-member-reveal"}  # the URLs that show a full ID number on purpose


@dataclass
class World:
    """One object of each kind per place (``in_scope``, ``sibling``, ``elsewhere``), and the users by role."""

    users: dict
    households: dict
    members: dict
    accounts: dict
    id_numbers: dict
    cadres: dict
    departments: dict
    pairings: dict
    leader_assignments: dict
    supports: dict
    assistance: dict
    cases: dict


def _cases(households: dict, departments: dict) -> dict:
    """One case per place, assigned (lead unit: the place's department; the department user's for in_scope)."""
    cases = {}
    for number, (place, household) in enumerate(households.items(), start=1):
        case = Case.objects.create(
            reference=f"SP-2026-{number:06d}",
            kind=CaseKind.PROBLEM,
            category_id="roads_transport",
            source=CaseSource.VISIT,
            household=household,
            village=household.village,
            title=f"案件{place}",
            description="道路损毁",
            status=CaseStatus.ASSIGNED,
            responsible_unit=departments[place],
            deadline=timezone.localdate() + dt.timedelta(days=30),
        )
        CaseUnit.objects.create(case=case, unit=departments[place], role=UnitRole.LEAD)
        cases[place] = case
    return cases


@pytest.fixture
def world(db) -> World:
    villages = {
        "in_scope": village("513224101201"),
        "sibling": village("513224102201"),
        "elsewhere": village("513225101201"),
    }
    counties = {"in_scope": county(), "sibling": county(), "elsewhere": county("513225")}
    households = {
        "in_scope": HouseholdFactory(village=villages["in_scope"], head_name="在册户甲", phone="13800001111"),
        "sibling": HouseholdFactory(village=villages["sibling"], head_name="邻乡户乙", phone="13800002222"),
        "elsewhere": HouseholdFactory(village=villages["elsewhere"], head_name="外县户丙", phone="13800003333"),
    }
    members = {place: MemberFactory(household=h, name=f"成员{place}") for place, h in households.items()}
    # Township governments as departments: the in_scope one is the department the department user belongs to.
    departments = {
        place: DepartmentFactory(
            name=f"部门{place}", level=DepartmentLevel.TOWNSHIP, kind=DepartmentKind.TOWNSHIP, division=v.parent
        )
        for place, v in villages.items()
    }
    departments["in_scope"] = DepartmentFactory(name="县教育局", division=county())
    cadres = {
        place: CadreFactory(name=f"干部{place}", rank=Rank.VILLAGE_CADRE, division=v, department=None)
        for place, v in villages.items()
    }
    pairings = {place: PairingFactory(cadre=cadres[place], household=households[place]) for place in households}
    leaders = {
        place: CadreFactory(name=f"县领导{place}", rank=Rank.COUNTY_LEADER, division=counties[place], department=None)
        for place in villages
    }
    leader_assignments = {
        place: LeaderAssignmentFactory(cadre=leaders[place], township=villages[place].parent) for place in villages
    }
    supports = {
        place: DepartmentSupportFactory(department=departments["in_scope"], township=villages[place].parent)
        for place in villages
    }
    supports["sibling"].end_date, supports["sibling"].end_reason = supports["sibling"].start_date, "调整"
    supports["sibling"].save()  # the department supports only the in_scope township now
    supports["elsewhere"].end_date, supports["elsewhere"].end_reason = supports["elsewhere"].start_date, "调整"
    supports["elsewhere"].save()
    for v in villages.values():
        KeyVillageDesignation.objects.create(village=v, category=KeyVillageCategory.WEAK_AND_LAX, year=2026)
    assistance = {
        place: VillageAssistanceFactory(cadre=CadreFactory(name=f"驻村{place}", division=counties[place]), village=v)
        for place, v in villages.items()
    }
    users = {
        "no_role": UserFactory(username="nobody", role=""),
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county()),
        "office": UserFactory(
            username="office", role=Role.COUNTY_OFFICE, division=county(), is_staff=True, is_superuser=True
        ),
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101")),
        "department": UserFactory(username="department", role=Role.DEPARTMENT, department=departments["in_scope"]),
        "cadre": UserFactory(username="cadre", role=Role.CADRE),
    }
    cadres["in_scope"].user = users["cadre"]
    cadres["in_scope"].save()
    accounts = {
        "in_scope": users["township"],
        "sibling": UserFactory(username="sibling-staff", role=Role.TOWNSHIP, division=township("513224102")),
        "elsewhere": UserFactory(username="other-county", role=Role.TOWNSHIP, division=township("513225101")),
    }
    return World(
        users=users,
        households=households,
        members=members,
        accounts=accounts,
        id_numbers={place: m.reveal_id_number() for place, m in members.items()},
        cadres=cadres,
        departments=departments,
        pairings=pairings,
        leader_assignments=leader_assignments,
        supports=supports,
        assistance=assistance,
        cases=_cases(households, departments),
    )


@dataclass(frozen=True)
class Entry:
    """One URL: how to build it for a place, and the status expected for (role, place, method)."""

    url: Callable[[World, str], str]
    expect: Callable[[str, str, str], int]
    per_place: bool = True  # False: the URL names no object; tested once, place "in_scope"
    body: str = "{}"  # the JSON body sent to API URLs with every method


def _object_url(name: str, objects: str, missing: object) -> Callable[[World, str], str]:
    def build(world: World, place: str) -> str:
        pk = missing if place == "missing" else getattr(world, objects)[place].pk
        return reverse(name, args=[pk])

    return build


def _fixed(name: str) -> Callable[[World, str], str]:
    return lambda world, place: reverse(name)


def _page(allowed: set[str], *, anonymous: int = 302) -> Callable[[str, str, str], int]:
    """A page without an object: 200 on GET for signed-in users, 405 for other methods."""

    def expect(role: str, place: str, method: str) -> int:
        if method not in allowed:
            return 405
        return anonymous if role == "anonymous" else 200

    return expect


def _household_detail(role: str, place: str, method: str) -> int:
    if method != "get":
        return 405
    if role == "anonymous":
        return 302
    return 200 if place in SEES[role] else 404


def _member_reveal(role: str, place: str, method: str) -> int:
    if method != "post":
        return 405
    if role == "anonymous":
        return 302
    if place not in SEES[role]:
        return 404
    return 200 if role in MAY_REVEAL else 403


def _account_list(role: str, place: str, method: str) -> int:
    if method != "get":
        return 405
    return {"anonymous": 302, "office": 200}.get(role, 403)


def _account_role(role: str, place: str, method: str) -> int:
    if method not in {"get", "post"}:
        return 405
    if role == "anonymous":
        return 302
    if role != "office":
        return 403
    return 200 if place in {"in_scope", "sibling"} and method == "get" else (302 if place in SEES[role] else 404)


def _login(role: str, place: str, method: str) -> int:
    return 200 if method in {"get", "post"} else 405


def _logout(role: str, place: str, method: str) -> int:
    return 302 if method == "post" else 405


def _set_language(role: str, place: str, method: str) -> int:
    return 302  # Django's view: every caller is sent back; only a POST changes the language (cookie), nothing else


def _admin_index(role: str, place: str, method: str) -> int:
    if method not in {"get", "post"}:
        return 200 if role == "office" else 302  # the admin answers its own way; only the index is probed
    return 200 if role == "office" else 302


def _api_token(role: str, place: str, method: str) -> int:
    return 400 if method == "post" else 405  # an empty body: the fields are named as missing


def _api_token_revoke(role: str, place: str, method: str) -> int:
    return 401  # revokes the token it is called with: token authentication only, never a session


def _api_token_revoke_all(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if method == "post" else 405


def _api_me(role: str, place: str, method: str) -> int:
    if role == "anonymous":
        return 401
    return 200 if method == "get" else 405


MATRIX: dict[str, Entry] = {
    "home": Entry(_fixed("home"), _page({"get"}), per_place=False),
    "households:detail": Entry(_object_url("households:detail", "households", uuid.uuid4()), _household_detail),
    "households:member-reveal": Entry(_object_url("households:member-reveal", "members", uuid.uuid4()), _member_reveal),
    # The county office's follow-up of ID numbers refused because they are held outside a scope: like the accounts.
    "households:id-conflicts": Entry(_fixed("households:id-conflicts"), _account_list, per_place=False),
    "account-list": Entry(_fixed("account-list"), _account_list, per_place=False),
    "account-role": Entry(_object_url("account-role", "accounts", 999_999), _account_role),
    "login": Entry(_fixed("login"), _login, per_place=False),
    "logout": Entry(_fixed("logout"), _logout, per_place=False),
    "set_language": Entry(_fixed("set_language"), _set_language, per_place=False),
    "api-auth-token": Entry(_fixed("api-auth-token"), _api_token, per_place=False),
    "api-auth-token-revoke": Entry(_fixed("api-auth-token-revoke"), _api_token_revoke, per_place=False),
    "api-auth-token-revoke-all": Entry(_fixed("api-auth-token-revoke-all"), _api_token_revoke_all, per_place=False),
    "api-auth-me": Entry(_fixed("api-auth-me"), _api_me, per_place=False),
    # The contract is public (it holds no data): generated clients and schemathesis read it before signing in.
    "api-schema": Entry(_fixed("api-schema"), _page({"get"}, anonymous=200), per_place=False),
    "api-docs": Entry(_fixed("api-docs"), _page({"get"}, anonymous=200), per_place=False),
    # For a load balancer: the state of the database, cache, broker and beat, no personal data.
    "healthz": Entry(_fixed("healthz"), _page({"get"}, anonymous=200), per_place=False),
}

# The API's resources declare their entries beside this file (one module per app), merged here.
for _module in (
    "tests.matrix_api_registry",
    "tests.matrix_api_ledgers",
    "tests.matrix_api_sync",
    "tests.matrix_api_cases",
    "tests.matrix_api_reports",
    "tests.matrix_pages_cases",
    "tests.matrix_pages_households",
):
    try:
        MATRIX.update(importlib.import_module(_module).ENTRIES)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise
# URL groups answered by a framework's own access rules, each probed through one representative URL.
DECLARED_PREFIXES = {
    "admin:": ("admin:index", _admin_index),
}
# Django's account pages we do not serve to anyone but signed-in users changing their own password.
NOT_SERVED = {
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def _named_urls(patterns=None, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>")
    return names


def test_every_url_is_declared():
    undeclared = [
        name
        for name in _named_urls()
        if name not in MATRIX
        and name not in NOT_SERVED
        and not any(name.startswith(prefix) for prefix in DECLARED_PREFIXES)
    ]
    assert not undeclared, f"declare these URLs in the permission matrix: {undeclared}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_matrix(client, world, name, role):
    """All places and methods of one URL for one role; every mismatch and leak is listed at once."""
    entry = MATRIX[name]
    if role != "anonymous":
        client.force_login(world.users[role])
    problems = []
    for place in PLACES if entry.per_place else ["in_scope"]:
        for method in METHODS:
            url = entry.url(world, place)
            if url.startswith("/api/") and method != "get":
                response = getattr(client, method)(url, data=entry.body, content_type="application/json")
            else:
                response = getattr(client, method)(url)
            expected = entry.expect(role, place, method)
            where = f"{method.upper()} {name} as {role} on {place}"
            if response.status_code != expected:
                problems.append(f"{where}: {response.status_code}, expected {expected}")
            body = response.content.decode(errors="replace")
            if not (role in MAY_REVEAL and name in REVEALING) and FULL_ID_NUMBER.search(body):
                problems.append(f"{where}: a full ID number leaked")
            for other in {"in_scope", "sibling", "elsewhere"} - SEES.get(role, set()):
                household = world.households[other]
                if household.head_name in body or household.phone in body:
                    problems.append(f"{where}: the {other} household leaked")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("prefix", list(DECLARED_PREFIXES))
@pytest.mark.parametrize("role", ROLES)
def test_framework_url_groups(client, world, prefix, role):
    name, expect = DECLARED_PREFIXES[prefix]
    if role != "anonymous":
        client.force_login(world.users[role])

    assert client.get(reverse(name)).status_code == expect(role, "in_scope", "get")
