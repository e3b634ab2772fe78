"""Who sees the ledgers' rows (registered with ``accounts.scoping`` from ``LedgersConfig.ready``).

Also the two pieces other apps' rules are built from: ``paired_with_cadre`` (a cadre sees the households it is
paired with, and what hangs off them) and the townships a department supports (the department's scope).
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q

from accounts.scoping import Rule, own, register, register_basis, within

from .models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance


def paired_with_cadre(path: str) -> Callable[[int], Q]:
    """A ``Rule.of_cadre``: the row's household (reached by ``path``) has an active pairing with the cadre."""

    def build(cadre_id: int) -> Q:
        pairing = Pairing.objects.filter(household=OuterRef(path), cadre_id=cadre_id, end_date__isnull=True)
        return Q(Exists(pairing))

    return build


def supported_townships(department_id: int) -> list[str]:
    """The township codes the department supports now (active department–township rows)."""
    rows = DepartmentSupport.objects.active().filter(department_id=department_id)
    return list(rows.values_list("township_id", flat=True))


def register_rules() -> None:
    register_basis(department_townships=supported_townships)
    register(Pairing, Rule(within=within("household__village__code"), of_cadre=own("cadre_id")))
    register(LeaderAssignment, Rule(within=within("township__code"), of_cadre=own("cadre_id")))
    register(DepartmentSupport, Rule(within=within("township__code")))
    register(VillageAssistance, Rule(within=within("village__code"), of_cadre=own("cadre_id")))
