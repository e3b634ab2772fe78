"""Removal of the demo county's data (``seed_demo --reset``): its cases, households, cadres, departments, key
villages and the demo's accounts.

The ledgers protect their households, cadres and users, and other apps (cases, visits, teams) may point at demo
rows too, so deletion walks the reverse relations: rows pointing at a row being deleted are deleted first (or,
where the relation is ``SET_NULL``, cleared), down to history tables, whose foreign keys are hidden relations.
Each step is one ``DELETE … WHERE … IN (subquery)``; nothing is loaded into memory.
"""

from django.db import models
from django.db.models.deletion import SET_NULL

from accounts.models import AccessLog, User
from cadres.models import Cadre, Department
from divisions.models import Division, KeyVillageDesignation
from grievances.models import Case, CaseSequence
from households.models import Household

from . import case_texts, names
from .plan import DEMO_USERNAMES


def demo_departments(county_code: str) -> models.QuerySet:
    """The county's and its townships' departments, and the upper-level organs the demo adds."""
    upper = [name for name, *_rest in names.UPPER_DEPARTMENTS]
    return Department.objects.filter(
        models.Q(division__code__startswith=county_code)
        | models.Q(name__in=upper, division__code__in=[county_code[:2], county_code[:4]])
    )


def demo_cadres(county_code: str) -> models.QuerySet:
    return Cadre.objects.filter(
        models.Q(division__code__startswith=county_code) | models.Q(department__in=demo_departments(county_code))
    )


def demo_usernames(county_code: str) -> list[str]:
    """The five demo accounts, and the staff accounts that name who acted on the demo's cases."""
    townships = Division.objects.filter(parent_id=county_code).values_list("code", flat=True)
    return [
        *DEMO_USERNAMES,
        *case_texts.UNIT_USERNAMES.values(),
        *(case_texts.TOWNSHIP_USERNAME.format(code=code) for code in townships),
    ]


def delete_demo_data(county_code: str) -> dict[str, int]:
    """Delete the county's cases (and their numbering), households, cadres, departments, key-village
    designations and the demo users."""
    deleted: dict[str, int] = {}
    households = Household.objects.filter(village__code__startswith=county_code)
    cadres = demo_cadres(county_code)
    # Materialise the department ids: the cadre subquery above depends on them.
    department_ids = list(demo_departments(county_code).values_list("pk", flat=True))
    # Cases first: a case about a whole village (no household) or not yet given to a unit hangs off neither.
    _purge_cases(Case.objects.filter(village__code__startswith=county_code), deleted)
    _raw_delete(CaseSequence.objects.filter(county=county_code), deleted)
    _purge(Household, households, deleted)
    _purge(Cadre, Cadre.objects.filter(pk__in=list(cadres.values_list("pk", flat=True))), deleted)
    _purge(User, User.objects.filter(username__in=demo_usernames(county_code)), deleted)
    _purge(Department, Department.objects.filter(pk__in=department_ids), deleted)
    _purge(KeyVillageDesignation, KeyVillageDesignation.objects.filter(village__code__startswith=county_code), deleted)
    return {label: count for label, count in deleted.items() if count}


def _purge_cases(cases: models.QuerySet, deleted: dict[str, int]) -> None:
    """Duplicates go before the cases they repeat: clearing a duplicate's link to its original would break the
    rule that a duplicate names one (a database constraint)."""
    for _round in range(8):
        named = Case.objects.filter(duplicate_of__isnull=False).values("duplicate_of_id")
        leaves = list(cases.filter(duplicate_of__isnull=False).exclude(pk__in=named).values_list("pk", flat=True))
        if not leaves:
            break
        _purge(Case, Case.objects.filter(pk__in=leaves), deleted)
    _purge(Case, cases, deleted)


def _reverse_foreign_keys(model: type[models.Model]):
    """Every foreign key (including hidden ones: M2M through tables, history tables) pointing at ``model``."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            yield relation.field


def _purge(model: type[models.Model], queryset: models.QuerySet, deleted: dict[str, int], depth: int = 0) -> None:
    if depth > 8:  # a cycle of foreign keys; nothing in this project goes that deep
        raise RuntimeError(f"foreign keys too deeply nested at {model._meta.label}")
    for field in _reverse_foreign_keys(model):
        referrer = field.model
        if referrer is AccessLog:
            continue  # append-only (a trigger refuses changes on PostgreSQL); its rows keep the username
        target = field.target_field.attname
        referring = referrer._base_manager.filter(**{f"{field.attname}__in": queryset.values(target)})
        # Clear rather than delete: SET_NULL relations, rows that merely name a demo user (created_by, actor), and
        # users outside the demo whose scope is a demo department, and a model's links to itself (a duplicate case
        # naming its original).
        self_link = referrer is model or getattr(referrer, "instance_type", None) is model
        if field.null and (field.remote_field.on_delete is SET_NULL or model is User or referrer is User or self_link):
            referring.update(**{field.attname: None})
        else:
            _purge(referrer, referring, deleted, depth + 1)
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "model"):
        pk = model._meta.pk.attname
        _raw_delete(history.model._base_manager.filter(**{f"{pk}__in": queryset.values(pk)}), deleted)
    _raw_delete(queryset, deleted)


def _raw_delete(queryset: models.QuerySet, deleted: dict[str, int]) -> None:
    label = queryset.model._meta.label
    # An empty ``IN ()`` never reaches the database, and then no count comes back.
    deleted[label] = deleted.get(label, 0) + (queryset._raw_delete(queryset.db) or 0)
