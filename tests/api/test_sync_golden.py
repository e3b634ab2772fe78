"""The sync feed, page for page, against pages recorded before the feed was split into per-app registrations.

A small world is built with fixed ids, names and clock; each role walks its first sync in pages of three, then the
world changes (a household edited, a member removed, a pairing ended, a case listed) and each role walks on from
its cursor. Ids that the database numbers (pairings, cadres, departments) are replaced by stable labels, cursors
are decoded and compared field by field. ``SONGPAN_RECORD_GOLDEN=1`` rewrites the file (only when the feed's
output is meant to change: say why in the commit).
"""

import base64
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Role
from grievances.services import case_submit
from households.models import Relation
from households.services import household_update, member_remove
from households.validators import id_number_check_char
from ledgers.services import pairing_end
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    DepartmentSupportFactory,
    HouseholdFactory,
    MemberFactory,
    PairingFactory,
    UserFactory,
    county,
    township,
    village,
)

GOLDEN = Path(__file__).parent / "golden" / "sync_pages.json"
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
URL = reverse("api-sync")  # the URLconf loaded before the clock is frozen (psycopg refuses a frozen date type)


def _uuid(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def _id_number(n: int) -> str:
    """A valid ID number fixed by ``n`` (the factories' numbers depend on what ran before)."""
    first17 = f"51322419800517{n:03d}"
    return first17 + id_number_check_char(first17)


class World:
    def __init__(self) -> None:
        self.labels: dict[tuple[str, str], str] = {}
        v1, v2, v3 = village("513224101201"), village("513224101202"), village("513224102201")
        department = DepartmentFactory(name="县卫健局", division=county())
        DepartmentSupportFactory(department=department, township=township("513224101"))
        self.users = {
            "leader": UserFactory(username="g-leader", role=Role.COUNTY_LEADER, division=county()),
            "office": UserFactory(username="g-office", role=Role.COUNTY_OFFICE, division=county()),
            "township": UserFactory(username="g-township", role=Role.TOWNSHIP, division=township("513224101")),
            "department": UserFactory(username="g-department", role=Role.DEPARTMENT, department=department),
            "cadre": UserFactory(username="g-cadre", role=Role.CADRE),
        }
        cadre = CadreFactory(name="干部甲", user=self.users["cadre"], department=department, phone="13700001111")
        other = CadreFactory(name="干部乙", department=department)
        self.households = []
        for n, (place, name) in enumerate([(v1, "甲一户"), (v1, "甲二户"), (v2, "乙户"), (v3, "邻乡户")], start=1):
            household = HouseholdFactory(
                id=_uuid(n),
                village=place,
                number=f"{n:04d}",
                head_name=name,
                address=f"{name}门牌",
                phone=f"1380000{n:04d}",
            )
            self.households.append(household)
            for m, relation in enumerate([Relation.HEAD, Relation.SPOUSE][: 1 + n % 2], start=1):
                MemberFactory(
                    id=_uuid(100 * n + m),
                    household=household,
                    name=f"{name}成员{m}",
                    relation=relation,
                    id_number=_id_number(10 * n + m),
                    phone=f"1390000{n}{m:03d}",
                )
        self.pairings = [
            PairingFactory(cadre=cadre, household=self.households[0]),
            PairingFactory(cadre=cadre, household=self.households[1]),
            PairingFactory(cadre=other, household=self.households[2]),
        ]
        for kind, label, obj in [
            ("cadre", "cadre-甲", cadre),
            ("cadre", "cadre-乙", other),
            ("unit", "department", department),
        ]:
            self.labels[(kind, str(obj.pk))] = label
        for n, pairing in enumerate(self.pairings, start=1):
            self.labels[("pairing", str(pairing.pk))] = f"pairing-{n}"
        self.cadre = cadre
        self.department = department

    def change(self) -> None:
        household_update(actor=self.users["office"], household=self.households[0], aspirations="修路")
        member = self.households[0].members.get(relation=Relation.SPOUSE)
        member_remove(actor=self.users["office"], member=member, reason="迁出")
        pairing_end(actor=self.users["office"], pairing=self.pairings[1], reason="调整")
        case_submit(
            actor=self.users["cadre"],
            kind="problem",
            category="health",
            description="看病远",
            household=self.households[0],
            id=_uuid(900),
        )


def _label_ints(value: Any, labels: dict[tuple[str, str], str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _label_ints(v, labels, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_label_ints(v, labels, key) for v in value]
    kind = {"cadre": "cadre", "responsible_unit": "unit", "unit": "unit"}.get(key)
    if kind and isinstance(value, int) and not isinstance(value, bool):
        return labels.get((kind, str(value)), f"unknown-{key}")
    return value


def _normalise(page: dict, labels: dict[tuple[str, str], str]) -> dict:
    changes = []
    for change in page["changes"]:
        change = dict(change)
        if change["resource"] == "pairing":
            change["id"] = labels[("pairing", change["id"])]
            if change["data"] is not None:
                change["data"] = dict(change["data"], id=change["id"])
        changes.append(_label_ints(change, labels))
    raw = base64.urlsafe_b64decode(page["cursor"] + "=" * (-len(page["cursor"]) % 4)).decode().split("|")
    if raw[4].startswith("pairing.") and raw[5]:
        raw[5] = labels[("pairing", raw[5])]
    return {"more": page["more"], "reset": page["reset"], "cursor": raw[:1] + raw[2:], "changes": changes}


def _walk(client, user, labels, since: str | None) -> tuple[list[dict], str]:
    client.force_login(user)
    pages = []
    for _ in range(100):
        response = client.get(URL, {"limit": 3, **({"since": since} if since else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(_normalise(body, labels))
        since = body["cursor"]
        if not body["more"]:
            return pages, since
    raise AssertionError("the walk never ended")


def test_every_role_gets_the_recorded_pages(db, client, settings, monkeypatch):
    settings.SONGPAN_SYNC_SETTLE_SECONDS = 0
    # The throttles keep ``time.time`` as a class attribute, which freezegun cannot replace: call it through.
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: time.time()))
    settings.LANGUAGE_CODE = "en"
    walks: dict[str, Any] = {}
    with freeze_time(START) as clock:
        world = World()
        clock.tick(dt.timedelta(minutes=5))
        cursors = {}
        for role, user in world.users.items():
            walks[f"{role}/first"], cursors[role] = _walk(client, user, world.labels, None)
        clock.tick(dt.timedelta(minutes=5))
        world.change()
        clock.tick(dt.timedelta(minutes=5))
        for role, user in world.users.items():
            walks[f"{role}/next"], _ = _walk(client, user, world.labels, cursors[role])

    if os.environ.get("SONGPAN_RECORD_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(walks, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("golden pages recorded")
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(walks) == sorted(recorded)
    for name in recorded:
        assert json.loads(json.dumps(walks[name])) == recorded[name], name
