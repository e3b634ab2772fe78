"""Scheduled work of the cases app (Celery beat: ``CELERY_BEAT_SCHEDULE`` in settings)."""

from celery import shared_task

from .services import overdue_sweep


@shared_task(name="grievances.tasks.sweep_overdue_cases", acks_late=True)
def sweep_overdue_cases() -> dict[str, int]:
    """Mark, escalate and hold to account the cases overdue today (idempotent: safe to run twice, or to run again
    after a worker died half-way: each case is swept in its own transaction)."""
    result = overdue_sweep()
    return {"marked": len(result.marked), "penalised": len(result.penalised)}
