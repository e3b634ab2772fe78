"""Who sees cadres and departments (registered from ``CadresConfig.ready``), and which cadre an account is."""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from accounts.scoping import Rule, own, register, register_basis, within
from divisions.models import CODE_LENGTH, Level
from ledgers.models import DepartmentSupport, Pairing, VillageAssistance

from .models import Cadre, Department


def cadre_of_account(user: Any) -> int | None:
    """The id of the cadre record linked to the account, if any."""
    return Cadre.objects.filter(user=user).values_list("pk", flat=True).first()


def _cadre_within(code: str) -> Q:
    """Cadres who live or work in ``code``, are posted there (officials from provincial organs, for example), or
    carry a household there (county cadres paired with the township's households)."""
    posted = VillageAssistance.objects.active().filter(cadre=OuterRef("pk"), village__code__startswith=code)
    pairs = Pairing.objects.active().filter(cadre=OuterRef("pk"), household__village__code__startswith=code)
    return within("division__code", "department__division__code")(code) | Q(Exists(posted)) | Q(Exists(pairs))


def _department_within(code: str) -> Q:
    """The units of the county that holds ``code`` (its bureaus and township governments: a township refers its
    cases to them and shares cases with its neighbours; a unit's name is reference data, not personal data), and
    the departments supporting a township inside ``code`` (a provincial organ, say)."""
    supports = DepartmentSupport.objects.active().filter(department=OuterRef("pk"), township__code__startswith=code)
    return within("division__code")(code[: CODE_LENGTH[Level.COUNTY]]) | Q(Exists(supports))


def register_rules() -> None:
    register_basis(cadre_of_user=cadre_of_account)
    register(Cadre, Rule(within=_cadre_within, of_cadre=own("pk")))
    register(
        Department,
        Rule(
            within=_department_within,
            of_department=lambda department_id: Q(pk=department_id),
            of_cadre=lambda cadre_id: Q(Exists(Cadre.objects.filter(pk=cadre_id, department=OuterRef("pk")))),
        ),
    )
