"""Sign-in sessions and API tokens: issuing, revoking and ending them (issue 3, "Login security").

Browser sessions last 30 minutes without a request and 12 hours at most (``SESSION_IDLE_TIMEOUT``,
``SESSION_ABSOLUTE_TIMEOUT``): the sign-in time and the last activity are kept in the session itself and checked
on every request by ``accounts.middleware.SessionLifetimeMiddleware``. Each session's key is also written to
``UserSession``, so that ``user_disable`` can end all of a user's sessions without scanning the session table.

API tokens are django-rest-knox tokens (``ApiToken``: only a SHA-512 digest is stored), one per device, expiring
after ``REST_KNOX["TOKEN_TTL"]``. Every issue, revocation and account disabling writes the access log in the
same transaction.

Expired sessions and tokens are removed nightly by Celery beat (``accounts.tasks``): the session store keeps an
expired session until it is cleared, and knox deletes an expired token only when it is presented again.
"""

import logging
import time
from importlib import import_module
from typing import NamedTuple

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from songpan.records import history_by

from .audit import access_log_write, request_address
from .models import AccessEvent, ApiToken, User, UserSession
from .two_factor import SecondFactor, second_factor_check

logger = logging.getLogger(__name__)

# Keys in the session (seconds since the epoch).
SESSION_STARTED = "songpan_started"
SESSION_SEEN = "songpan_seen"
SESSION_TRACKED_KEY = "songpan_key"
# The last activity is written at most once a minute: an idle limit of 30 minutes does not need more, and a
# session row is not rewritten on every request.
SESSION_SEEN_RESOLUTION = 60

DEFAULT_DEVICE = "default"

SECOND_FACTOR_MESSAGES = {
    SecondFactor.MISSING: _(
        "Your role signs in with a second factor: enter the 6-digit code from your authenticator app, or one of "
        "your backup codes."
    ),
    SecondFactor.INVALID: _("The authenticator code is not correct, or the backup code has already been used."),
    SecondFactor.NO_DEVICE: _(
        "Your role must sign in with an authenticator app, but none is set up for your account. Ask the county "
        "mass-work office to set one up."
    ),
}


def session_end_message(reason: str) -> str:
    """What the sign-in page says after ``SessionLifetimeMiddleware`` ended a session."""
    if reason == "session_idle":
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return ngettext(
            "You were signed out after %(minutes)d minute without activity. Please sign in again.",
            "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
            minutes,
        ) % {"minutes": minutes}
    if reason == "session_max_age":
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        return ngettext(
            "You were signed out because a session lasts at most %(hours)d hour. Please sign in again.",
            "You were signed out because a session lasts at most %(hours)d hours. Please sign in again.",
            hours,
        ) % {"hours": hours}
    return gettext("Your session has ended. Please sign in again.")


