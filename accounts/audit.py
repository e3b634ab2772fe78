"""The one writer of the access log (logins, refusals, reveals, exports, role changes).

Call ``access_log_write`` inside the transaction of the action it records: if the log cannot be written, the
action fails with it. Never pass a sensitive value (an ID number, a password, a token) in ``detail``.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AccessEvent, AccessLog, AccessOutcome, User

_SENSITIVE_KEYS = frozenset({"id_number", "password", "token", "otp", "secret", "phone"})


def request_address(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For hop when behind our own proxy."""
    if request is None:
        return None
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
    return AccessLog.objects.create(
        event=event,
        outcome=outcome,
        user=user,
        username=(user.get_username() if user else username)[:150],
        role=getattr(user, "role", "") or "",
        object_type=object_type[:60],
        object_id=str(object_id)[:64],
        ip_address=request_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        path=(request.path if request else "")[:300],
        detail=detail,
    )
