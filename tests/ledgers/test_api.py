"""The four ledgers over the API: scoped lists and filters, starting rows through the services (parties resolved
in the caller's scope), ending rows (the row stays, with its reason and actor), refusals that change nothing,
bad input that answers 4xx, and a fixed number of queries whatever the page size."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Role
from cadres.models import Rank
from divisions.models import KeyVillageCategory, KeyVillageDesignation
from ledgers.models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    LeaderAssignmentFactory,
    PairingFactory,
    UserFactory,
    VillageAssistanceFactory,
    county,
    township,
    village,
)

PAIRINGS = reverse("api-pairing-list")
TODAY = timezone.localdate()


def post(client, url, body):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def end_url(prefix: str, pk) -> str:
    return reverse(f"{prefix}-end", args=[pk])


@pytest.fixture
def users(db):
    return {
        "office": UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county()),
        "leader": UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county()),
        "township": UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101")),
        "sibling": UserFactory(username="sibling", role=Role.TOWNSHIP, division=township("513224102")),
        "cadre": UserFactory(username="cadre", role=Role.CADRE),
        "no_role": UserFactory(username="nobody", role=""),
    }


@pytest.fixture
def place(db):
    """A cadre and a household of 513224101 (the township's), and the same of the sibling township."""
    return {
        "cadre": CadreFactory(name="张三", rank=Rank.VILLAGE_CADRE, division=village(), department=None),
        "household": HouseholdFactory(village=village(), head_name="在册户"),
        "sibling_cadre": CadreFactory(
            name="王五", rank=Rank.VILLAGE_CADRE, division=village("513224102201"), department=None
        ),
        "sibling_household": HouseholdFactory(village=village("513224102201"), head_name="邻乡户"),
    }


def login(client, users, role, language="en"):
    client.force_login(users[role])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


# --- pairings: lists -----------------------------------------------------------------------------------------


def test_pairing_rows_carry_the_ledger_columns(client, users, place):
    pairing = PairingFactory(cadre=place["cadre"], household=place["household"], created_by=users["township"])

    row = login(client, users, "township").get(reverse("api-pairing-detail", args=[pairing.pk])).json()

    assert row == {
        "id": pairing.pk,
        "cadre": {"id": place["cadre"].pk, "name": "张三"},
        "household": {
            "id": str(place["household"].pk),
            "village": "513224101201",
            "number": place["household"].number,
            "head_name": "在册户",
        },
        "is_primary": True,
        "start_date": pairing.start_date.isoformat(),
        "end_date": None,
        "start_reason": "initial",
        "end_reason": "",
        "created_by": "township",
        "ended_by": None,
        "is_active": True,
        # Added with the sync record's fields (the record is this detail's subset).
        "ended": False,
        "updated_at": timezone.localtime(pairing.updated_at).isoformat(),
    }


def test_pairing_lists_never_hold_foreign_rows(client, users, place):
    own = PairingFactory(cadre=place["cadre"], household=place["household"])
    sibling = PairingFactory(cadre=place["sibling_cadre"], household=place["sibling_household"])
    foreign = PairingFactory(household=HouseholdFactory(village=village("513225101201")))

    def ids(role):
        return sorted(row["id"] for row in login(client, users, role).get(PAIRINGS).json()["results"])

    assert ids("office") == sorted([own.pk, sibling.pk])
    assert ids("township") == [own.pk]
    assert ids("sibling") == [sibling.pk]
    assert ids("no_role") == []
    assert foreign.pk not in ids("leader")


def test_the_cadre_sees_its_own_pairings(client, users, place):
    place["cadre"].user = users["cadre"]
    place["cadre"].save()
    own = PairingFactory(cadre=place["cadre"], household=place["household"])
    PairingFactory(cadre=place["sibling_cadre"], household=place["sibling_household"])

    rows = login(client, users, "cadre").get(PAIRINGS).json()["results"]

    assert [row["id"] for row in rows] == [own.pk]


def test_pairing_filters(client, users, place):
    own = PairingFactory(cadre=place["cadre"], household=place["household"])
    sibling = PairingFactory(cadre=place["sibling_cadre"], household=place["sibling_household"])
    ended = PairingFactory(cadre=place["sibling_cadre"], household=HouseholdFactory(village=village("513224102201")))
    ended.end_date, ended.end_reason = TODAY, "moved"
    ended.save()
    login(client, users, "office")

    def ids(query):
        response = client.get(PAIRINGS, query)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids({"cadre": place["cadre"].pk}) == [own.pk]
    assert ids({"household": str(place["sibling_household"].pk)}) == [sibling.pk]
    assert ids({"within": "513224102"}) == sorted([sibling.pk, ended.pk])
    assert ids({"within": "513224101201"}) == [own.pk]
    assert ids({"active": "true"}) == sorted([own.pk, sibling.pk])
    assert ids({"active": "false"}) == [ended.pk]
    assert ids({"q": "在册"}) == [own.pk]


@pytest.mark.parametrize(
    "query", [{"active": "perhaps"}, {"household": "not-a-uuid"}, {"cadre": "x"}, {"within": "5132241O1"}]
)
def test_pairing_list_bad_filters_are_400(client, users, place, query):
    assert login(client, users, "office").get(PAIRINGS, query).status_code == 400


def test_a_pairing_of_another_township_is_404_and_logged(client, users, place):
    sibling = PairingFactory(cadre=place["sibling_cadre"], household=place["sibling_household"])
    login(client, users, "township")

    response = client.get(reverse("api-pairing-detail", args=[sibling.pk]))

    assert response.status_code == 404
    assert "邻乡户" not in response.content.decode()
    assert AccessLog.objects.filter(user=users["township"], object_id=str(sibling.pk)).exists()
    assert client.get(reverse("api-pairing-detail", args=["1x"])).status_code == 404


# --- pairings: start -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["township", "office"])
def test_township_and_office_pair_a_household(client, users, place, role):
    body = {"cadre": place["cadre"].pk, "household": str(place["household"].pk), "reason": "包户到人"}

    response = post(login(client, users, role), PAIRINGS, body)

    assert response.status_code == 201, response.json()
    pairing = Pairing.objects.get()
    assert (pairing.cadre, pairing.household, pairing.start_reason) == (place["cadre"], place["household"], "包户到人")
    assert pairing.created_by == users[role]
    assert response.json()["created_by"] == role
    assert response.json()["start_date"] == TODAY.isoformat()


@pytest.mark.parametrize("role", ["leader", "cadre", "no_role"])
def test_other_roles_may_not_pair(client, users, place, role):
    body = {"cadre": place["cadre"].pk, "household": str(place["household"].pk)}

    assert post(login(client, users, role), PAIRINGS, body).status_code == 403
    assert not Pairing.objects.exists()


def test_a_household_outside_the_scope_is_400_and_nothing_is_written(client, users, place):
    body = {"cadre": place["cadre"].pk, "household": str(place["sibling_household"].pk)}

    response = post(login(client, users, "township"), PAIRINGS, body)

    assert response.status_code == 400
    assert response.json() == {"household": [f"Household {place['sibling_household'].pk} was not found."]}
    assert not Pairing.objects.exists()


def test_a_cadre_outside_the_scope_is_400_and_nothing_is_written(client, users, place):
    body = {"cadre": place["sibling_cadre"].pk, "household": str(place["household"].pk)}

    response = post(login(client, users, "township"), PAIRINGS, body)

    assert response.status_code == 400
    assert list(response.json()) == ["cadre"]
    assert not Pairing.objects.exists()


def test_a_second_primary_pairing_is_refused_with_the_services_message(client, users, place):
    PairingFactory(cadre=place["sibling_cadre"], household=place["household"])
    body = {"cadre": place["cadre"].pk, "household": str(place["household"].pk)}

    response = post(login(client, users, "township"), PAIRINGS, body)

    assert response.status_code == 400
    assert "already paired" in response.json()["household"][0]
    assert Pairing.objects.count() == 1


def _pairing_body(place, **changes):
    return {"cadre": place["cadre"].pk, "household": str(place["household"].pk), **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "start_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "0000-01-01"}, "start_date"),
        ({"household": "not-a-uuid"}, "household"),
        ({"household": str(uuid.uuid4())}, "household"),
        ({"cadre": "seven"}, "cadre"),
        ({"cadre": 2**63}, "cadre"),
        ({"cadre": None}, "cadre"),
        ({"is_primary": "perhaps"}, "is_primary"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": {"nested": 1}}, "reason"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_pairing_bad_input_is_400_and_writes_nothing(client, users, place, changes, field):
    response = post(login(client, users, "township"), PAIRINGS, _pairing_body(place, **changes))

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("raw", ["{", "[1, 2]", "42", '{"cadre": }', "\ufffe"])
def test_malformed_pairing_bodies_are_400(client, users, place, raw):
    assert post(login(client, users, "township"), PAIRINGS, raw).status_code == 400
    assert not Pairing.objects.exists()


def test_pairing_list_offers_no_put_or_delete(client, users, place):
    pairing = PairingFactory(cadre=place["cadre"], household=place["household"])
    login(client, users, "office")

    assert client.put(PAIRINGS, data="{}", content_type="application/json").status_code == 405
    assert client.delete(reverse("api-pairing-detail", args=[pairing.pk])).status_code == 405
    assert Pairing.objects.count() == 1


# --- pairings: end -------------------------------------------------------------------------------------------


def test_ending_a_pairing_keeps_the_row_with_reason_and_actor(client, users, place):
    pairing = PairingFactory(cadre=place["cadre"], household=place["household"])
    yesterday = TODAY - dt.timedelta(days=1)

    response = post(
        login(client, users, "township"),
        end_url("api-pairing", pairing.pk),
        {"reason": "户已迁出", "end_date": yesterday.isoformat()},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["end_date"] == yesterday.isoformat()
    assert (response.json()["end_reason"], response.json()["ended_by"]) == ("户已迁出", "township")
    assert response.json()["is_active"] is False
    pairing.refresh_from_db()
    assert (pairing.end_date, pairing.end_reason, pairing.ended_by) == (yesterday, "户已迁出", users["township"])
    assert Pairing.objects.count() == 1


def test_refusals_are_translated(client, users, place):
    PairingFactory(cadre=place["sibling_cadre"], household=place["household"])
    body = {"cadre": place["cadre"].pk, "household": str(place["household"].pk)}

    response = post(login(client, users, "township", language="zh-hans"), PAIRINGS, body)

    assert "已与王五结对" in response.json()["household"][0]


def test_ending_an_ended_pairing_is_400_and_changes_nothing(client, users, place):
    pairing = PairingFactory(cadre=place["cadre"], household=place["household"])
    url = end_url("api-pairing", pairing.pk)
    login(client, users, "township")
    assert post(client, url, {"reason": "first"}).status_code == 200

    response = post(client, url, {"reason": "second"})

    assert response.status_code == 400
    assert "already ended" in response.json()["non_field_errors"][0]
    pairing.refresh_from_db()
    assert pairing.end_reason == "first"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x", "end_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "end_date"),
        ({"reason": "x", "end_date": "1999-01-01"}, "end_date"),
        ({"reason": "x", "end_date": "13/01/2026"}, "end_date"),
        ({"reason": "x", "extra": 1}, "extra"),
        ({"reason": ["a", "b"]}, "reason"),
    ],
)
def test_bad_end_input_is_400_and_changes_nothing(client, users, place, body, field):
    pairing = PairingFactory(cadre=place["cadre"], household=place["household"])

    response = post(login(client, users, "township"), end_url("api-pairing", pairing.pk), body)

    assert response.status_code == 400
    assert field in response.json(), response.json()
    pairing.refresh_from_db()
    assert pairing.end_date is None


def test_ending_refusals_change_nothing(client, users, place):
    own = PairingFactory(cadre=place["cadre"], household=place["household"])
    sibling = PairingFactory(cadre=place["sibling_cadre"], household=place["sibling_household"])

    assert post(login(client, users, "leader"), end_url("api-pairing", own.pk), {"reason": "x"}).status_code == 403
    assert post(login(client, users, "township"), end_url("api-pairing", sibling.pk), {"reason": "x"}).status_code == (
        404
    )
    assert post(client, end_url("api-pairing", 999_999), {"reason": "x"}).status_code == 404
    assert Pairing.objects.active().count() == 2


# --- the other three ledgers ---------------------------------------------------------------------------------


@pytest.fixture
def parties(db):
    leader = CadreFactory(name="县领导", rank=Rank.COUNTY_LEADER, division=county(), department=None)
    official = CadreFactory(name="驻村干部", division=county(), department=None)
    bureau = DepartmentFactory(name="县教育局", division=county())
    key_village = village("513224102201")
    KeyVillageDesignation.objects.create(village=key_village, category=KeyVillageCategory.WEAK_AND_LAX, year=2026)
    township("513224101")
    foreign_bureau = DepartmentFactory(name="外县局", division=county("513225"))
    foreign_leader = CadreFactory(rank=Rank.COUNTY_LEADER, department=None, division=county("513225"))
    village("513225101201")
    return {
        "leader": leader,
        "official": official,
        "bureau": bureau,
        "key_village": key_village,
        "foreign_bureau": foreign_bureau,
        "foreign_leader": foreign_leader,
    }


LEDGERS = {
    "api-leader-assignment": (
        LeaderAssignment,
        lambda p: {"cadre": p["leader"].pk, "township": "513224101"},
        {"cadre": lambda p: p["foreign_leader"].pk, "township": lambda p: "513225101"},
    ),
    "api-department-support": (
        DepartmentSupport,
        lambda p: {"department": p["bureau"].pk, "township": "513224101"},
        {"department": lambda p: p["foreign_bureau"].pk, "township": lambda p: "513225101"},
    ),
    "api-village-assistance": (
        VillageAssistance,
        lambda p: {"cadre": p["official"].pk, "village": "513224102201", "role": "first_secretary"},
        {"cadre": lambda p: p["foreign_leader"].pk, "village": lambda p: "513225101201"},
    ),
}


@pytest.mark.parametrize("prefix", list(LEDGERS))
def test_office_starts_and_ends_a_row(client, users, parties, prefix):
    model, body, _ = LEDGERS[prefix]
    login(client, users, "office")

    started = post(client, reverse(f"{prefix}-list"), {**body(parties), "reason": "县委安排"})

    assert started.status_code == 201, started.json()
    row = model.objects.get()
    assert (row.created_by, row.start_reason, row.start_date) == (users["office"], "县委安排", TODAY)
    assert started.json()["created_by"] == "office"

    ended = post(client, end_url(prefix, row.pk), {"reason": "任务调整"})

    assert ended.status_code == 200, ended.json()
    row.refresh_from_db()
    assert (row.end_date, row.end_reason, row.ended_by) == (TODAY, "任务调整", users["office"])
    assert model.objects.count() == 1
    assert client.get(reverse(f"{prefix}-detail", args=[row.pk])).json()["end_reason"] == "任务调整"
    assert post(client, end_url(prefix, row.pk), {"reason": "again"}).status_code == 400


@pytest.mark.parametrize("prefix", list(LEDGERS))
@pytest.mark.parametrize("role", ["township", "leader", "cadre", "no_role"])
def test_only_the_office_starts_rows(client, users, parties, prefix, role):
    model, body, _ = LEDGERS[prefix]

    assert post(login(client, users, role), reverse(f"{prefix}-list"), body(parties)).status_code == 403
    assert not model.objects.exists()


@pytest.mark.parametrize("prefix", list(LEDGERS))
def test_parties_outside_the_scope_are_400_and_nothing_is_written(client, users, parties, prefix):
    model, body, outside = LEDGERS[prefix]
    login(client, users, "office")

    for field, value in outside.items():
        response = post(client, reverse(f"{prefix}-list"), {**body(parties), field: value(parties)})

        assert response.status_code == 400
        assert list(response.json()) == [field]
    assert not model.objects.exists()


@pytest.mark.parametrize("prefix", list(LEDGERS))
@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": (TODAY + dt.timedelta(days=3)).isoformat()},
        {"start_date": "2026-13-01"},
        {"unknown": True},
        {"reason": 12345678901234567890 * 10**200},
    ],
)
def test_other_ledgers_bad_input_is_400(client, users, parties, prefix, changes):
    model, body, _ = LEDGERS[prefix]

    response = post(login(client, users, "office"), reverse(f"{prefix}-list"), {**body(parties), **changes})

    assert response.status_code == 400
    assert not model.objects.exists()


