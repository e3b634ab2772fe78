"""The sync feed ``GET /api/v1/sync/`` (songpan.api.sync): first sync, paging, incremental changes, tombstones."""

import base64
import datetime as dt
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from grievances.models import Case
from grievances.services import case_submit
from households.models import Household, Member, Relation
from households.services import household_update, member_remove
from ledgers.models import Pairing
from ledgers.services import pairing_create, pairing_end
from songpan.api.sync import encode_cursor
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    county,
    township,
    village,
)

URL = reverse("api-sync")


@pytest.fixture(autouse=True)
def _no_settle_window(settings):
    """Most tests read the exact cursor; the settle window has its own test."""
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 0


class County:
    def __init__(self):
        self.v1, self.v2 = village("513224101201"), village("513224102201")
        self.office = UserFactory(username="office", role=Role.COUNTY_OFFICE, division=county())
        self.township_user = UserFactory(username="township", role=Role.TOWNSHIP, division=township("513224101"))
        self.cadre_user = UserFactory(username="cadre", role=Role.CADRE)
        self.cadre = CadreFactory(user=self.cadre_user, name="干部甲")
        self.other_cadre = CadreFactory(name="干部乙")
        self.h1 = HouseholdFactory(village=self.v1, head_name="甲一户", phone="13800001111")
        self.h2 = HouseholdFactory(village=self.v1, head_name="甲二户")
        self.h3 = HouseholdFactory(village=self.v1, head_name="乙户")  # another cadre's, same township
        self.h4 = HouseholdFactory(village=self.v2, head_name="邻乡户")  # another township
        self.members = {
            "h1": [
                MemberFactory(household=self.h1, relation=Relation.HEAD, phone="13900001111"),
                MemberFactory(household=self.h1, relation=Relation.SPOUSE, sex="female"),
            ],
            "h2": [MemberFactory(household=self.h2)],
            "h3": [MemberFactory(household=self.h3)],
            "h4": [MemberFactory(household=self.h4)],
        }
        self.p1 = PairingFactory(cadre=self.cadre, household=self.h1)
        self.p2 = PairingFactory(cadre=self.cadre, household=self.h2)
        self.p3 = PairingFactory(cadre=self.other_cadre, household=self.h3)


@pytest.fixture
def world(db) -> County:
    return County()


def sync(client, user, since: str | None = None, limit: int | None = None, status: int = 200) -> dict:
    client.force_login(user)
    params = {}
    if since is not None:
        params["since"] = since
    if limit is not None:
        params["limit"] = limit
    response = client.get(URL, params)
    assert response.status_code == status, response.content
    return response.json()


def walk(client, user, since: str | None = None, limit: int = 200) -> tuple[list[dict], str]:
    """Every change after ``since``, page by page; returns them and the last cursor."""
    changes: list[dict] = []
    for _ in range(1000):
        page = sync(client, user, since=since, limit=limit)
        changes += page["changes"]
        since = page["cursor"]
        if not page["more"]:
            return changes, since
    raise AssertionError("the walk never ended")


def keys(changes: list[dict]) -> list[tuple[str, str, str]]:
    return [(c["resource"], c["id"], c["op"]) for c in changes]


def upserts(*objects) -> set[tuple[str, str, str]]:
    names = {Household: "household", Member: "member", Pairing: "pairing"}
    return {(names[type(o)], str(o.pk), "upsert") for o in objects}


def deletes(*objects) -> set[tuple[str, str, str]]:
    names = {Household: "household", Member: "member", Pairing: "pairing"}
    return {(names[type(o)], str(o.pk), "delete") for o in objects}


# -- first sync ---------------------------------------------------------------------------------------------


def test_first_sync_of_a_cadre_is_exactly_its_paired_households_their_members_and_its_pairings(client, world):
    page = sync(client, world.cadre_user)

    assert page["more"] is False and page["reset"] is False and page["cursor"]
    assert set(keys(page["changes"])) == upserts(
        world.h1, world.h2, *world.members["h1"], *world.members["h2"], world.p1, world.p2
    )
    assert len(page["changes"]) == 7  # nothing twice
    household = next(c["data"] for c in page["changes"] if c["id"] == str(world.h1.pk))
    assert household["head_name"] == "甲一户" and household["village"] == "513224101201"
    assert household["phone"] == "13800001111"  # a cadre calls its households


