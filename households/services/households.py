"""Registering households and changing them: village and number, categories, income sources, status."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.permissions import Capability, check_capability, refusals_logged
from divisions.models import Division, Level
from households.models import Household, HouseholdCategory, HouseholdStatus, IncomeKind, IncomeSource, RiskLevel
from songpan.errors import FieldErrors, field_error
from songpan.records import copy_saved_fields, history_by, lock_for_update, save_new, save_next_version

from .records import check_reason, clean_phone

INCOME_YEAR_MIN, INCOME_YEAR_MAX = 2000, 2100

HOUSEHOLD_UPDATABLE_FIELDS = frozenset(
    "village number head_name address phone categories income_sources".split()
    + "difficulties aspirations special_problems risk_level".split()
)


def _household_label(household: Household) -> str:
    """How a stale-version refusal names the household."""
    return gettext("Household %(label)s") % {"label": f"{household.village_id}-{household.number}"}


def _clean_village(village: Any, errors: FieldErrors) -> None:
    if not isinstance(village, Division):
        errors.add("village", _("Choose the village the household belongs to."), code="required")
    elif village.level != Level.VILLAGE:
        errors.add(
            "village",
            _("%(division)s is a %(level)s, not a village: a household belongs to a village or community."),
            code="not_a_village",
            params={"division": str(village), "level": village.get_level_display().lower()},
        )


def _clean_number(number: Any, village: Any, errors: FieldErrors, *, exclude_pk: Any = None) -> str:
    number = str(number or "").strip()
    if not number:
        errors.add("number", _("Give the household number."), code="required")
        return number
    if isinstance(village, Division) and village.level == Level.VILLAGE:
        taken = Household.objects.filter(village=village, number=number)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors.append("number", _number_taken_message(number, village))
    return number


def _number_taken_message(number: str, village: Division) -> ValidationError:
    return ValidationError(
        _("Household number %(number)s is already used in %(village)s."),
        code="duplicate_number",
        params={"number": number, "village": str(village)},
    )


def _clean_categories(codes: Any, errors: FieldErrors) -> list[HouseholdCategory]:
    if isinstance(codes, str):  # a lone code would otherwise be read letter by letter
        codes = [codes]
    wanted = {str(code).strip() for code in codes or ()}
    found = {category.code: category for category in HouseholdCategory.objects.filter(code__in=wanted)}
    unknown = sorted(wanted - set(found))
    if unknown:
        errors.add(
            "categories",
            _("Unknown household category: %(codes)s."),
            code="unknown_category",
            params={"codes": ", ".join(unknown)},
        )
    return [found[code] for code in sorted(found)]


def _clean_income_sources(items: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    """Validate a list of {kind, year, annual_amount, note?}; returns them normalised."""
    cleaned: list[dict[str, Any]] = []
    seen: set[tuple[int, str]] = set()
    if isinstance(items, Mapping | str):
        errors.add("income_sources", _("Give income sources as a list."), code="invalid")
        return cleaned
    kinds = dict(IncomeKind.choices)
    kind_values = list(kinds)
    for index, item in enumerate(items or (), start=1):
        problems_before = len(errors.by_field.get("income_sources", []))

        def problem(message: Any, code: str, params: dict[str, Any] | None = None, index: int = index) -> None:
            errors.add(
                "income_sources",
                _("Income source %(index)d: %(problem)s"),
                code=code,
                params={"index": index, "problem": message % (params or {})},
            )

        if not isinstance(item, Mapping):
            problem(_("give kind, year and annual amount."), "invalid")
            continue
        unknown_keys = sorted(set(item) - {"kind", "year", "annual_amount", "note"})
        if unknown_keys:
            problem(_("unknown field %(fields)s."), "invalid", {"fields": ", ".join(unknown_keys)})
        kind, year, amount = item.get("kind"), item.get("year"), item.get("annual_amount")
        note = str(item.get("note") or "").strip()
        if kind not in kind_values:
            problem(_("%(kind)s is not a kind of income."), "income_kind", {"kind": kind})
        if not isinstance(year, int) or isinstance(year, bool) or not INCOME_YEAR_MIN <= year <= INCOME_YEAR_MAX:
            problem(
                _("the year must be between %(min)d and %(max)d."),
                "income_year",
                {"min": INCOME_YEAR_MIN, "max": INCOME_YEAR_MAX},
            )
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            problem(_("the annual amount must be a whole number of yuan, zero or more."), "income_amount")
        if len(note) > 200:
            problem(_("keep the note to 200 characters."), "max_length")
        if len(errors.by_field.get("income_sources", [])) > problems_before:
            continue
        if (year, kind) in seen:
            problem(
                _("%(kind)s income for %(year)d is listed twice."),
                "income_duplicate",
                {"kind": kinds[str(kind)], "year": year},
            )
            continue
        seen.add((int(year or 0), str(kind)))
        cleaned.append({"kind": kind, "year": year, "annual_amount": amount, "note": note})
    return cleaned


def _add_income_sources(household: Household, sources: list[dict[str, Any]], actor: Any) -> None:
    rows = [IncomeSource(household=household, **source) for source in sources]
    if rows:
        bulk_create_with_history(rows, IncomeSource, default_user=actor)


def _replace_income_sources(household: Household, sources: list[dict[str, Any]], actor: Any) -> None:
    for source in household.income_sources.all():
        history_by(source, actor)
        source.delete()
    _add_income_sources(household, sources, actor)


def _income_source_key(sources: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, int, str]]:
    return sorted((s["year"], s["kind"], s["annual_amount"], s["note"]) for s in sources)


@refusals_logged
@transaction.atomic
def household_create(
    *,
    actor: User | None,
    village: Division,
    number: str,
    head_name: str,
    address: str = "",
    phone: str = "",
    categories: Iterable[str] = (),
    income_sources: Iterable[Mapping[str, Any]] = (),
    difficulties: str = "",
    aspirations: str = "",
    special_problems: str = "",
    risk_level: str = RiskLevel.NONE,
    id: uuid.UUID | None = None,  # a client-generated id makes offline creates idempotent
) -> Household:
    """Register a household in a village, with its categories (by code) and income sources.

    ``id`` may be given by an offline client; if a household with that id exists already the error has code
    ``duplicate_id`` so that the API can answer with the existing record.
    """
    check_capability(actor, Capability.EDIT_REGISTRY)
    errors = FieldErrors()
    _clean_village(village, errors)
    number = _clean_number(number, village, errors)
    phone = clean_phone(phone, errors)
    category_objects = _clean_categories(categories, errors)
    sources = _clean_income_sources(income_sources, errors)
    if id is not None and Household.objects.filter(pk=id).exists():
        errors.add("id", _("A household with this id exists already."), code="duplicate_id")
    household = Household(
        village=village if isinstance(village, Division) else None,
        number=number,
        head_name=(head_name or "").strip(),
        address=(address or "").strip(),
        phone=phone,
        difficulties=(difficulties or "").strip(),
        aspirations=(aspirations or "").strip(),
        special_problems=(special_problems or "").strip(),
        risk_level=risk_level,
        status=HouseholdStatus.ACTIVE,
    )
    if id is not None:
        household.id = id
    errors.full_clean(household, exclude=["village", *errors.by_field])
    errors.raise_if_any()

    history_by(household, actor)

    def explain() -> None:
        if Household.objects.filter(village=village, number=number).exists():
            raise ValidationError({"number": _number_taken_message(number, village)}) from None
        if id is not None and Household.objects.filter(pk=id).exists():
            raise field_error("id", _("A household with this id exists already."), code="duplicate_id") from None

    save_new(household, on_integrity_error=explain)
    household.categories.set(category_objects)
    _add_income_sources(household, sources, actor)
    return household


@refusals_logged
@transaction.atomic
def household_update(
    *, actor: User | None, household: Household, expected_version: int | None = None, **changes: Any
) -> Household:
    """Change some of a household's fields; ``categories`` and ``income_sources``, when given, replace the old.

    Allowed: village, number, head_name, address, phone, categories (codes), income_sources, difficulties,
    aspirations, special_problems, risk_level. The status changes through ``household_set_status``.
    Returns the saved household (and copies the saved values onto the instance passed in).
    """
    check_capability(actor, Capability.EDIT_REGISTRY)
    FieldErrors.reject_not_updatable(
        changes,
        HOUSEHOLD_UPDATABLE_FIELDS,
        {"status": _("Change the status with a reason (household_set_status).")},
    )
    locked = lock_for_update(household, expected_version=expected_version, label=_household_label)

    errors = FieldErrors()
    values: dict[str, Any] = {}
    for name in ("head_name", "address", "difficulties", "aspirations", "special_problems"):
        if name in changes:
            values[name] = str(changes[name] or "").strip()
    if "risk_level" in changes:
        values["risk_level"] = changes["risk_level"]
    if "phone" in changes:
        values["phone"] = clean_phone(changes["phone"], errors)
    if "village" in changes or "number" in changes:
        village = changes.get("village", locked.village)
        _clean_village(village, errors)
        number = _clean_number(changes.get("number", locked.number), village, errors, exclude_pk=locked.pk)
        if isinstance(village, Division):
            values["village"] = village
        values["number"] = number
    new_categories = _clean_categories(changes["categories"], errors) if "categories" in changes else None
    new_sources = _clean_income_sources(changes["income_sources"], errors) if "income_sources" in changes else None

    before = {name: getattr(locked, "village_id" if name == "village" else name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    errors.full_clean(locked, exclude=["village", *errors.by_field])
    errors.raise_if_any()

    changed = any(getattr(locked, "village_id" if n == "village" else n) != before[n] for n in values)
    if new_categories is not None:
        current = set(locked.categories.values_list("pk", flat=True))
        if current != {c.pk for c in new_categories}:
            history_by(locked, actor)  # the history row written for the categories names the actor too
            locked.categories.set(new_categories)
            changed = True
    if new_sources is not None:
        current_sources = locked.income_sources.values("year", "kind", "annual_amount", "note")
        if _income_source_key(current_sources) != _income_source_key(new_sources):
            _replace_income_sources(locked, new_sources, actor)
            changed = True

    if changed:

        def explain() -> None:
            taken = Household.objects.filter(village_id=locked.village_id, number=locked.number)
            if taken.exclude(pk=locked.pk).exists():
                raise ValidationError({"number": _number_taken_message(locked.number, locked.village)}) from None

        save_next_version(locked, actor=actor, on_integrity_error=explain)
    copy_saved_fields(locked, household)
    return locked


@refusals_logged
@transaction.atomic
def household_set_status(
    *,
    actor: User | None,
    household: Household,
    status: str,
    reason: str,
    expected_version: int | None = None,
) -> Household:
    """Mark a household moved, merged, dissolved (or active again); the reason goes into its history."""
    check_capability(actor, Capability.EDIT_REGISTRY)
    errors = FieldErrors()
    if status not in HouseholdStatus.values:
        errors.add("status", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": status})
    try:
        reason = check_reason(reason)
    except ValidationError as exc:
        errors.merge(exc)
    errors.raise_if_any()

    locked = lock_for_update(household, expected_version=expected_version, label=_household_label)
    if locked.status == status:
        raise field_error(
            "status",
            _("The household is already marked “%(status)s”."),
            code="unchanged",
            params={"status": HouseholdStatus(status).label},
        )
    locked.status = status
    save_next_version(locked, actor=actor, reason=reason)
    copy_saved_fields(locked, household)
    return locked