def test_service_rules_answer_400(client, users, parties):
    login(client, users, "office")

    not_a_leader = post(
        client, reverse("api-leader-assignment-list"), {"cadre": parties["official"].pk, "township": "513224101"}
    )
    not_a_township = post(
        client, reverse("api-department-support-list"), {"department": parties["bureau"].pk, "township": "513224"}
    )
    not_a_key_village = post(
        client, reverse("api-village-assistance-list"), {"cadre": parties["official"].pk, "village": "513224101201"}
    )

    assert (not_a_leader.status_code, list(not_a_leader.json())) == (400, ["cadre"])
    assert (not_a_township.status_code, list(not_a_township.json())) == (400, ["township"])
    assert (not_a_key_village.status_code, list(not_a_key_village.json())) == (400, ["village"])


def test_other_ledgers_are_scoped(client, users, parties):
    own = LeaderAssignmentFactory(cadre=parties["leader"], township=township("513224101"))
    sibling = DepartmentSupportFactory(department=parties["bureau"], township=township("513224102"))
    foreign = VillageAssistanceFactory(cadre=parties["foreign_leader"], village=village("513225101201"))
    login(client, users, "township")

    assert [r["id"] for r in client.get(reverse("api-leader-assignment-list")).json()["results"]] == [own.pk]
    assert client.get(reverse("api-department-support-list")).json()["results"] == []
    assert client.get(reverse("api-department-support-detail", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("api-village-assistance-detail", args=[foreign.pk])).status_code == 404
    assert post(client, end_url("api-department-support", sibling.pk), {"reason": "x"}).status_code == 404
    assert post(client, end_url("api-leader-assignment", own.pk), {"reason": "x"}).status_code == 403
    assert LeaderAssignment.objects.active().count() == 1


def test_other_ledger_filters(client, users, parties):
    a = LeaderAssignmentFactory(cadre=parties["leader"], township=township("513224101"))
    b = LeaderAssignmentFactory(cadre=parties["leader"], township=township("513224102"))
    b.end_date, b.end_reason = TODAY, "x"
    b.save()
    support = DepartmentSupportFactory(department=parties["bureau"], township=township("513224102"))
    posting = VillageAssistanceFactory(cadre=parties["official"], village=parties["key_village"], role="team_leader")
    login(client, users, "office")

    def ids(name, query):
        response = client.get(reverse(name), query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("api-leader-assignment-list", {"active": "true"}) == [a.pk]
    assert ids("api-leader-assignment-list", {"within": "513224102"}) == [b.pk]
    assert ids("api-leader-assignment-list", {"cadre": parties["official"].pk}) == []
    assert ids("api-department-support-list", {"department": parties["bureau"].pk}) == [support.pk]
    assert ids("api-department-support-list", {"township": "513224101"}) == []
    assert ids("api-village-assistance-list", {"village": "513224102201", "role": "team_leader"}) == [posting.pk]
    assert client.get(reverse("api-village-assistance-list"), {"role": "boss"}).status_code == 400


# --- queries -------------------------------------------------------------------------------------------------


def _make_rows(prefix: str, n: int) -> None:
    for i in range(n):
        v = village(f"513224101{200 + i:03d}")
        if prefix == "api-pairing":
            PairingFactory(cadre=CadreFactory(division=v, department=None), household=HouseholdFactory(village=v))
        elif prefix == "api-leader-assignment":
            LeaderAssignmentFactory(cadre=CadreFactory(rank=Rank.COUNTY_LEADER), township=township())
        elif prefix == "api-department-support":
            DepartmentSupportFactory(department=DepartmentFactory(), township=township())
        else:
            VillageAssistanceFactory(cadre=CadreFactory(), village=v)


@pytest.mark.parametrize("rows", [5, 30])
@pytest.mark.parametrize("prefix", ["api-pairing", *LEDGERS])
@pytest.mark.parametrize("role", ["office", "township"])
def test_ledger_lists_cost_the_same_queries_for_any_page_size(
    client, users, django_assert_num_queries, prefix, rows, role
):
    _make_rows(prefix, rows)
    login(client, users, role)
    url = reverse(f"{prefix}-list")

    with CaptureQueriesContext(connection) as one:
        first = client.get(url, {"page_size": 1})
    assert first.json()["count"] == rows
    with django_assert_num_queries(len(one)):
        full = client.get(url, {"page_size": 200})

    assert len(full.json()["results"]) == rows
    assert len(one) <= 4  # session, user, count, page