def test_first_sync_never_shows_another_cadres_or_another_townships_households(client, world):
    body = str(sync(client, world.cadre_user))

    for other in (world.h3, world.h4):
        assert str(other.pk) not in body and other.head_name not in body


def test_id_numbers_are_masked_and_phones_follow_the_role(client, world):
    leader = UserFactory(username="leader", role=Role.COUNTY_LEADER, division=county())

    changes = sync(client, leader)["changes"]

    member = next(c["data"] for c in changes if c["id"] == str(world.members["h1"][0].pk))
    assert member["id_number"] == world.members["h1"][0].id_number_masked and "*" in member["id_number"]
    assert world.members["h1"][0].reveal_id_number() not in str(changes)
    assert member["phone"] == "139****1111"


def test_first_sync_of_a_township_user_is_its_township_only(client, world):
    changes, _ = walk(client, world.township_user)

    assert set(keys(changes)) == upserts(
        world.h1,
        world.h2,
        world.h3,
        *world.members["h1"],
        *world.members["h2"],
        *world.members["h3"],
        world.p1,
        world.p2,
        world.p3,
    )


def test_a_user_without_a_role_gets_an_empty_feed(client, world):
    nobody = UserFactory(username="nobody", role="")

    page = sync(client, nobody)

    assert page["changes"] == [] and page["more"] is False


def test_anonymous_is_refused(client, world):
    assert client.get(URL).status_code == 401


def test_other_methods_are_not_allowed(client, world):
    client.force_login(world.cadre_user)

    assert client.post(URL, data="{}", content_type="application/json").status_code == 405


# -- paging ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_with_a_small_limit_walks_everything_exactly_once(client, world, limit):
    everything = sync(client, world.office, limit=500)["changes"]

    walked, _ = walk(client, world.office, limit=limit)

    assert keys(walked) == keys(everything)
    assert len(set(keys(walked))) == len(walked) == 12


def test_changes_in_the_same_microsecond_are_neither_lost_nor_repeated_across_pages(client, world):
    same = timezone.now() - dt.timedelta(minutes=5)
    Household.objects.update(updated_at=same)
    Member.objects.update(updated_at=same)
    Pairing.objects.update(updated_at=same)
    expected = {k for k in keys(sync(client, world.office, limit=500)["changes"])}

    walked, _ = walk(client, world.office, limit=1)

    assert len(walked) == len(expected) == 12
    assert set(keys(walked)) == expected
    assert {c["at"] for c in walked} == {same.astimezone(dt.UTC).isoformat()}


def test_limit_above_the_maximum_is_clamped(client, world):
    page = sync(client, world.office, limit=10_000)

    assert len(page["changes"]) == 12 and page["more"] is False


# -- incremental sync ----------------------------------------------------------------------------------------


def test_an_incremental_sync_after_a_household_edit_returns_just_that_change(client, world):
    _, cursor = walk(client, world.cadre_user)
    household_update(actor=world.office, household=world.h1, head_name="甲一户（新）")

    page = sync(client, world.cadre_user, since=cursor)

    assert keys(page["changes"]) == [("household", str(world.h1.pk), "upsert")]
    assert page["changes"][0]["data"]["head_name"] == "甲一户（新）"
    assert sync(client, world.cadre_user, since=page["cursor"])["changes"] == []


def test_nothing_changed_gives_an_empty_page_and_a_usable_cursor(client, world):
    _, cursor = walk(client, world.cadre_user)

    page = sync(client, world.cadre_user, since=cursor)

    assert page == {"cursor": page["cursor"], "more": False, "reset": False, "changes": []}


