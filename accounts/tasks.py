"""Nightly housekeeping of the accounts app (Celery beat: ``CELERY_BEAT_SCHEDULE`` in settings).

Each task calls one service and is idempotent: run twice, or again after a worker died half-way, it finds nothing
more to do.
"""

from celery import shared_task

from .audit import access_log_purge
from .sessions import api_tokens_delete_expired, sessions_clear_expired


@shared_task(name="accounts.tasks.purge_access_log", acks_late=True)
def purge_access_log() -> dict[str, int]:
    """Delete the access-log entries past the retention (``SONGPAN_ACCESS_LOG_RETENTION_DAYS``)."""
    return {"deleted": access_log_purge().count}


@shared_task(name="accounts.tasks.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> dict[str, int]:
    """Remove expired browser sessions and forget the user-session rows that named them."""
    return {"user_sessions_forgotten": sessions_clear_expired()}


@shared_task(name="accounts.tasks.delete_expired_api_tokens", acks_late=True)
def delete_expired_api_tokens() -> dict[str, int]:
    """Delete the API tokens whose expiry has passed."""
    return {"deleted": api_tokens_delete_expired()}
