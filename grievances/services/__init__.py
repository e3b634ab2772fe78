"""Every write to cases goes through these functions (CONVENTIONS: services)."""

from .cases import case_submit, case_update, event_write
from .disputes import mediation_record, party_add
from .notifications import notifications_for, notifications_mark_read
from .overdue import SweepResult, overdue_sweep
from .routing import default_deadline, policy_days, route_for
from .transitions import case_transition

__all__ = [
    "SweepResult",
    "case_submit",
    "case_transition",
    "case_update",
    "default_deadline",
    "event_write",
    "mediation_record",
    "notifications_for",
    "notifications_mark_read",
    "overdue_sweep",
    "party_add",
    "policy_days",
    "route_for",
]
