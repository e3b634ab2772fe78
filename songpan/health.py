"""``GET /healthz`` for a load balancer or a monitor (issue 10, finding 3): no sign-in, no personal data.

It answers ``{"status": "ok" | "degraded" | "down", "checks": {"database", "cache", "broker", "beat"}}``, each
check ``ok``, ``error`` (or, for beat, ``stale`` / ``never``). The status code is 503 when a check named in
``SONGPAN_HEALTHZ_REQUIRED`` fails (by default the database only: without Redis the site still serves, throttles
per process, and a load balancer should keep it), else 200; "degraded" tells a monitor that something else failed.
Every check is bounded by short timeouts, so the answer comes within a few seconds whatever is down.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

__all__ = ["DatabaseError", "healthz"]


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> bool:
    ping = getattr(cache, "ping", None)
    if ping is not None:  # Redis (songpan.cache.FallbackRedisCache): ask Redis itself, not the fallback
        return ping()
    cache.set("songpan:healthz", 1, 10)
    return cache.get("songpan:healthz") == 1


def _broker() -> None:
    from songpan.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection_:
        connection_.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def _beat() -> str:
    from django_celery_beat.models import PeriodicTask

    last = PeriodicTask.objects.aggregate(last=Max("last_run_at"))["last"]
    if last is None:
        return "never"
    stale_after = dt.timedelta(minutes=settings.SONGPAN_HEALTHZ_BEAT_STALE_MINUTES)
    return "ok" if timezone.now() - last <= stale_after else "stale"


def _run(name: str, check) -> str:
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure as "error"
        logger.warning("Health check %s failed: %s", name, type(exc).__name__)
        return "error"
    if result is False:
        return "error"
    return result if isinstance(result, str) else "ok"


@require_safe
def healthz(request):
    checks = {"database": _run("database", _database)}
    checks["cache"] = _run("cache", _cache)
    checks["broker"] = _run("broker", _broker)
    checks["beat"] = _run("beat", _beat) if checks["database"] == "ok" else "error"
    failed = {name for name, result in checks.items() if result != "ok"}
    if failed & set(settings.SONGPAN_HEALTHZ_REQUIRED):
        status = "down"
    elif failed:
        status = "degraded"
    else:
        status = "ok"
    response = JsonResponse({"status": status, "checks": checks}, status=503 if status == "down" else 200)
    response["Cache-Control"] = "no-store"
    return response