class SignInRefused(Exception):
    """A token request that is refused: ``reason`` is a stable code for clients, ``message`` is for people."""

    def __init__(self, reason: str, message: str = "", *, locked: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.locked = locked


class IssuedToken(NamedTuple):
    instance: ApiToken
    token: str  # shown to the client once; only its digest is stored


# --- Failed sign-ins ----------------------------------------------------------------------------------------


def sign_in_failed(*, request: HttpRequest, username: str, reason: str) -> None:
    """Record a sign-in refused after the password was checked (a missing or wrong second factor).

    Sent as Django's ``user_login_failed``, like a wrong password, so that django-axes counts it towards the
    lockout and ``accounts.auth_events`` writes the access-log row.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request, reason=reason)


def is_locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


# --- Browser sessions ---------------------------------------------------------------------------------------


def session_register(*, request: HttpRequest, user: User) -> None:
    """At sign-in: start the session's clocks and remember that its key belongs to ``user``."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SESSION_STARTED] = now
    session[SESSION_SEEN] = now
    if session.session_key:
        UserSession.objects.filter(
            user=user, created__lt=timezone.now() - settings.SESSION_ABSOLUTE_TIMEOUT
        ).delete()  # sessions past their absolute limit are dead anyway
        UserSession.objects.update_or_create(session_key=session.session_key, defaults={"user": user})
        session[SESSION_TRACKED_KEY] = session.session_key


def session_expiry_reason(session) -> str | None:
    """Why this signed-in session must end now (``session_idle``, ``session_max_age``), or None."""
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "session_unknown"  # not started by our sign-in (e.g. from before this rule): end it
    now = time.time()
    if now - started >= settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return "session_max_age"
    if now - seen >= settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return "session_idle"
    return None


def session_touch(*, request: HttpRequest, user_id) -> None:
    """On a request in a live session: note the activity, and follow a rotated session key."""
    session = request.session
    now = int(time.time())
    if now - session.get(SESSION_SEEN, 0) >= SESSION_SEEN_RESOLUTION:
        session[SESSION_SEEN] = now
    key = session.session_key
    if key and session.get(SESSION_TRACKED_KEY) != key:  # e.g. after a password change (update_session_auth_hash)
        UserSession.objects.update_or_create(session_key=key, defaults={"user_id": user_id})
        session[SESSION_TRACKED_KEY] = key


def session_forget(*, request: HttpRequest) -> None:
    """At sign-out: the session is flushed by Django; forget its key."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete every browser session of ``user`` (whatever the session engine), but the one ``keep_session_key``
    names. Returns how many were listed."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    listed = UserSession.objects.filter(user=user)
    if keep_session_key:
        listed = listed.exclude(session_key=keep_session_key)
    keys = list(listed.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def sessions_clear_expired() -> int:
    """Remove expired sessions from the session store (what ``manage.py clearsessions`` does), then forget the
    ``UserSession`` rows whose session no longer exists. Returns how many rows were forgotten. Idempotent."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    try:
        store.clear_expired()
    except NotImplementedError:
        logger.warning("The session engine %s cannot clear expired sessions.", settings.SESSION_ENGINE)
    if hasattr(store, "get_model_class"):  # a database-backed engine (db, cached_db): one query
        live = store.get_model_class().objects.values("session_key")
        forgotten, _detail = UserSession.objects.exclude(session_key__in=live).delete()
        return forgotten
    gone = [key for key in UserSession.objects.values_list("session_key", flat=True) if not store().exists(key)]
    forgotten, _detail = UserSession.objects.filter(session_key__in=gone).delete()
    return forgotten


# --- API tokens ---------------------------------------------------------------------------------------------


def device_name_clean(device: str | None) -> str:
    name = " ".join((device or "").split())  # no control characters or runs of spaces
    return name[: ApiToken._meta.get_field("device").max_length] or DEFAULT_DEVICE


def api_sign_in(
    *, request: HttpRequest, username: str, password: str, otp: str | None = None, device: str | None = None
) -> IssuedToken:
    """The API token endpoint: the same checks as the web sign-in (lockout, password, second factor for the
    county leader and office roles), then a token for ``device``. Raises ``SignInRefused``."""
    user = authenticate(request, username=username, password=password)
    if is_locked_out(request):
        raise SignInRefused("locked_out", locked=True)
    if user is None:
        raise SignInRefused("invalid_credentials", _("The username or password is not correct."))
    factor = second_factor_check(user=user, code=otp)
    if not factor.passed:
        sign_in_failed(request=request, username=username, reason=factor.value)
        if is_locked_out(request):
            raise SignInRefused("locked_out", locked=True)
        raise SignInRefused(factor.value, SECOND_FACTOR_MESSAGES[factor])
    if settings.AXES_RESET_ON_SUCCESS:  # as a web sign-in does
        AxesProxyHandler.reset_attempts(ip_address=request_address(request), username=username)
    return api_token_issue(user=user, device=device, request=request, second_factor=factor)


@transaction.atomic
def api_token_issue(
    *,
    user: User,
    device: str | None = None,
    request: HttpRequest | None = None,
    second_factor: SecondFactor = SecondFactor.NOT_REQUIRED,
) -> IssuedToken:
    """A new token for ``user`` on ``device``; the device's previous token, if any, stops working."""
    device = device_name_clean(device)
    # Serialise concurrent sign-ins of one user, so that the one-token-per-device constraint is never raced.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    replaced, _detail = ApiToken.objects.filter(user=user, device=device).delete()
    instance, token = ApiToken.objects.create(user=user, device=device)
    detail = {"device": device, "replaced": bool(replaced), "expiry": instance.expiry.isoformat()}
    if second_factor is not SecondFactor.NOT_REQUIRED:
        detail["second_factor"] = second_factor.value
    access_log_write(event=AccessEvent.TOKEN_CREATED, user=user, request=request, detail=detail)
    return IssuedToken(instance, token)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, request: HttpRequest | None = None) -> None:
    """Revoke one token (the one a client signs out with)."""
    user, device = token.user, token.device
    ApiToken.objects.filter(pk=token.pk).delete()
    access_log_write(event=AccessEvent.TOKEN_REVOKED, user=user, request=request, detail={"device": device})


