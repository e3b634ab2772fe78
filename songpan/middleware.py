"""Project-wide response rules."""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API response and every response to a signed-in user (issue 10,
    finding 10): they carry personal data, which no browser cache, proxy or shared computer may keep. A response
    that set its own Cache-Control keeps it; static files (served before this by WhiteNoise) are not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control") or request.path.startswith(self.static_prefix):
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True)
        return response


def _database_unavailable(exc: BaseException | None) -> bool:
    """No connection from the pool in time (psycopg_pool.PoolTimeout), a database that refuses or drops
    connections, a statement cancelled for taking too long: Django raises them all as OperationalError."""
    return isinstance(exc, OperationalError)


@receiver(got_request_exception)
def _note_database_unavailable(sender, request=None, **kwargs):
    """An exception raised in a middleware (the session's or the user's first query) never reaches
    ``process_exception``: Django turns it into a 500 at once. Note it on the request for the middleware below."""
    exc = sys.exc_info()[1]
    if request is not None and _database_unavailable(exc):
        request._songpan_database_unavailable = exc


class DatabaseUnavailableMiddleware:
    """A request that cannot get a database connection is refused with 503 and ``Retry-After`` (JSON on the API),
    never a 500 (issue 10, finding 12): when the connection pool has no free connection within
    ``SONGPAN_DB_POOL_TIMEOUT`` seconds, or the database does not answer. Placed before the middleware that read
    the database, it also turns their failure (Django's 500, or DEBUG's error page) into the 503."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, "_songpan_database_unavailable", None)
        if exc is not None and response.status_code == 500:
            return self.unavailable(request, exc)
        return response

    def process_exception(self, request, exception):
        if _database_unavailable(exception):
            return self.unavailable(request, exception)
        return None

    def unavailable(self, request, exc: BaseException):
        cause = exc.__cause__ or exc
        logger.warning(
            "Database unavailable (%s) for %s %s: answered 503.", type(cause).__name__, request.method, request.path
        )
        with translation.override(translation.get_language_from_request(request)):
            message = gettext("The service is busy. Please try again in a few seconds.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
