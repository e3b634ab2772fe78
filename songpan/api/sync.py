"""The sync feed, ``GET /api/v1/sync/?since=<cursor>&limit=<n>``: a phone rebuilds its data from nothing, then
stays current with small requests. What the pages, cursors and tombstones promise is written in ``docs/SYNC.md``.

This module is the mechanism only (cursors, paging and merging, tombstones, the settle horizon, the scope's
fingerprint). What is synced is registered by the apps, from ``AppConfig.ready()`` in ``<app>/sync.py``: the
*anchor* (``register_anchor``: the households app says how a household leaves a scope and when it entered a
cadre's) and the *resources* (``register_resource``: one per stream, its record made by the serializer the API's
detail subclasses).
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
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models import Expression, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.serializers import Serializer

from accounts.models import Role
from accounts.scoping import Scope, scope_for

DEFAULT_LIMIT = 200
MAX_LIMIT = 500
_VERSION = "v1"


class InvalidCursor(ValueError):
    """The ``since`` cursor cannot be read (the view answers 400)."""


# -- what the apps register ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """What every row of the feed hangs on (the household): a row enters and leaves a scope with its anchor.

    ``model``: the anchor's model (it has an ``updated_at``). ``left(scope)``: the anchors that were in the scope
    and are not now, annotated ``left_at`` (when they left). ``entered_at(cadre_id, ref)``: an expression for
    when the cadre's link to the anchor whose id is at ``ref`` last changed (NULL when there is none): for a
    cadre, a row enters the scope then. ``held(scope)``: the anchors whose rows' deletions the scope is told of
    (None: no deletions are sent).
    """

    model: type[models.Model]
    left: Callable[[Scope], QuerySet]
    entered_at: Callable[[int, str], Expression | Subquery]
    held: Callable[[Scope], QuerySet | None]


@dataclass(frozen=True)
class Resource:
    """One resource of the feed.

    ``serializer``: makes the record (``songpan.api.serializers.RecordSerializer``; the API's detail serializer of
    the model subclasses it), given ``context={"user", "time_zone"}``.
    ``anchor_path``: the lookup from the model to its anchor's id (``"pk"`` for the anchor itself): the row
    enters and leaves the scope with that anchor. ``own_for_cadre``: a cadre sees these rows as its own (its
    pairings), whatever becomes of the anchor: no "left" tombstones for cadres then.
    ``history_anchor_path``: for models whose rows are deleted, the lookup from their simple-history record to the
    anchor's id; "-" records become tombstones.
    ``own_place``: the row has a place of its own and may have no anchor (a case: its village, its reporting
    cadre and its units keep it in a scope the household left): division staff's sync time is the row's own
    ``updated_at`` (not its anchor's), and "left" tombstones spare rows still in the scope.
    ``select_related``/``prefetch_related``: what the serializer reads, fetched with the page (one query per
    stream, plus one per prefetch). ``api_detail``: the URL name of the API's detail of a row, which shows every
    field of the record with the same values (``tests/api/test_sync_records.py``).
    """

    name: str
    model: type[models.Model]
    serializer: type[Serializer]
    anchor_path: str
    own_for_cadre: bool = False
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[Any, ...] = ()
    history_anchor_path: str | None = None
    own_place: bool = False
    api_detail: str = ""


RESOURCES: list[Resource] = []  # in the order registered (INSTALLED_APPS): the streams' order and the schema's
_ANCHORS: list[Anchor] = []


def register_anchor(anchor: Anchor) -> None:
    """Declare what the feed's rows hang on (once, from the app that owns the model)."""
    if _ANCHORS and _ANCHORS[0] != anchor:
        raise RuntimeError("the sync feed has an anchor already")
    _ANCHORS[:] = [anchor]


def register_resource(resource: Resource) -> None:
    """Add a resource to the feed (from its app's ``AppConfig.ready()``); its streams follow."""
    known = next((r for r in RESOURCES if r.name == resource.name), None)
    if known is not None:
        if known != resource:
            raise RuntimeError(f"the sync feed has a resource {resource.name!r} already")
        return
    RESOURCES.append(resource)
    for stream in (
        _Stream(f"{resource.name}.upsert", resource, "upsert", _upserts),
        _Stream(f"{resource.name}.left", resource, "delete", _left, tombstone=True),
        _Stream(f"{resource.name}.deleted", resource, "delete", _deleted, pk_field="id", tombstone=True),
    ):
        _STREAMS[stream.name] = stream


def _anchor() -> Anchor:
    if not _ANCHORS:
        raise ImproperlyConfigured("No sync anchor is registered (the households app registers it).")
    return _ANCHORS[0]


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


def _upserts(resource: Resource, ctx: _Context) -> QuerySet:
    queryset = ctx.scope.filter(resource.model._default_manager.all())
    if ctx.scope.cadre_id and not resource.own_for_cadre:
        entered = _anchor().entered_at(ctx.scope.cadre_id, resource.anchor_path)
        sync_at: Any = Greatest("updated_at", Coalesce(entered, "updated_at"), output_field=DateTimeField())
    elif ctx.scope.division_codes and resource.anchor_path != "pk" and not resource.own_place:
        # Coalesce: GREATEST with a NULL is NULL on SQLite (and not on PostgreSQL), should an anchor be missing.
        anchor = Coalesce(f"{resource.anchor_path.removesuffix('_id')}__updated_at", "updated_at")
        sync_at = Greatest("updated_at", anchor, output_field=DateTimeField())
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
    left = _anchor().left(ctx.scope)
    if resource.anchor_path == "pk":
        return left.annotate(sync_at=F("left_at"))
    rows = resource.model._default_manager.filter(**{f"{resource.anchor_path}__in": left.values("pk")})
    if resource.own_place:
        rows = rows.exclude(pk__in=ctx.scope.filter(resource.model._default_manager.all()).values("pk"))
    return rows.annotate(sync_at=Subquery(left.filter(pk=OuterRef(resource.anchor_path)).values("left_at")[:1]))


def _deleted(resource: Resource, ctx: _Context) -> QuerySet | None:
    path = resource.history_anchor_path
    if path is None:
        return None
    held = _anchor().held(ctx.scope)
    if held is None:
        return None
    history = resource.model.history.model.objects  # type: ignore[attr-defined]  # simple-history's model
    return history.filter(history_type="-", **{f"{path}__in": held.values("pk")}).annotate(sync_at=F("history_date"))


@dataclass(frozen=True)
class _Stream:
    name: str  # "<resource>.<kind>", part of the ordering key
    resource: Resource
    op: str  # "upsert" or "delete"
    build: Callable[[Resource, _Context], QuerySet | None]
    pk_field: str = "pk"
    tombstone: bool = False  # only sent to a client that holds data (a cursor is given)


_STREAMS: dict[str, _Stream] = {}  # filled by ``register_resource``, in its order


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
    """The time up to which every change is surely committed and visible (docs/SYNC.md, "Commit order")."""
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
    records = _Records(user)
    changes = [_change(stream, row, key, records) for key, stream, row in page]

    # In the middle of a walk: the exact key of the last change, and the walk's lowest horizon. At its end:
    # everything up to now has been sent, so the client resumes from that horizon (rows of transactions open
    # while the walk read may commit later with earlier times: they are read again, not lost).
    if more:
        next_cursor = encode_cursor(fingerprint, page[-1][0], issued=now, low=low)
    else:
        next_cursor = encode_cursor(fingerprint, (low, "", ""), issued=now)
    return SyncPage(cursor=next_cursor, more=more, reset=reset, changes=changes)


class _Records:
    """The records of one page: one serializer per resource (for the reader; times in UTC, as the cursors)."""

    def __init__(self, user) -> None:
        self.context = {"user": user, "time_zone": dt.UTC}
        self.serializers: dict[str, Serializer] = {}

    def of(self, resource: Resource, row: Any) -> dict[str, Any]:
        serializer = self.serializers.get(resource.name)
        if serializer is None:
            serializer = self.serializers[resource.name] = resource.serializer(context=self.context)
        return serializer.to_representation(row)


def _change(stream: _Stream, row: Any, key: Key, records: _Records) -> dict[str, Any]:
    return {
        "resource": stream.resource.name,
        "id": str(key[2]),
        "op": stream.op,
        "at": key[0].isoformat(),
        "data": records.of(stream.resource, row) if stream.op == "upsert" else None,
    }
