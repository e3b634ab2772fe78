"""Every record of the sync feed says what the API's detail of the same row says, to the same reader.

For each registered resource (``songpan.api.sync.RESOURCES``), each role walks its first sync and every record is
compared with ``GET`` of the resource's API detail (``Resource.api_detail``) for the same row, as the same user:
the record's keys are keys of the detail, with the same values. Where the record has an id and the detail a
reference (``{"id": ..., "name": ...}``), the id is compared; nested objects (the co-units' parts) compare key by
key the same way. The feed writes times in UTC (``+00:00``) and the API in the site's time zone, so the walks run
with ``TIME_ZONE = "UTC"``; ``test_times_differ_only_in_their_time_zone`` shows the two forms of one moment.
"""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from cadres.models import Cadre
from households.models import IncomeKind, IncomeSource, Relation
from ledgers.services import pairing_end
from songpan.api.sync import RESOURCES
from tests.factories import HouseholdCategoryFactory, MemberFactory, PairingFactory, valid_id_number
from tests.grievances.conftest import CaseWorld, build_case_world

URL = reverse("api-sync")


@pytest.fixture
def world(db, settings) -> CaseWorld:
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 0
    w = build_case_world()
    # Categories whose sort order is not their codes' order; income sources; members with phones and ID numbers.
    w.household.categories.add(
        HouseholdCategoryFactory(code="zz-first", sort_order=1),
        HouseholdCategoryFactory(code="aa-second", sort_order=2),
    )
    IncomeSource.objects.create(household=w.household, year=2025, kind=IncomeKind.HERDING, annual_amount=38000)
    IncomeSource.objects.create(
        household=w.household, year=2025, kind=IncomeKind.MIGRANT_WORK, annual_amount=12500, note="成都"
    )
    w.household.phone = "13812345678"
    w.household.save()
    MemberFactory(household=w.household, phone="13900001111", id_number=valid_id_number())
    MemberFactory(household=w.household, relation=Relation.CHILD, phone="", id_number="", birth_date=None)
    # An ended pairing beside the active one; cases with and without a household, one with a lead unit and co-units.
    cadre = Cadre.objects.get(user=w.cadre)
    pairing_end(actor=w.office, pairing=PairingFactory(cadre=cadre, household=w.other_household), reason="调整")
    w.to_status(w.submit(), "in_progress")
    w.submit(actor=w.township, household=None, village=w.village_a)
    return w


def _same(record: Any, detail: Any, where: str) -> None:
    if isinstance(record, dict):
        assert isinstance(detail, dict), where
        for key, value in record.items():
            assert key in detail, f"{where}.{key}: not in the API detail"
            _same(value, detail[key], f"{where}.{key}")
    elif isinstance(record, list):
        assert isinstance(detail, list) and len(record) == len(detail), where
        for n, (item, other) in enumerate(zip(record, detail, strict=True)):
            _same(item, other, f"{where}[{n}]")
    elif isinstance(detail, dict) and "id" in detail:  # a reference in the API, its id in the record
        assert record == detail["id"], where
    else:
        assert record == detail, f"{where}: {record!r} in the feed, {detail!r} in the API"


def _first_sync(client, user) -> list[dict]:
    client.force_login(user)
    changes, since = [], None
    for _ in range(100):
        response = client.get(URL, {"limit": 500, **({"since": since} if since else {})})
        assert response.status_code == 200, response.content
        changes += response.json()["changes"]
        since = response.json()["cursor"]
        if not response.json()["more"]:
            return changes
    raise AssertionError("the walk never ended")


def test_the_resources_are_registered_in_the_feeds_order():
    # The stream names are part of the cursors and the resource names an enum of the schema.
    assert [resource.name for resource in RESOURCES] == ["household", "member", "pairing", "case"]
    assert all(resource.api_detail for resource in RESOURCES)


def test_every_record_is_what_the_api_detail_shows(client, world, settings):
    settings.TIME_ZONE = "UTC"
    resources = {resource.name: resource for resource in RESOURCES}
    compared = {name: 0 for name in resources}
    for user in (world.office, world.leader, world.township, world.department, world.cadre):
        for change in _first_sync(client, user):
            assert change["op"] == "upsert"
            resource = resources[change["resource"]]
            response = client.get(reverse(resource.api_detail, args=[change["id"]]))
            assert response.status_code == 200, (user.username, change["resource"], response.content)
            _same(change["data"], response.json(), f"{user.username}:{change['resource']}:{change['id']}")
            compared[resource.name] += 1
    assert all(compared.values()), compared  # every resource had records to compare


def test_the_records_cover_what_the_world_holds(client, world, settings):
    """The world of the comparison is not trivial: sorted categories, income sources, masked phones and ID
    numbers, an ended pairing, a case with its lead unit and co-units."""
    changes = _first_sync(client, world.township)
    households = [c["data"] for c in changes if c["resource"] == "household" and c["id"] == str(world.household.pk)]
    assert households[0]["categories"] == ["aa-second", "zz-first"]
    assert [s["annual_amount"] for s in households[0]["income_sources"]] == [38000, 12500]
    assert households[0]["phone"] == "13812345678"
    department = [c["data"] for c in _first_sync(client, world.department) if c["id"] == str(world.household.pk)]
    assert department[0]["phone"] == "138****5678"  # a department sees phones masked
    members = [c["data"] for c in changes if c["resource"] == "member" and c["data"]["id_number"]]
    assert members and all("*" in m["id_number"] for m in members)
    cases = [c["data"] for c in changes if c["resource"] == "case" and c["data"]["co_units"]]
    assert cases and cases[0]["responsible_unit"] == world.transport.pk
    assert cases[0]["responsible_unit_name"] == world.transport.name
    cadre_changes = _first_sync(client, world.cadre)
    assert sorted(c["data"]["ended"] for c in cadre_changes if c["resource"] == "pairing") == [False, True]


def test_times_differ_only_in_their_time_zone(client, world):
    """The feed writes UTC (``+00:00``), the API the site's time zone (Asia/Shanghai): the same moment."""
    change = next(c for c in _first_sync(client, world.township) if c["resource"] == "household")
    detail = client.get(reverse("api-household-detail", args=[change["id"]])).json()
    assert change["data"]["updated_at"].endswith("+00:00") and detail["updated_at"].endswith("+08:00")
    assert dt.datetime.fromisoformat(change["data"]["updated_at"]) == dt.datetime.fromisoformat(detail["updated_at"])
