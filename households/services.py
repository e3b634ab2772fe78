"""Every write to households, their income sources and members (DESIGN §4).

Each service is keyword-only, atomic, validates its input and raises ``ValidationError`` (a dict of field →
messages where a field is at fault) for bad input or a broken rule. Updates lock the row, honour an optional
``expected_version`` (optimistic concurrency for offline clients: ``StaleVersionError``) and bump ``version``
once per successful change. ``actor`` is written into the history row of every change.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from divisions.models import Division, Level
from songpan import fieldcrypto

from .models import (
    Education,
    Employment,
    Ethnicity,
    Health,
    Household,
    HouseholdCategory,
    HouseholdStatus,
    IncomeKind,
    IncomeSource,
    Member,
    Relation,
    RiskLevel,
    Sex,
)
from .validators import id_number_birth_date, id_number_sex, validate_id_number, validate_phone

__all__ = [
    "StaleVersionError",
    "household_create",
    "household_set_status",
    "household_update",
    "member_create",
    "member_remove",
    "member_update",
]

# simple-history stores the reason in a CharField(max_length=100).
REASON_MAX_LENGTH = 100
INCOME_YEAR_MIN, INCOME_YEAR_MAX = 2000, 2100

HOUSEHOLD_UPDATABLE_FIELDS = frozenset(
    "village number head_name address phone categories income_sources".split()
    + "difficulties aspirations special_problems risk_level".split()
)
MEMBER_UPDATABLE_FIELDS = frozenset(
    "name relation sex birth_date id_number ethnicity".split()
    + "education health health_note employment phone is_party_member".split()
)


class StaleVersionError(Exception):
    """The record was changed by someone else since the caller read it; nothing was written.

    The API maps this to HTTP 412 (If-Match failed); forms ask the user to reload.
    """

    def __init__(self, *, label: str, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            gettext(
                "%(label)s was changed by someone else in the meantime (you edited version %(expected)d, it is "
                "now at version %(current)d). Nothing was saved: reload it and make your change again."
            )
            % {"label": label, "expected": expected, "current": current}
        )


# --- small shared pieces -------------------------------------------------------------------------------------


class _Errors:
    """Collects field errors so that a caller sees every problem at once, not one per attempt."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        self.by_field.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    def append(self, field: str, error: ValidationError) -> None:
        self.by_field.setdefault(field, []).append(error)

    def extend(self, field: str, error: ValidationError) -> None:
        self.by_field.setdefault(field, []).extend(error.error_list)

    def merge(self, error: ValidationError) -> None:
        for field, messages in error.update_error_dict({}).items():
            self.by_field.setdefault(field, []).extend(
                m if isinstance(m, ValidationError) else ValidationError(m) for m in messages
            )

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _check_allowed(changes: Mapping[str, Any], allowed: frozenset[str], hints: Mapping[str, Any]) -> None:
    errors = _Errors()
    for name in sorted(set(changes) - allowed):
        errors.add(name, hints.get(name, _("This field cannot be changed here.")), code="not_updatable")
    errors.raise_if_any()


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Give a reason for this change."), code="required")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason to %(max)d characters (it has %(length)d)."),
                    code="max_length",
                    params={"max": REASON_MAX_LENGTH, "length": len(reason)},
                )
            }
        )
    return reason