def test_an_ended_pairing_is_a_change_of_the_pairing_and_tombstones_its_household_and_members(client, world):
    _, cursor = walk(client, world.cadre_user)
    pairing_end(actor=world.office, pairing=world.p1, reason="调整帮扶")

    changes, _ = walk(client, world.cadre_user, since=cursor)

    assert set(keys(changes)) == upserts(world.p1) | deletes(world.h1, *world.members["h1"])
    pairing = next(c for c in changes if c["resource"] == "pairing")["data"]
    assert pairing["ended"] is True and pairing["end_date"] == timezone.localdate().isoformat()
    assert all(c["data"] is None for c in changes if c["op"] == "delete")


def test_a_household_paired_again_comes_back_with_its_members(client, world):
    pairing_end(actor=world.office, pairing=world.p1, reason="调整帮扶")
    _, cursor = walk(client, world.cadre_user)

    pairing = pairing_create(actor=world.office, cadre=world.cadre, household=world.h1, reason="重新结对")
    changes, _ = walk(client, world.cadre_user, since=cursor)

    assert set(keys(changes)) == upserts(pairing, world.h1, *world.members["h1"])


def test_a_removed_member_is_a_tombstone(client, world):
    _, cursor = walk(client, world.cadre_user)
    spouse = world.members["h1"][1]
    member_remove(actor=world.office, member=spouse, reason="迁出")

    changes, _ = walk(client, world.cadre_user, since=cursor)

    assert keys(changes) == [("member", str(spouse.pk), "delete")]


def test_a_removed_member_of_another_scope_is_not_in_the_feed(client, world):
    _, cursor = walk(client, world.cadre_user)
    member_remove(actor=world.office, member=world.members["h3"][0], reason="迁出")

    assert walk(client, world.cadre_user, since=cursor)[0] == []


def test_a_household_that_moved_to_another_township_is_a_tombstone_for_the_township(client, world):
    _, cursor = walk(client, world.township_user)
    household_update(actor=world.office, household=world.h2, village=world.v2)

    changes, _ = walk(client, world.township_user, since=cursor)

    assert set(keys(changes)) == deletes(world.h2, *world.members["h2"], world.p2)


def test_a_household_that_moved_in_arrives_with_its_members_and_pairings(client, world):
    other_township = UserFactory(username="township2", role=Role.TOWNSHIP, division=township("513224102"))
    _, cursor = walk(client, other_township)
    household_update(actor=world.office, household=world.h2, village=world.v2)

    changes, _ = walk(client, other_township, since=cursor)

    assert set(keys(changes)) == upserts(world.h2, *world.members["h2"], world.p2)


# -- cursors ---------------------------------------------------------------------------------------------


