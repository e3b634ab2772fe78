"""Session lifetime: a signed-in browser session ends after 30 minutes without a request and 12 hours after
sign-in at most (``SESSION_IDLE_TIMEOUT``, ``SESSION_ABSOLUTE_TIMEOUT``; see accounts.sessions)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from .sessions import session_end_message, session_expiry_reason, session_touch


class SessionLifetimeMiddleware:
    """Ends an expired session before the view runs: the request continues as anonymous, so a page redirects to
    the sign-in page (which says why) and the API answers 401. Token-authenticated API calls carry no session
    and are not affected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            reason = session_expiry_reason(session)
            if reason is None:
                session_touch(request=request, user_id=session[SESSION_KEY])
            else:
                request.songpan_logout_reason = reason  # read by accounts.auth_events for the access log
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.warning(request, session_end_message(reason))
        return self.get_response(request)