def _full_clean(instance: models.Model, errors: _Errors, exclude: Iterable[str]) -> None:
    """Field lengths and choices from the model; uniqueness and rules are checked by the services themselves."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.merge(exc)


def _copy_fields(source: models.Model, target: models.Model) -> None:
    """Let a caller holding an older instance see what was saved (no extra query)."""
    if target is source:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _household_label(household: Household) -> str:
    return f"{household.village_id}-{household.number}"


# --- households ----------------------------------------------------------------------------------------------


def _clean_village(village: Any, errors: _Errors) -> None:
    if not isinstance(village, Division):
        errors.add("village", _("Choose the village the household belongs to."), code="required")
    elif village.level != Level.VILLAGE:
        errors.add(
            "village",
            _("%(division)s is a %(level)s, not a village: a household belongs to a village or community."),
            code="not_a_village",
            params={"division": str(village), "level": village.get_level_display().lower()},
        )


def _clean_number(number: Any, village: Any, errors: _Errors, *, exclude_pk: Any = None) -> str:
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


def _clean_phone(phone: Any, errors: _Errors, field: str = "phone") -> str:
    phone = str(phone or "").strip()
    if not phone:
        return ""
    try:
        return validate_phone(phone)
    except ValidationError as exc:
        errors.extend(field, exc)
        return phone


def _clean_categories(codes: Any, errors: _Errors) -> list[HouseholdCategory]:
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


def _clean_income_sources(items: Any, errors: _Errors) -> list[dict[str, Any]]:
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
                {"kind": kinds[kind], "year": year},
            )
            continue
        seen.add((year, kind))
        cleaned.append({"kind": kind, "year": year, "annual_amount": amount, "note": note})
    return cleaned


def _clean_choice(value: Any, choices: type[models.TextChoices], field: str, errors: _Errors, *, blank: bool) -> Any:
    if value in ("", None) and blank:
        return ""
    if value not in choices.values:
        errors.add(field, _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": value})
    return value


def _add_income_sources(household: Household, sources: list[dict[str, Any]], actor: Any) -> None:
    rows = [IncomeSource(household=household, **source) for source in sources]
    if rows:
        bulk_create_with_history(rows, IncomeSource, default_user=actor)


def _replace_income_sources(household: Household, sources: list[dict[str, Any]], actor: Any) -> None:
    for source in household.income_sources.all():
        source._history_user = actor
        source.delete()
    _add_income_sources(household, sources, actor)


def _income_source_key(sources: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, int, str]]:
    return sorted((s["year"], s["kind"], s["annual_amount"], s["note"]) for s in sources)


def _save_new(instance: models.Model, on_integrity_error: Callable[[], None]) -> None:
    """Insert in a savepoint; a unique constraint that fires anyway (a concurrent insert) becomes a clear error."""
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        on_integrity_error()
        raise


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
    errors = _Errors()
    _clean_village(village, errors)
    number = _clean_number(number, village, errors)
    phone = _clean_phone(phone, errors)
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
    _full_clean(household, errors, exclude=["village", *errors.by_field])
    errors.raise_if_any()

    household._history_user = actor

    def explain() -> None:
        if Household.objects.filter(village=village, number=number).exists():
            raise ValidationError({"number": _number_taken_message(number, village)}) from None
        if id is not None and Household.objects.filter(pk=id).exists():
            raise ValidationError(
                {"id": ValidationError(_("A household with this id exists already."), code="duplicate_id")}
            ) from None

    _save_new(household, explain)
    household.categories.set(category_objects)
    _add_income_sources(household, sources, actor)
    return household


def _lock(model: type[models.Model], instance: models.Model) -> Any:
    return model.objects.select_for_update().get(pk=instance.pk)


def _check_version(locked: Any, expected_version: int | None, label: str) -> None:
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersionError(label=label, expected=expected_version, current=locked.version)


@transaction.atomic
def household_update(
    *, actor: User | None, household: Household, expected_version: int | None = None, **changes: Any
) -> Household:
    """Change some of a household's fields; ``categories`` and ``income_sources``, when given, replace the old.

    Allowed: village, number, head_name, address, phone, categories (codes), income_sources, difficulties,
    aspirations, special_problems, risk_level. The status changes through ``household_set_status``.
    Returns the saved household (and copies the saved values onto the instance passed in).
    """
    _check_allowed(
        changes,
        HOUSEHOLD_UPDATABLE_FIELDS,
        {"status": _("Change the status with a reason (household_set_status).")},
    )
    locked: Household = _lock(Household, household)
    _check_version(locked, expected_version, gettext("Household %(label)s") % {"label": _household_label(locked)})

    errors = _Errors()
    values: dict[str, Any] = {}
    for name in ("head_name", "address", "difficulties", "aspirations", "special_problems"):
        if name in changes:
            values[name] = str(changes[name] or "").strip()
    if "risk_level" in changes:
        values["risk_level"] = changes["risk_level"]
    if "phone" in changes:
        values["phone"] = _clean_phone(changes["phone"], errors)
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
    _full_clean(locked, errors, exclude=["village", *errors.by_field])
    errors.raise_if_any()

    changed = any(getattr(locked, "village_id" if n == "village" else n) != before[n] for n in values)
    if new_categories is not None:
        current = set(locked.categories.values_list("pk", flat=True))
        if current != {c.pk for c in new_categories}:
            locked.categories.set(new_categories)
            changed = True
    if new_sources is not None:
        current_sources = locked.income_sources.values("year", "kind", "annual_amount", "note")
        if _income_source_key(current_sources) != _income_source_key(new_sources):
            _replace_income_sources(locked, new_sources, actor)
            changed = True

    if changed:
        locked.version += 1
        locked._history_user = actor
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            taken = Household.objects.filter(village_id=locked.village_id, number=locked.number)
            if taken.exclude(pk=locked.pk).exists():
                raise ValidationError({"number": _number_taken_message(locked.number, locked.village)}) from None
            raise
    _copy_fields(locked, household)
    return locked


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
    errors = _Errors()
    if status not in HouseholdStatus.values:
        errors.add("status", _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": status})
    try:
        reason = _check_reason(reason)
    except ValidationError as exc:
        errors.merge(exc)
    errors.raise_if_any()

    locked: Household = _lock(Household, household)
    _check_version(locked, expected_version, gettext("Household %(label)s") % {"label": _household_label(locked)})
    if locked.status == status:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("The household is already marked “%(status)s”."),
                    code="unchanged",
                    params={"status": HouseholdStatus(status).label},
                )
            }
        )
    locked.status = status
    locked.version += 1
    locked._history_user = actor
    locked._change_reason = reason
    locked.save()
    _copy_fields(locked, household)
    return locked


# --- members -------------------------------------------------------------------------------------------------


def _duplicate_id_error(holder: tuple[str, str]) -> ValidationError:
    # Names the household only: the caller learns where the number is registered, not whose it is.
    return ValidationError(
        {
            "id_number": ValidationError(
                _("This ID number is already registered for a member of household %(household)s."),
                code="duplicate_id_number",
                params={"household": f"{holder[0]}-{holder[1]}"},
            )
        }
    )


def _id_number_holder(digest: str, *, exclude_pk: Any = None) -> tuple[str, str] | None:
    holders = Member.objects.filter(id_number_digest=digest)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    return holders.values_list("household__village_id", "household__number").first()


def _clean_id_number(value: Any, errors: _Errors, *, exclude_pk: Any = None) -> tuple[str, str | None]:
    """The normalised number and its digest, or ("", None) when none or invalid (the error is recorded)."""
    raw = str(value or "").strip()
    if not raw:
        return "", None
    try:
        number = validate_id_number(raw)
    except ValidationError as exc:
        errors.extend("id_number", exc)
        return "", None
    digest = fieldcrypto.digest(number)
    holder = _id_number_holder(digest, exclude_pk=exclude_pk)
    if holder is not None:
        errors.merge(_duplicate_id_error(holder))
        return "", None
    return number, digest


def _clean_birth_date(value: Any, errors: _Errors) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add("birth_date", _("Give the birth date as a date."), code="invalid")
        return None
    if value > timezone.localdate():
        errors.add("birth_date", _("The birth date is in the future."), code="future")
    return value


def _reconcile_with_id(
    number: str, sex: str, birth_date: dt.date | None, errors: _Errors
) -> tuple[str, dt.date | None]:
    """Sex and birth date must agree with the ID number; missing ones are taken from it."""
    if not number:
        return sex, birth_date
    id_birth, id_sex = id_number_birth_date(number), id_number_sex(number)
    if birth_date is None:
        birth_date = id_birth
    elif birth_date != id_birth:
        errors.add(
            "birth_date",
            _("The birth date %(given)s does not match the one in the ID number (%(expected)s)."),
            code="birth_date_mismatch",
            params={"given": birth_date.isoformat(), "expected": id_birth.isoformat()},
        )
    if not sex:
        sex = id_sex
    elif sex != id_sex:
        errors.add(
            "sex",
            _("The sex given does not match the ID number (which says %(expected)s)."),
            code="sex_mismatch",
            params={"expected": Sex(id_sex).label.lower()},
        )
    return sex, birth_date


def _check_single_head(household: Household, errors: _Errors, *, exclude_pk: Any = None) -> None:
    heads = Member.objects.filter(household=household, relation=Relation.HEAD)
    if exclude_pk is not None:
        heads = heads.exclude(pk=exclude_pk)
    head = heads.only("name").first()
    if head is not None:
        errors.add(
            "relation",
            _("The household already has a head (%(name)s); change that member's relation first."),
            code="second_head",
            params={"name": head.name},
        )


def _clean_member_choices(values: Mapping[str, Any], errors: _Errors) -> None:
    specs = {
        "relation": (Relation, False),
        "ethnicity": (Ethnicity, False),
        "education": (Education, True),
        "health": (Health, False),
        "employment": (Employment, True),
    }
    for name, (choices, blank) in specs.items():
        if name in values:
            _clean_choice(values[name], choices, name, errors, blank=blank)
    if values.get("sex"):
        _clean_choice(values["sex"], Sex, "sex", errors, blank=False)


@transaction.atomic
def member_create(
    *,
    actor: User | None,
    household: Household,
    name: str,
    relation: str,
    sex: str = "",
    birth_date: dt.date | None = None,
    id_number: str = "",
    ethnicity: str = Ethnicity.HAN,
    education: str = "",
    health: str = Health.HEALTHY,
    health_note: str = "",
    employment: str = "",
    phone: str = "",
    is_party_member: bool = False,
    id: uuid.UUID | None = None,  # a client-generated id makes offline creates idempotent
) -> Member:
    """Add a member to a household.

    The ID number is validated, stored encrypted (with its keyed digest and masked form) and must not belong to
    any other member in the county. Sex and birth date are read from the ID number when not given, and must agree
    with it when given. A household has at most one head.
    """
    # Lock the household so that two concurrent "add the head" requests cannot both pass the check.
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk").first()
    errors = _Errors()
    values = {
        "relation": relation,
        "ethnicity": ethnicity,
        "education": education,
        "health": health,
        "employment": employment,
        "sex": sex,
    }
    _clean_member_choices(values, errors)
    number, digest = _clean_id_number(id_number, errors)
    birth_date = _clean_birth_date(birth_date, errors)
    sex, birth_date = _reconcile_with_id(number, sex or "", birth_date, errors)
    if not sex and "sex" not in errors.by_field:
        errors.add("sex", _("Give the member's sex (or an ID number, from which it is read)."), code="required")
    if relation == Relation.HEAD:
        _check_single_head(household, errors)
    phone = _clean_phone(phone, errors)
    if id is not None and Member.objects.filter(pk=id).exists():
        errors.add("id", _("A member with this id exists already."), code="duplicate_id")

    member = Member(
        household=household,
        name=(name or "").strip(),
        relation=relation,
        sex=sex,
        birth_date=birth_date,
        ethnicity=ethnicity,
        education=education or "",
        health=health,
        health_note=(health_note or "").strip(),
        employment=employment or "",
        phone=phone,
        is_party_member=bool(is_party_member),
    )
    if id is not None:
        member.id = id
    _full_clean(member, errors, exclude=["household", *errors.by_field])
    errors.raise_if_any()

    member.set_id_number(number)
    member._history_user = actor

    def explain() -> None:
        holder = _id_number_holder(digest) if digest else None
        if holder is not None:
            raise _duplicate_id_error(holder) from None
        if id is not None and Member.objects.filter(pk=id).exists():
            raise ValidationError(
                {"id": ValidationError(_("A member with this id exists already."), code="duplicate_id")}
            ) from None

    _save_new(member, explain)
    return member


@transaction.atomic
def member_update(*, actor: User | None, member: Member, expected_version: int | None = None, **changes: Any) -> Member:
    """Change some of a member's fields, with the same rules as ``member_create``; bumps the member's version.

    ``id_number=""`` removes the number. When a new ID number is given without sex or birth date, those are read
    from it; otherwise whatever the member ends up with must agree with its ID number.
    """
    _check_allowed(
        changes, MEMBER_UPDATABLE_FIELDS, {"household": _("Moving a member to another household is not done here.")}
    )
    if changes.get("relation") == Relation.HEAD:
        # Household before member, the same order as member_remove, so that the two cannot deadlock.
        Household.objects.select_for_update().filter(pk=member.household_id).values_list("pk").first()
    locked: Member = _lock(Member, member)
    _check_version(locked, expected_version, gettext("Member %(name)s") % {"name": locked.name})

    errors = _Errors()
    _clean_member_choices(changes, errors)
    values: dict[str, Any] = {}
    for name in ("name", "health_note"):
        if name in changes:
            values[name] = str(changes[name] or "").strip()
    for name in ("relation", "ethnicity", "health"):
        if name in changes:
            values[name] = changes[name]
    for name in ("education", "employment"):
        if name in changes:
            values[name] = changes[name] or ""
    if "is_party_member" in changes:
        values["is_party_member"] = bool(changes["is_party_member"])
    if "phone" in changes:
        values["phone"] = _clean_phone(changes["phone"], errors)

    new_number: str | None = None  # None: the ID number is not being changed; "": it is being removed
    if "id_number" in changes:
        new_number, digest = _clean_id_number(changes["id_number"], errors, exclude_pk=locked.pk)
        if (digest is not None and digest == locked.id_number_digest) or (
            new_number == "" and not locked.id_number_digest
        ):
            new_number = None  # the same number again, or "no number" for a member without one
        if "id_number" in errors.by_field:
            new_number = None
    if new_number is not None or "sex" in changes or "birth_date" in changes:
        # Decrypt only when sex or birth date must be checked against a number already stored.
        effective_number = new_number if new_number is not None else locked.reveal_id_number()
        if "birth_date" in changes:
            birth_date = _clean_birth_date(changes["birth_date"], errors)
        else:
            # A new ID number brings its own birth date unless one is given with it.
            birth_date = None if new_number else locked.birth_date
        sex = changes.get("sex") or ("" if new_number else locked.sex)
        sex, birth_date = _reconcile_with_id(effective_number, sex, birth_date, errors)
        if not sex and "sex" not in errors.by_field:
            errors.add("sex", _("Give the member's sex (or an ID number, from which it is read)."), code="required")
        values["sex"], values["birth_date"] = sex, birth_date

    if values.get("relation") == Relation.HEAD and locked.relation != Relation.HEAD:
        _check_single_head(locked.household, errors, exclude_pk=locked.pk)

    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    _full_clean(locked, errors, exclude=["household", *errors.by_field])
    errors.raise_if_any()

    changed = any(getattr(locked, name) != before[name] for name in values)
    if new_number is not None:
        locked.set_id_number(new_number)
        changed = True
    if not changed:
        _copy_fields(locked, member)
        return locked

    locked.version += 1
    locked._history_user = actor
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        holder = _id_number_holder(locked.id_number_digest, exclude_pk=locked.pk) if new_number else None
        if holder is not None:
            raise _duplicate_id_error(holder) from None
        raise
    _copy_fields(locked, member)
    return locked


@transaction.atomic
def member_remove(*, actor: User | None, member: Member, reason: str, expected_version: int | None = None) -> None:
    """Delete a member (moved out, died, recorded twice ...); the history keeps who removed it, when and why.

    The head cannot be removed while other members remain: make another member the head first.
    """
    reason = _check_reason(reason)
    Household.objects.select_for_update().filter(pk=member.household_id).values_list("pk").first()
    locked: Member = _lock(Member, member)
    _check_version(locked, expected_version, gettext("Member %(name)s") % {"name": locked.name})
    if (
        locked.relation == Relation.HEAD
        and Member.objects.filter(household_id=locked.household_id).exclude(pk=locked.pk).exists()
    ):
        raise ValidationError(
            {
                "relation": ValidationError(
                    _("%(name)s is the head of the household and other members remain: make another the head first."),
                    code="head_with_members",
                    params={"name": locked.name},
                )
            }
        )
    locked._history_user = actor
    locked._change_reason = reason
    locked.delete()
