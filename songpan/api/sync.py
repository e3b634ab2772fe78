"""The sync feed, ``GET /api/v1/sync/?since=<cursor>&limit=<n>``: a phone rebuilds its data from nothing, then
stays current with small requests.

What a page is
--------------
``{"cursor": "<opaque>", "more": bool, "reset": bool, "changes": [change, ...]}``, each change
``{"resource": "household"|"member"|"pairing"|"case", "id": "...", "op": "upsert"|"delete", "at": "<ISO time>",
"data": {...}|null}``. ``data`` is the compact record (``null`` for a delete). The client applies the changes in
order, stores ``cursor`` and asks again with ``since=<cursor>`` while ``more`` is true; later it polls with the
last cursor. ``limit`` is 1..500 (default 200; larger values are clamped to 500, anything else is 400).

What is in the feed
-------------------
Only what ``accounts.scoping.scope_for(user)`` lets the caller see, resource by resource (``RESOURCES``): a
role-less user gets an empty feed. Every row has a *sync time* and the feed is ordered by the key
``(sync time, stream, id)`` — ``stream`` being the resource and the kind of change, e.g. ``member.upsert``,
``member.deleted`` — so that rows changed in the same microsecond are ordered too and paging never loses or
repeats one. Within a walk the cursor is the key of the last change sent and the next page starts strictly after
it (see Cursors for the page that ends a walk).

- **Upserts**: every row in scope whose sync time is after the cursor. The sync time is the row's ``updated_at``,
  or later when the row *entered the scope* later: for a cadre, a household and its members enter with the
  cadre's active pairing (the pairing's ``updated_at``); for staff of a division (county, township, department),
  members and pairings enter with their household (a household that moves into the township carries its members
  and pairings along, so the household's ``updated_at`` counts for them: editing a household re-sends its members
  to division staff, never to cadres).
- **Tombstones** (``op: "delete"``), only when a cursor is given (a phone that starts from nothing has nothing to
  delete):

  * ``left`` — a cadre's pairing ended (the pairing itself stays in the feed as an upsert with ``"ended": true``
    and ``end_date``) and the cadre has no other active pairing with the household: tombstones for the household
    and for each of its members, at the pairing's ``updated_at``. For division staff: a household outside the
    scope now, changed since the cursor, whose history shows it inside the scope at some time (it moved to
    another township or county) → tombstones for it, its members and its pairings, at its ``updated_at``. The
    history test is "was ever inside", so a household that left long ago and is edited again sends a redundant
    tombstone (harmless: deleting an id the phone does not hold does nothing).
  * ``deleted`` — a member removed by ``households.services.member_remove``: its django-simple-history "-"
    record (``history_date``) whose household is in the scope (for a cadre: any household the cadre is or was
    paired with).

  A household tombstone means "drop this household and everything of it": clients cascade, so that a member
  deleted after its household left the scope does not linger. Deleting an id the phone does not hold does
  nothing: the pages after the first of a full sync may carry tombstones of things it never received.

Cursors
-------
Opaque to clients: URL-safe base64 of ``v1|<scope>|<issued>|<sync time>|<stream>|<id>[|<low>]``, where ``<scope>`` is a
short fingerprint of what the scope is made of (the role and the divisions, or the cadre) and ``<issued>`` when
the cursor was handed out. In the middle of a walk (``more`` true) the position is the key of the last change
sent; the page that ends a walk hands out "now minus the settle window" (``<stream>`` and ``<id>`` empty), so a
quiet feed's cursor does not age. Handled cases:

- malformed (not ours, truncated, unknown stream, bad id or time) → ``InvalidCursor`` (the view answers 400
  ``{"detail": ...}``);
- from another scope (the account was moved to another township, its department's townships changed, the role
  changed) or issued more than ``SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS`` ago (default 90: history and tombstones
  are not promised forever; any purge of the simple-history tables must keep longer than this) → the page is
  the first page of a full sync with ``"reset": true``: the client discards everything it holds from this feed
  before applying the page;
- from the future (a forged cursor, a server clock set back) → treated as "now minus the settle window": nothing
  is skipped, at worst recent changes are sent again (upserts and deletes are idempotent).

Commit order: ``updated_at`` is taken when a row is saved, not when its transaction commits, so a long
transaction can commit rows older than a cursor already handed out. The cursor that ends a walk is therefore held
back to a *horizon*: ``now - SONGPAN_SYNC_SETTLE_SECONDS`` (default 10), and on PostgreSQL no later than the
start of the oldest transaction that is still writing to the database (``pg_stat_activity``), less the same
window (for the clocks of the application and database servers). The next poll sends again what changed since
the horizon: rows of a transaction still open are read once it commits, however long it ran. Pages in the middle
of a walk carry the exact key, so a walk always progresses, and the lowest horizon seen during the walk
(``<low>``), so that a transaction that commits in the middle of a walk is read again after it. Two limits: a
writer open longer than ``SONGPAN_SYNC_MAX_HOLD_SECONDS`` (default 3600) no longer holds the horizon back (a
session left idle in a transaction must not make every phone download the last days again on every poll), and
on PostgreSQL the database role must see the other sessions' transactions (the same role, or
``pg_read_all_stats``). SQLite has one writer at a time and no such view: the settle window alone applies.

Cases follow ``accounts.scoping`` like the rest: a cadre gets the cases of its paired households (entering with
the pairing, as the household does) and the cases it reported; township and county staff the cases of their area,
village-level ones (no household) included; department staff those of the townships it supports and every case
their department has or had a part in, even when it supports no township (``Scope.sees_anything``). A case keeps its
village when its household moves, so division staff sync it by its own ``updated_at`` (every transition, edit and
mediation session bumps it), and a household leaving a cadre's scope tombstones only the cases the cadre no longer
sees (not those it reported). Cases are never deleted.

Cost: one query per stream (plus the household's categories and income sources, and the cases' units, prefetched)
and at most two to build the scope, whatever ``limit`` is. Adding a resource (visits, activities) is one
``Resource`` entry in ``RESOURCES`` with its serializer; its upserts and tombstones follow from ``household_path``.
"""

