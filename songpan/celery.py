"""Celery application: Redis broker, tasks discovered in each app's ``tasks.py``."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "songpan.settings")

logger = logging.getLogger(__name__)

app = Celery("songpan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="songpan.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every minute; /healthz reads when beat last sent a task."""


def enqueue(task_name: str, *args, **kwargs) -> bool:
    """Send a task from a web request without ever failing the request: a broker that is down (or slow beyond the
    short timeouts of settings) is logged and the call answers False. Use it instead of ``.delay()`` in views and
    services; the task must be safe to miss or be caught up by a scheduled run."""
    try:
        app.send_task(task_name, args=args, kwargs=kwargs)
    except Exception:  # noqa: BLE001 - whatever the broker raises, the request goes on
        logger.exception("Could not send task %s to the broker; it was not queued.", task_name)
        return False
    return True
