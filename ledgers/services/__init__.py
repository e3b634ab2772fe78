"""Every change to the four ledgers goes through this module.

Rows are ended, never deleted. Each function validates, writes in one transaction (with the actor recorded on
the row and in its history) and raises ``ValidationError`` with a message naming what is wrong; on error the
database is left as it was.
"""

from .assignments import (
    department_support_create,
    department_support_end,
    leader_assignment_create,
    leader_assignment_end,
    village_assistance_create,
    village_assistance_end,
)
from .pairings import pairing_create, pairing_end, pairing_repair
from .plans import (
    AppliedPlan,
    PairingPlan,
    PlannedMove,
    pairing_bulk_repair_plan,
    pairing_plan_apply,
    pairing_suggestions,
)
from .rules import cadre_loads, pairing_limit
from .transfers import TransferResult, cadre_transfer

__all__ = [
    "AppliedPlan",
    "PairingPlan",
    "PlannedMove",
    "TransferResult",
    "cadre_loads",
    "cadre_transfer",
    "department_support_create",
    "department_support_end",
    "leader_assignment_create",
    "leader_assignment_end",
    "pairing_bulk_repair_plan",
    "pairing_create",
    "pairing_end",
    "pairing_limit",
    "pairing_plan_apply",
    "pairing_repair",
    "pairing_suggestions",
    "village_assistance_create",
    "village_assistance_end",
]