import base64
import binascii
import datetime as dt
import hashlib
import heapq
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import phone_for
from accounts.scoping import Scope, scope_for
from grievances.models import Case, CaseUnit, PartStatus, UnitRole
from households.models import Household, Member
from ledgers.models import Pairing

DEFAULT_LIMIT = 200
MAX_LIMIT = 500
_VERSION = "v1"


class InvalidCursor(ValueError):
    """The ``since`` cursor cannot be read (the view answers 400)."""


# -- compact records ---------------------------------------------------------------------------------------------


def _household_data(household: Household, user) -> dict[str, Any]:
    return {
        "id": str(household.pk),
        "village": household.village_id,
        "number": household.number,
        "address": household.address,
        "head_name": household.head_name,
        "phone": phone_for(user, household.phone),
        "categories": [category.code for category in household.categories.all()],
        "income_sources": [
            {"year": s.year, "kind": s.kind, "annual_amount": s.annual_amount, "note": s.note}
            for s in household.income_sources.all()
        ],
        "difficulties": household.difficulties,
        "aspirations": household.aspirations,
        "special_problems": household.special_problems,
        "risk_level": household.risk_level,
        "status": household.status,
        "version": household.version,
        "updated_at": household.updated_at.isoformat(),
    }


def _member_data(member: Member, user) -> dict[str, Any]:
    return {
        "id": str(member.pk),
        "household": str(member.household_id),
        "name": member.name,
        "relation": member.relation,
        "id_number": member.id_number_masked,  # masked, as everywhere in the API; reveal is its own endpoint
        "sex": member.sex,
        "birth_date": member.birth_date.isoformat() if member.birth_date else None,
        "ethnicity": member.ethnicity,
        "education": member.education,
        "health": member.health,
        "health_note": member.health_note,
        "employment": member.employment,
        "phone": phone_for(user, member.phone),
        "is_party_member": member.is_party_member,
        "version": member.version,
        "updated_at": member.updated_at.isoformat(),
    }


