"""Who sees cases (registered from ``GrievancesConfig.ready``).

Cases follow their village; department staff also see every case their department has (or had) a part in,
wherever it is; a cadre sees the cases of its households and the cases it reported.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.scoping import Rule, register, within
from ledgers.scoping import paired_with_cadre

from .models import Case, CaseCategory, CaseUnit


def _case_of_cadre(cadre_id: int) -> Q:
    return Q(reporter_cadre_id=cadre_id) | paired_with_cadre("household_id")(cadre_id)


def _case_of_department(department_id: int) -> Q:
    return Q(Exists(CaseUnit.objects.filter(case=OuterRef("pk"), unit_id=department_id)))


def register_rules() -> None:
    register(
        Case,
        Rule(
            within=within("village__code"),
            of_cadre=_case_of_cadre,
            of_department=_case_of_department,
            of_department_alone=True,
        ),
    )
    register(CaseCategory, Rule(within=None, public=True))