T = "2026-01-01T00:00:00+00:00"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _b64("v1|abc"),
        _b64(f"v9|abc|{T}|{T}|household.upsert|{uuid.uuid4()}"),
        _b64(f"v1|abc|{T}|2026-01-01T00:00:00|household.upsert|{uuid.uuid4()}"),  # no offset
        _b64(f"v1|abc|{T}|yesterday|household.upsert|{uuid.uuid4()}"),
        _b64(f"v1|abc|{T}|{T}|visit.upsert|1"),
        _b64(f"v1|abc|{T}|{T}|household.upsert|12"),
        _b64(f"v1|abc|{T}|{T}|pairing.upsert|{uuid.uuid4()}"),
        _b64(f"v1|abc|{T}|{T}|pairing.upsert|{2**64}"),
        _b64(f"v1|abc|{T}|{T}|pairing.upsert|-1"),
        _b64(f"v1|abc|{T}|{T}||12"),
        _b64(f"v1|abc|{T}|{T}|household.upsert|"),
        _b64(f"v1||{T}|{T}||"),
        _b64(f"v1|abc|{T}|{T}|household.upsert|{uuid.uuid4()}|soon"),  # the walk's horizon
        _b64(f"v1|abc|{T}|{T}|household.upsert|{uuid.uuid4()}|2026-01-01T00:00:00"),
        _b64(f"v1|abc|{T}|{T}|household.upsert|{uuid.uuid4()}|{T}|more"),
        "8J+YgA",  # valid base64 of an emoji
        "x" * 600,
    ],
)
def test_a_malformed_cursor_is_400_with_a_detail(client, world, cursor):
    body = sync(client, world.cadre_user, since=cursor, status=400)

    assert set(body) == {"detail"}
    assert "JSON" not in body["detail"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_malformed_cursor_says_the_cursor_is_invalid_in_the_callers_language(client, world, language):
    client.force_login(world.cadre_user)

    response = client.get(URL, {"since": _b64("v1|abc")}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    with translation.override(language):
        expected = translation.gettext("This sync cursor is not valid: start a full sync without one.")
    assert response.json() == {"detail": expected}


@pytest.mark.parametrize("limit", ["0", "-3", "many", "1.5"])
def test_a_bad_limit_is_400(client, world, limit):
    client.force_login(world.cadre_user)

    response = client.get(URL, {"limit": limit})

    assert response.status_code == 400 and "detail" in response.json()


def test_a_cursor_of_another_scope_restarts_with_a_full_sync(client, world):
    _, township_cursor = walk(client, world.township_user)

    page = sync(client, world.cadre_user, since=township_cursor)

    assert page["reset"] is True
    assert set(keys(page["changes"])) == upserts(
        world.h1, world.h2, *world.members["h1"], *world.members["h2"], world.p1, world.p2
    )


def test_a_cursor_older_than_the_feed_keeps_restarts_with_a_full_sync(client, world, settings):
    settings.SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS = 30
    _, cursor = walk(client, world.cadre_user)
    fingerprint = base64.urlsafe_b64decode(cursor + "==").decode().split("|")[1]
    issued = timezone.now() - dt.timedelta(days=31)
    old = encode_cursor(fingerprint, (issued, "household.upsert", world.h1.pk), issued=issued)

    page = sync(client, world.cadre_user, since=old)

    assert page["reset"] is True and len(page["changes"]) == 7


def test_a_full_sync_of_data_older_than_the_cursor_age_limit_walks_to_the_end(client, world, settings):
    settings.SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS = 30
    long_ago = timezone.now() - dt.timedelta(days=400)
    Household.objects.update(updated_at=long_ago)
    Member.objects.update(updated_at=long_ago)
    Pairing.objects.update(updated_at=long_ago)

    changes, cursor = walk(client, world.cadre_user, limit=2)
    quiet = sync(client, world.cadre_user, since=cursor)

    assert len(changes) == 7 and len(set(keys(changes))) == 7
    assert quiet["reset"] is False and quiet["changes"] == []


def test_a_cursor_from_the_future_loses_nothing(client, world):
    _, cursor = walk(client, world.cadre_user)
    fingerprint = base64.urlsafe_b64decode(cursor + "==").decode().split("|")[1]
    next_year = timezone.now() + dt.timedelta(days=365)
    future = encode_cursor(fingerprint, (next_year, "member.upsert", uuid.uuid4()), issued=next_year)

    page = sync(client, world.cadre_user, since=future)
    household_update(actor=world.office, household=world.h2, head_name="甲二户（新）")
    later = sync(client, world.cadre_user, since=page["cursor"])

    assert page["reset"] is False
    assert ("household", str(world.h2.pk), "upsert") in keys(later["changes"])


def test_the_settle_window_sends_recent_changes_again_rather_than_risk_losing_them(client, world, settings):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 60
    first, cursor = walk(client, world.cadre_user, limit=2)

    again, _ = walk(client, world.cadre_user, since=cursor, limit=2)

    assert len(first) == 7  # the walk itself sends each change once
    assert set(keys(again)) == set(keys(first))  # just written: within the window, sent again (idempotent)


def test_a_change_older_than_the_settle_window_is_not_sent_again(client, world, settings):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 60
    old = timezone.now() - dt.timedelta(minutes=10)
    Household.objects.update(updated_at=old)
    Member.objects.update(updated_at=old)
    Pairing.objects.update(updated_at=old)
    _, cursor = walk(client, world.cadre_user)

    assert walk(client, world.cadre_user, since=cursor)[0] == []


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="open transactions are read from PostgreSQL's pg_stat_activity"
)


@contextmanager
def another_session_writing():
    """A second connection to the test database inside a transaction that has written (it holds a transaction
    id), like a long import or bulk re-pairing still running; yields when that transaction began (database clock)."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"]
    ) as other:
        with other.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE long_import (n integer)")  # a write: the transaction gets an id
            cursor.execute("SELECT now()")
            started = cursor.fetchone()[0]
        yield started
        other.rollback()


def cursor_time(cursor: str) -> dt.datetime:
    return dt.datetime.fromisoformat(base64.urlsafe_b64decode(cursor + "==").decode().split("|")[3])


@postgresql_only
def test_a_transaction_still_writing_holds_the_cursor_back_until_it_ends(client, world, settings):
    """Its rows carry times from before it commits: the phone must ask again from before it began."""
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 10
    with another_session_writing() as started:
        _, held = walk(client, world.cadre_user)

    _, released = walk(client, world.cadre_user, since=held)

    assert cursor_time(held) <= started - dt.timedelta(seconds=10)
    assert cursor_time(released) > started - dt.timedelta(seconds=10)


@postgresql_only
def test_a_transaction_that_ends_in_the_middle_of_a_walk_still_holds_its_end_back(client, world, settings):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 10
    with another_session_writing() as started:
        first = sync(client, world.cadre_user, limit=2)
    assert first["more"] is True

    _, cursor = walk(client, world.cadre_user, since=first["cursor"], limit=2)

    assert cursor_time(cursor) <= started - dt.timedelta(seconds=10)


@postgresql_only
def test_a_writer_open_longer_than_the_limit_no_longer_holds_the_cursor_back(client, world, settings):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 10
    settings.SONGPAN_SYNC_MAX_HOLD_SECONDS = 0  # every open writer counts as left idle too long
    with another_session_writing() as started:
        _, cursor = walk(client, world.cadre_user)

    assert cursor_time(cursor) > started - dt.timedelta(seconds=10)


# -- cost ------------------------------------------------------------------------------------------------------


@pytest.fixture
def big_world(world) -> County:
    for _ in range(6):
        household = HouseholdFactory(village=world.v1)
        MemberFactory(household=household)
        MemberFactory(household=household, relation=Relation.CHILD)
        PairingFactory(cadre=world.cadre, household=household)
        case_submit(
            actor=world.cadre_user, kind="problem", category="housing", description="Roof leaks.", household=household
        )
    return world


@pytest.mark.parametrize("role", ["cadre_user", "township_user"])
def test_queries_per_page_do_not_depend_on_the_limit(client, big_world, django_assert_num_queries, role):
    user = getattr(big_world, role)
    client.force_login(user)
    _, cursor = walk(client, user)
    Household.objects.update(updated_at=timezone.now())
    Member.objects.update(updated_at=timezone.now())
    Pairing.objects.update(updated_at=timezone.now())
    Case.objects.update(updated_at=timezone.now())
    member_remove(actor=big_world.office, member=big_world.members["h1"][1], reason="迁出")

    # session, user, the cadre (cadres only), one query per stream, the household's categories and income sources,
    # the cases' units; on PostgreSQL two for the oldest open write (the horizon)
    horizon = 2 if connection.vendor == "postgresql" else 0
    expected = {("cadre_user", "full"): 10 + horizon, ("cadre_user", "since"): 14 + horizon}
    expected |= {("township_user", "full"): 9 + horizon, ("township_user", "since"): 14 + horizon}
    for kind, params in (("full", {}), ("since", {"since": cursor})):
        with django_assert_num_queries(expected[role, kind]):
            page = client.get(URL, {"limit": 1, **params})
        assert page.status_code == 200 and page.json()["more"] is True
        with django_assert_num_queries(expected[role, kind]):
            page = client.get(URL, {"limit": 500, **params})
        assert page.status_code == 200 and len(page.json()["changes"]) > 20