def _pairing_data(pairing: Pairing, user) -> dict[str, Any]:
    return {
        "id": pairing.pk,
        "cadre": pairing.cadre_id,
        "household": str(pairing.household_id),
        "is_primary": pairing.is_primary,
        "start_date": pairing.start_date.isoformat(),
        "end_date": pairing.end_date.isoformat() if pairing.end_date else None,
        "start_reason": pairing.start_reason,
        "end_reason": pairing.end_reason,
        "ended": pairing.end_date is not None,
        "updated_at": pairing.updated_at.isoformat(),
    }


def _case_data(case: Case, user) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "reference": case.reference,
        "kind": case.kind,
        "category": case.category_id,
        "source": case.source,
        "household": str(case.household_id) if case.household_id else None,
        "village": case.village_id,
        "title": case.title,
        "description": case.description,
        "status": case.status,
        "priority": case.priority,
        "level": case.level,
        "responsible_unit": case.responsible_unit_id,
        "responsible_unit_name": case.responsible_unit.name if case.responsible_unit else None,
        "co_units": [
            {"unit": part.unit_id, "name": part.unit.name, "status": part.status}
            for part in case.units.all()
            if part.role == UnitRole.CO and part.status != PartStatus.REFERRED
        ],
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "overdue": case.is_overdue,
        "satisfaction": case.satisfaction,
        "resolution": case.resolution,
        "dispute_outcome": case.dispute_outcome,
        "reopen_count": case.reopen_count,
        "duplicate_of": str(case.duplicate_of_id) if case.duplicate_of_id else None,
        "version": case.version,
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
    }


