"""The one writer of the access log (logins, refusals, reveals, exports, role changes).

Call ``access_log_write`` inside the transaction of the action it records: if the log cannot be written, the
action fails with it. Never pass a sensitive value (an ID number, a password, a token) in ``detail``.

The only deletion is ``access_log_purge``, the retention purge (``manage.py purge_access_log``, and Celery beat
nightly: ``accounts.tasks.purge_access_log``).
"""

import datetime as dt
import ipaddress
import unicodedata
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from songpan.errors import field_error

from .models import AccessEvent, AccessLog, AccessOutcome, User

_SENSITIVE_KEYS = frozenset({"id_number", "password", "token", "otp", "secret", "phone"})


def log_safe_text(value: Any, *, limit: int) -> str:
    """``value`` as text that any log can hold and any reader can trust: control and format characters (NUL,
    escape sequences, line breaks, direction marks) and backslashes escaped as ``\\x00``, ``\\u200e``, ``\\\\``;
    at most ``limit`` characters, a cut one ending in "…". (PostgreSQL refuses a NUL in text and in JSON.)"""
    text = str(value)[: limit + 1]  # every character escapes to at least one: more cannot fit
    pieces = [_escaped(character) for character in text]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    length = 0
    for piece in pieces:
        if length + len(piece) > limit - 1:
            break
        kept.append(piece)
        length += len(piece)
    return "".join(kept) + "…"


_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SHORT_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(character: str) -> str:
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    if unicodedata.category(character) not in _ESCAPED_CATEGORIES:
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _log_safe_detail(value: Any) -> Any:
    if isinstance(value, str):
        return log_safe_text(value, limit=_DETAIL_TEXT_LIMIT)
    if isinstance(value, dict):
        return {log_safe_text(key, limit=100): _log_safe_detail(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_log_safe_detail(item) for item in value]
    return value


_DETAIL_TEXT_LIMIT = 1000


def request_address(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For hop when behind our own proxy. A hop
    that is not an IP address (the header is the client's to write) counts as absent."""
    if request is None:
        return None
    if settings.USE_X_FORWARDED_FOR:
        forwarded = _ip_address(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip())
        if forwarded:
            return forwarded
    return _ip_address(request.META.get("REMOTE_ADDR") or "")


def _ip_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text)) if text else None
    except ValueError:
        return None


def access_log_write(
    *,
    event: str,
    user: User | None = None,
    request: HttpRequest | None = None,
    outcome: str = AccessOutcome.OK,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    """Append one entry. ``user`` defaults to the request's authenticated user."""
    if event not in AccessEvent.values or outcome not in AccessOutcome.values:
        raise ValueError(f"unknown access-log event or outcome: {event!r}, {outcome!r}")
    detail = dict(detail or {})
    leaked = _SENSITIVE_KEYS & set(detail)
    if leaked:
        raise ValueError(f"sensitive keys may not be logged: {sorted(leaked)}")
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    # Every value a client may have written (an id from the URL, the path, the user agent, a username tried) is
    # made safe here, once: a refusal is logged whatever was sent.
    return AccessLog.objects.create(
        event=event,
        outcome=outcome,
        user=user,
        username=log_safe_text(user.get_username() if user else username, limit=150),
        role=getattr(user, "role", "") or "",
        object_type=log_safe_text(object_type, limit=60),
        object_id=log_safe_text(object_id, limit=64),
        ip_address=request_address(request),
        user_agent=log_safe_text(request.META.get("HTTP_USER_AGENT", "") if request else "", limit=300),
        path=log_safe_text(request.path if request else "", limit=300),
        detail=_log_safe_detail(detail),
    )


class AccessLogPurge(NamedTuple):
    cutoff: dt.datetime  # entries written before this moment are (or, in a dry run, would be) deleted
    count: int  # type: ignore[assignment]  # the number of entries; shadows tuple.count, which nobody calls


@transaction.atomic
def access_log_purge(*, days: int | None = None, dry_run: bool = False) -> AccessLogPurge:
    """Delete the entries older than ``days`` (default ``ACCESS_LOG_RETENTION_DAYS``); a dry run only counts them.

    Refuses (``ValidationError`` on ``days``, nothing deleted) a retention under
    ``ACCESS_LOG_MINIMUM_RETENTION_DAYS``. Idempotent: a second run finds nothing more to delete.
    """
    days = settings.ACCESS_LOG_RETENTION_DAYS if days is None else days
    minimum = settings.ACCESS_LOG_MINIMUM_RETENTION_DAYS
    if days < minimum:
        raise field_error(
            "days",
            _("The access log is kept at least %(minimum)d days."),
            code="under_minimum_retention",
            params={"minimum": minimum},
        )
    cutoff = timezone.now() - dt.timedelta(days=days)
    old = AccessLog.objects.filter(at__lt=cutoff)
    if dry_run:
        return AccessLogPurge(cutoff, old.count())
    postgresql = connection.vendor == "postgresql"
    if postgresql:  # the append-only trigger lets this transaction delete entries past 180 days (migration 0004)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL songpan.access_log_purge = 'on'")
    deleted, _detail = old.delete()
    if postgresql:  # and nothing else later in an enclosing transaction
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL songpan.access_log_purge = 'off'")
    return AccessLogPurge(cutoff, deleted)