@transaction.atomic
def api_tokens_revoke_all(*, user: User, request: HttpRequest | None = None) -> int:
    """Revoke every token of ``user`` (a lost phone, "sign out everywhere"). Returns how many there were."""
    count, _detail = ApiToken.objects.filter(user=user).delete()
    access_log_write(
        event=AccessEvent.TOKEN_REVOKED, user=user, request=request, detail={"all_devices": True, "count": count}
    )
    return count


@transaction.atomic
def api_tokens_delete_expired() -> int:
    """Delete the tokens whose expiry has passed (knox refuses them already; this removes what knox would delete
    only if they were presented again, e.g. the token of a lost phone). Tokens without an expiry stay. Returns how
    many were deleted. Idempotent."""
    deleted, _detail = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


# --- Ending what an account signed in with -------------------------------------------------------------------


class SignInsEnded(NamedTuple):
    sessions: int
    tokens: int


class EndReason:
    """Why ``user_sign_ins_end`` ended an account's sessions and tokens (the ``reason`` in the access log)."""

    ROLE_CHANGED = "role_changed"  # its role or its scope (division, department) changed
    SCOPE_CHANGED = "scope_changed"  # the cadre record it signs in as changed
    PRIVILEGES_CHANGED = "privileges_changed"  # staff, superuser, groups or permissions changed in the admin
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason; by the user, whose browser stays signed in
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a reason; set by the county office in the admin


def _sign_ins_end(*, user: User, keep_session_key: str | None = None) -> SignInsEnded:
    sessions = user_sessions_end(user=user, keep_session_key=keep_session_key)
    tokens, _detail = ApiToken.objects.filter(user=user).delete()
    return SignInsEnded(sessions, tokens)


@transaction.atomic
def user_sign_ins_end(
    *,
    actor: User | None,
    user: User,
    reason: str,
    request: HttpRequest | None = None,
    keep_session_key: str | None = None,
) -> SignInsEnded:
    """End every browser session and API token of ``user`` now, and log it (event ``sessions_ended``).

    Called by every change of what an account may do or prove (``EndReason``): a role, scope or privilege
    change, a password change (``keep_session_key``: the session the user changed it in stays) and a password
    reset. Whatever was issued before (a token obtained without a second factor, a session of the old role)
    stops working; the account signs in again under its new rules.
    """
    ended = _sign_ins_end(user=user, keep_session_key=keep_session_key)
    detail = {"reason": reason, "sessions_ended": ended.sessions, "tokens_revoked": ended.tokens}
    if keep_session_key:
        detail["current_session_kept"] = True
    access_log_write(event=AccessEvent.SESSIONS_ENDED, user=actor, request=request, target=user, detail=detail)
    return ended


@transaction.atomic
def user_password_changed(*, request: HttpRequest, user: User) -> SignInsEnded:
    """After ``user`` changed its own password in this request's session: keep this session (its key was just
    rotated by ``update_session_auth_hash``), end every other session and every API token."""
    key = request.session.session_key
    rotated_from = request.session.get(SESSION_TRACKED_KEY)
    if rotated_from and rotated_from != key:  # this session under its old key: gone already, not "another" one
        UserSession.objects.filter(session_key=rotated_from).delete()
    if key:
        UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
        request.session[SESSION_TRACKED_KEY] = key
    return user_sign_ins_end(
        actor=user, user=user, reason=EndReason.PASSWORD_CHANGED, request=request, keep_session_key=key
    )


# --- Disabling an account ------------------------------------------------------------------------------------


@transaction.atomic
def user_disable(*, actor: User | None, user: User, reason: str, request: HttpRequest | None = None) -> None:
    """Disable ``user``: it can no longer sign in, and its browser sessions and API tokens end now."""
    if user.is_active:
        user.is_active = False
        history_by(user, actor)  # django-simple-history: who made this change
        user.save(update_fields=["is_active"])
    ended = _sign_ins_end(user=user)
    access_log_write(
        event=AccessEvent.ACCOUNT_DISABLED,
        user=actor,
        request=request,
        target=user,
        detail={"reason": str(reason)[:300], "sessions_ended": ended.sessions, "tokens_revoked": ended.tokens},
    )
