"""Units' notifications: marking them read."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import DepartmentKind
from grievances.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """The notifications of the units ``user`` works for (department staff: its department; township staff: its
    township's government)."""
    if not (user and user.is_authenticated and user.is_active):
        return Notification.objects.none()
    if user.role == Role.DEPARTMENT and user.department_id:
        return Notification.objects.filter(unit_id=user.department_id)
    if user.role == Role.TOWNSHIP and user.division_id:
        return Notification.objects.filter(unit__division_id=user.division_id, unit__kind=DepartmentKind.TOWNSHIP)
    return Notification.objects.none()


def notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's unread notifications (all, or those of ``ids``) read; returns how many."""
    unread = notifications_for(actor).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now(), read_by=actor)
