"""Access-log rows for the framework's sign-in events: signed in, signed out, failed sign-in, locked out.

These are Django's (and django-axes') own events, raised inside ``django.contrib.auth.login``/``logout``/
``authenticate``, so they are received as signals (connected in ``AccountsConfig.ready``). Everything else in
login security is written by explicit calls in accounts.sessions. No password, token or code reaches the log.
"""

from django.conf import settings

from .audit import access_log_write
from .models import AccessEvent, AccessOutcome, User
from .sessions import session_forget, session_register


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


def _refused_by_lockout(request) -> bool:
    """True when django-axes refused the attempt because the username and address were already locked (the
    password was not even checked): that attempt is logged as ``locked_out`` by ``on_user_locked_out``."""
    return bool(getattr(request, "axes_locked_out", False)) and getattr(request, "axes_failures_since_start", 0) is None


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    session_register(request=request, user=user)
    factor = getattr(user, "songpan_second_factor", None)  # set by accounts.forms.SignInForm
    access_log_write(
        event=AccessEvent.LOGIN, user=user, request=request, detail={"second_factor": factor} if factor else {}
    )


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if request is None or user is None:
        return
    session_forget(request=request)
    reason = getattr(request, "songpan_logout_reason", "signed_out")
    access_log_write(event=AccessEvent.LOGOUT, user=user, request=request, detail={"reason": reason})


def on_user_login_failed(sender, credentials, request=None, reason: str = "invalid_credentials", **kwargs) -> None:
    if request is not None and _refused_by_lockout(request):
        return
    username = str((credentials or {}).get("username") or "")[:150]
    access_log_write(
        event=AccessEvent.LOGIN_FAILED,
        outcome=AccessOutcome.FAILED,
        user=_known_user(username),
        username=username,
        request=request,
        detail={"reason": reason},
    )


def on_user_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """django-axes: the fifth failure locked the username at this address, or an attempt came while locked."""
    username = str(username or "")[:150]
    failures = getattr(request, "axes_failures_since_start", None)
    detail = {"cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    if failures is None:
        detail["refused_while_locked"] = True
    else:
        detail["failures"] = failures
    access_log_write(
        event=AccessEvent.LOCKED_OUT,
        outcome=AccessOutcome.DENIED,
        user=_known_user(username),
        username=username,
        request=request,
        detail=detail,
    )