# -- what each resource contributes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One resource of the feed.

    ``household_path``: the lookup from the model to its household's id (``"pk"`` for households): the row
    enters and leaves the scope with that household. ``own_for_cadre``: a cadre sees these rows as its own (its
    pairings), whatever becomes of the household: no "left" tombstones for cadres then.
    ``history_scope``: for models whose rows are deleted, the lookup from their simple-history record to the
    household id; "-" records become tombstones.
    ``own_place``: the row has a place of its own and may have no household (a case: its village, its reporting
    cadre and its units keep it in a scope the household left): division staff's sync time is the row's own
    ``updated_at`` (not its household's), and "left" tombstones spare rows still in the scope.
    """

    name: str
    model: type
    serialize: Callable[[Any, Any], dict[str, Any]]
    household_path: str
    own_for_cadre: bool = False
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[Any, ...] = ()
    history_household_path: str | None = None
    own_place: bool = False


RESOURCES: list[Resource] = [
    Resource(
        "household",
        Household,
        _household_data,
        household_path="pk",
        prefetch_related=("categories", "income_sources"),
    ),
    Resource("member", Member, _member_data, household_path="household_id", history_household_path="household_id"),
    Resource("pairing", Pairing, _pairing_data, household_path="household_id", own_for_cadre=True),
    Resource(
        "case",
        Case,
        _case_data,
        household_path="household_id",
        own_place=True,
        select_related=("responsible_unit",),
        prefetch_related=(Prefetch("units", queryset=CaseUnit.objects.select_related("unit")),),
    ),
]


# -- keys and cursors --------------------------------------------------------------------------------------------

Key = tuple[dt.datetime, str, Any]  # (sync time, stream name, id)


def _scope_fingerprint(scope: Scope) -> str:
    if scope.role == Role.DEPARTMENT:
        # The department too: its cases follow it, whatever townships it supports (none, perhaps).
        basis = f"{scope.role}:{scope.user.department_id}:{','.join(scope.division_codes)}"
    elif scope.division_codes:
        basis = f"{scope.role}:{','.join(scope.division_codes)}"
    elif scope.cadre_id:
        basis = f"{scope.role}:cadre:{scope.cadre_id}"
    else:
        basis = "nothing"
    return hashlib.sha256(basis.encode()).hexdigest()[:12]


def encode_cursor(fingerprint: str, key: Key, *, issued: dt.datetime, low: dt.datetime | None = None) -> str:
    at, stream, pk = key
    times = f"{issued.astimezone(dt.UTC).isoformat()}|{at.astimezone(dt.UTC).isoformat()}"
    raw = f"{_VERSION}|{fingerprint}|{times}|{stream}|{pk}"
    if low is not None:
        raw += f"|{low.astimezone(dt.UTC).isoformat()}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class _Cursor:
    fingerprint: str
    issued: dt.datetime
    key: Key
    low: dt.datetime | None = None  # the lowest horizon seen so far in the walk (cursors in the middle of one)


def _id_type(stream: str) -> Callable[[str], Any]:
    resource = next((r for r in RESOURCES if stream.startswith(f"{r.name}.")), None)
    if resource is None:
        raise InvalidCursor(_("This sync cursor names an unknown resource."))
    return int if resource.model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"} else uuid.UUID


def decode_cursor(cursor: str) -> _Cursor:
    message = _("This sync cursor is not valid: start a full sync without one.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        fields = raw.split("|")
        if len(fields) == 6:  # handed out before cursors carried the walk's horizon, or ending a walk
            fields.append("")
        version, fingerprint, issued_text, at_text, stream, pk_text, low_text = fields
        issued, at = dt.datetime.fromisoformat(issued_text), dt.datetime.fromisoformat(at_text)
        low = dt.datetime.fromisoformat(low_text) if low_text else None
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise InvalidCursor(message) from None
    if version != _VERSION or not fingerprint or at.tzinfo is None or issued.tzinfo is None:
        raise InvalidCursor(message)
    if low is not None and low.tzinfo is None:
        raise InvalidCursor(message)
    if stream and stream not in _STREAMS:
        raise InvalidCursor(message)
    if not stream or not pk_text:  # a held-back position: a time only
        if stream or pk_text:
            raise InvalidCursor(message)
        pk: Any = ""
    else:
        try:
            pk = _id_type(stream)(pk_text)
        except (ValueError, TypeError, AttributeError):
            raise InvalidCursor(message) from None
        if isinstance(pk, int) and not 0 <= pk < 2**63:  # outside any database integer: would not bind
            raise InvalidCursor(message)
    return _Cursor(fingerprint, issued, (at, stream, pk), low)


# -- streams -------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    user: Any
    scope: Scope
    since: Key | None


def _active_pairing_at(cadre_id: int, household_ref: str) -> Subquery:
    """When the cadre's active pairing with the household (at ``household_ref``) last changed."""
    pairings = Pairing.objects.active().filter(cadre_id=cadre_id, household_id=OuterRef(household_ref))
    return Subquery(pairings.order_by("-updated_at").values("updated_at")[:1], output_field=DateTimeField())


def _households_left(ctx: _Context) -> QuerySet:
    """Households that were in the scope and are not now, annotated ``left_at``."""
    scope = ctx.scope
    in_scope = scope.filter(Household.objects.filter(pk=OuterRef("pk")))
    if scope.division_codes:
        was_inside = Q(pk__in=[])
        for code in scope.division_codes:
            was_inside |= Q(village__code__startswith=code)
        history = Household.history.model.objects.filter(was_inside, id=OuterRef("pk"))
        return Household.objects.filter(Exists(history)).exclude(Exists(in_scope)).annotate(left_at=F("updated_at"))
    if scope.cadre_id:
        ended = Pairing.objects.ended().filter(cadre_id=scope.cadre_id, household_id=OuterRef("pk"))
        return (
            Household.objects.filter(Exists(ended))
            .exclude(Exists(in_scope))
            .annotate(left_at=Subquery(ended.order_by("-updated_at").values("updated_at")[:1]))
        )
    return Household.objects.none().annotate(left_at=F("updated_at"))


def _upserts(resource: Resource, ctx: _Context) -> QuerySet:
    queryset = ctx.scope.filter(resource.model.objects.all())
    if ctx.scope.cadre_id and not resource.own_for_cadre:
        entered = _active_pairing_at(ctx.scope.cadre_id, resource.household_path)
        sync_at = Greatest("updated_at", Coalesce(entered, "updated_at"), output_field=DateTimeField())
    elif ctx.scope.division_codes and resource.household_path != "pk" and not resource.own_place:
        # Coalesce: GREATEST with a NULL is NULL on SQLite (and not on PostgreSQL), should a household be missing.
        household = Coalesce(f"{resource.household_path.removesuffix('_id')}__updated_at", "updated_at")
        sync_at = Greatest("updated_at", household, output_field=DateTimeField())
    else:
        sync_at = F("updated_at")
    queryset = queryset.annotate(sync_at=sync_at)
    if resource.select_related:
        queryset = queryset.select_related(*resource.select_related)
    if resource.prefetch_related:
        queryset = queryset.prefetch_related(*resource.prefetch_related)
    return queryset


def _left(resource: Resource, ctx: _Context) -> QuerySet | None:
    if ctx.scope.cadre_id and resource.own_for_cadre:
        return None
    left = _households_left(ctx)
    if resource.household_path == "pk":
        return left.annotate(sync_at=F("left_at"))
    rows = resource.model.objects.filter(**{f"{resource.household_path}__in": left.values("pk")})
    if resource.own_place:
        rows = rows.exclude(pk__in=ctx.scope.filter(resource.model.objects.all()).values("pk"))
    return rows.annotate(sync_at=Subquery(left.filter(pk=OuterRef(resource.household_path)).values("left_at")[:1]))


def _deleted(resource: Resource, ctx: _Context) -> QuerySet | None:
    path = resource.history_household_path
    if path is None:
        return None
    scope = ctx.scope
    if scope.division_codes:
        households = scope.filter(Household.objects.all())
    elif scope.cadre_id:
        households = Household.objects.filter(
            Exists(Pairing.objects.filter(cadre_id=scope.cadre_id, household_id=OuterRef("pk")))
        )
    else:
        return None
    history = resource.model.history.model.objects
    return history.filter(history_type="-", **{f"{path}__in": households.values("pk")}).annotate(
        sync_at=F("history_date")
    )


@dataclass(frozen=True)
class _Stream:
    name: str  # "<resource>.<kind>", part of the ordering key
    resource: Resource
    op: str  # "upsert" or "delete"
    build: Callable[[Resource, _Context], QuerySet | None]
    pk_field: str = "pk"
    tombstone: bool = False  # only sent to a client that holds data (a cursor is given)


_STREAMS: dict[str, _Stream] = {}
for _resource in RESOURCES:
    for _stream in (
        _Stream(f"{_resource.name}.upsert", _resource, "upsert", _upserts),
        _Stream(f"{_resource.name}.left", _resource, "delete", _left, tombstone=True),
        _Stream(f"{_resource.name}.deleted", _resource, "delete", _deleted, pk_field="id", tombstone=True),
    ):
        _STREAMS[_stream.name] = _stream


def _after(queryset: QuerySet, stream: _Stream, since: Key | None) -> QuerySet:
    """Rows strictly after ``since`` in the key order (sync time, stream name, id)."""
    if since is None:
        return queryset
    at, name, pk = since
    if stream.name > name:
        return queryset.filter(sync_at__gte=at)
    if stream.name < name:
        return queryset.filter(sync_at__gt=at)
    if pk == "":
        return queryset.filter(sync_at__gte=at)
    return queryset.filter(Q(sync_at__gt=at) | Q(sync_at=at, **{f"{stream.pk_field}__gt": pk}))


@dataclass(frozen=True)
class SyncPage:
    cursor: str
    more: bool
    reset: bool
    changes: list[dict[str, Any]]


def _oldest_open_write() -> dt.datetime | None:
    """When the oldest transaction still writing to this database began (PostgreSQL; None elsewhere or when
    there is none). ``backend_xid`` is set once a transaction has written; the caller's own is left out."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        # The activity view is read once per transaction and then cached: drop a copy read earlier in this one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def sync_horizon(now: dt.datetime) -> dt.datetime:
    """The time up to which every change is surely committed and visible (see "Commit order")."""
    settle = dt.timedelta(seconds=settings.SONGPAN_SYNC_SETTLE_SECONDS)
    horizon = now - settle
    open_since = _oldest_open_write()
    max_hold = dt.timedelta(seconds=settings.SONGPAN_SYNC_MAX_HOLD_SECONDS)
    if open_since is not None and open_since > now - max_hold:
        horizon = min(horizon, open_since - settle)
    return horizon


def sync_page(*, user, cursor: str | None, limit: int = DEFAULT_LIMIT) -> SyncPage:
    """One page of the caller's feed after ``cursor`` (None: a full sync). Raises ``InvalidCursor``."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    now = timezone.now()
    settled = sync_horizon(now)
    oldest = now - dt.timedelta(days=settings.SONGPAN_SYNC_CURSOR_MAX_AGE_DAYS)
    scope = scope_for(user)
    fingerprint = _scope_fingerprint(scope)

    since: Key | None = None
    reset = False
    low = settled  # the lowest horizon of this walk
    if cursor:
        parsed = decode_cursor(cursor)
        if parsed.fingerprint != fingerprint or parsed.issued < oldest:
            reset = True  # another scope, or older than what the feed keeps: start again from nothing
        elif parsed.key[0] > now or parsed.issued > now:
            since = (settled, "", "")  # from the future: resend rather than skip
        else:
            since = parsed.key
            if parsed.low is not None:
                low = min(low, parsed.low)
    ctx = _Context(user=user, scope=scope, since=since)

    fetched: list[list[tuple[Key, _Stream, Any]]] = []
    if scope.sees_anything:
        for stream in _STREAMS.values():
            if stream.tombstone and since is None:
                continue
            queryset = stream.build(stream.resource, ctx)
            if queryset is None:
                continue
            queryset = _after(queryset, stream, since).order_by("sync_at", stream.pk_field)[: limit + 1]
            fetched.append(
                [((row.sync_at, stream.name, getattr(row, stream.pk_field)), stream, row) for row in queryset]
            )

    merged = list(heapq.merge(*fetched, key=lambda item: item[0]))
    page, more = merged[:limit], len(merged) > limit
    changes = [_change(stream, row, key, user) for key, stream, row in page]

    # In the middle of a walk: the exact key of the last change, and the walk's lowest horizon. At its end:
    # everything up to now has been sent, so the client resumes from that horizon (rows of transactions open
    # while the walk read may commit later with earlier times: they are read again, not lost).
    if more:
        next_cursor = encode_cursor(fingerprint, page[-1][0], issued=now, low=low)
    else:
        next_cursor = encode_cursor(fingerprint, (low, "", ""), issued=now)
    return SyncPage(cursor=next_cursor, more=more, reset=reset, changes=changes)


def _change(stream: _Stream, row: Any, key: Key, user) -> dict[str, Any]:
    return {
        "resource": stream.resource.name,
        "id": str(key[2]),
        "op": stream.op,
        "at": key[0].isoformat(),
        "data": stream.resource.serialize(row, user) if stream.op == "upsert" else None,
    }
