"""Adding, changing and removing the members of a household; their ID numbers (stored encrypted, unique in the
county) and the sex and birth date read from them."""

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import access_log_write
from accounts.models import AccessEvent, AccessOutcome, User
from accounts.permissions import Capability, check_capability, refusals_logged
from accounts.scoping import scope_for
from households.models import Education, Employment, Ethnicity, Health, Household, Member, Relation, Sex
from households.validators import id_number_birth_date, id_number_sex, validate_id_number
from songpan import fieldcrypto
from songpan.errors import FieldErrors, field_error
from songpan.records import copy_saved_fields, history_by, lock_for_update, save_new, save_next_version

from .records import check_reason, clean_phone

MEMBER_UPDATABLE_FIELDS = frozenset(
    "name relation sex birth_date id_number ethnicity".split()
    + "education health health_note employment phone is_party_member".split()
)


class IdNumberHolder(NamedTuple):
    member: uuid.UUID
    household: uuid.UUID
    village: str
    number: str


class IdNumberHeldElsewhere(ValidationError):
    """The refusal of an ID number that a member outside the actor's scope holds: it says nothing of where, and
    carries the holder for the probe's access-log row (``_id_number_probes_logged``)."""

    def __init__(self, holder: IdNumberHolder) -> None:
        super().__init__(
            _("This ID number cannot be used here; the county office has been notified."),
            code="id_number_unavailable",
        )
        self.holder = holder


def _duplicate_id_error(holder: IdNumberHolder, actor: User | None) -> ValidationError:
    """Inside the actor's scope the household holding the number is named (not the member); outside it nothing
    is said of it, so that a refusal cannot be used to find where a person lives."""
    if actor is not None and scope_for(actor).of(Household).filter(pk=holder.household).exists():
        return field_error(
            "id_number",
            _("This ID number is already registered for a member of household %(household)s."),
            code="duplicate_id_number",
            params={"household": f"{holder.village}-{holder.number}"},
        )
    return ValidationError({"id_number": IdNumberHeldElsewhere(holder)})


def _id_number_holder(digest: str, *, exclude_pk: Any = None) -> IdNumberHolder | None:
    holders = Member.objects.filter(id_number_digest=digest)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    found = holders.values_list("pk", "household_id", "household__village_id", "household__number").first()
    return IdNumberHolder(*found) if found is not None else None


def _id_number_probes_logged(service: Callable[..., Member]) -> Callable[..., Member]:
    """Write a refusal of a number held outside the actor's scope to the access log, after the service's
    transaction has been rolled back (so that the row stays; inside a caller's own transaction it goes with that
    transaction): who, from where, the household (and member) being edited and the member holding the number;
    never the number, whole or masked."""

    @functools.wraps(service)
    def logged(**kwargs: Any) -> Member:
        try:
            return service(**kwargs)
        except ValidationError as error:
            refusals = getattr(error, "error_dict", {}).get("id_number", [])
            held = next((e for e in refusals if isinstance(e, IdNumberHeldElsewhere)), None)
            if held is not None:
                member = kwargs.get("member")
                household_id = member.household_id if member is not None else kwargs["household"].pk
                detail = {"holder": str(held.holder.member), "action": "update" if member else "create"}
                if member is not None:
                    detail["member"] = str(member.pk)
                access_log_write(
                    event=AccessEvent.ID_NUMBER_CONFLICT,
                    outcome=AccessOutcome.DENIED,
                    user=kwargs.get("actor"),
                    request=kwargs.get("request"),
                    object_type=Household._meta.label_lower,
                    object_id=str(household_id),
                    detail=detail,
                )
            raise

    return logged


def _clean_id_number(
    value: Any, errors: FieldErrors, *, actor: User | None, exclude_pk: Any = None
) -> tuple[str, str | None]:
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
        errors.merge(_duplicate_id_error(holder, actor))
        return "", None
    return number, digest


def _clean_birth_date(value: Any, errors: FieldErrors) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.add("birth_date", _("Give the birth date as a date."), code="invalid")
        return None
    if value > timezone.localdate():
        errors.add("birth_date", _("The birth date is in the future."), code="future")
    return value


def _reconcile_with_id(
    number: str, sex: str, birth_date: dt.date | None, errors: FieldErrors
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


def _check_single_head(household: Household, errors: FieldErrors, *, exclude_pk: Any = None) -> None:
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


def _clean_choice(
    value: Any, choices: type[models.TextChoices], field: str, errors: FieldErrors, *, blank: bool
) -> Any:
    if value in ("", None) and blank:
        return ""
    if value not in choices.values:
        errors.add(field, _("%(value)s is not a valid choice."), code="invalid_choice", params={"value": value})
    return value


def _clean_member_choices(values: Mapping[str, Any], errors: FieldErrors) -> None:
    specs: dict[str, tuple[type[models.TextChoices], bool]] = {
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


def _member_label(member: Member) -> str:
    return gettext("Member %(name)s") % {"name": member.name}


@_id_number_probes_logged
@refusals_logged
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
    request: HttpRequest | None = None,  # where the request came from, for a refusal's access-log row
) -> Member:
    """Add a member to a household.

    The ID number is validated, stored encrypted (with its keyed digest and masked form) and must not belong to
    any other member in the county. When it does, the refusal names the household holding it only if the actor
    sees that household; otherwise it says nothing of it and is written to the access log as a probe
    (``AccessEvent.ID_NUMBER_CONFLICT``, listed on the county office's conflicts page). Sex and birth date are
    read from the ID number when not given, and must agree with it when given. A household has at most one head.
    """
    check_capability(actor, Capability.EDIT_REGISTRY)
    # Lock the household so that two concurrent "add the head" requests cannot both pass the check.
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk").first()
    errors = FieldErrors()
    values = {
        "relation": relation,
        "ethnicity": ethnicity,
        "education": education,
        "health": health,
        "employment": employment,
        "sex": sex,
    }
    _clean_member_choices(values, errors)
    number, digest = _clean_id_number(id_number, errors, actor=actor)
    birth_date = _clean_birth_date(birth_date, errors)
    sex, birth_date = _reconcile_with_id(number, sex or "", birth_date, errors)
    if not sex and "sex" not in errors.by_field:
        errors.add("sex", _("Give the member's sex (or an ID number, from which it is read)."), code="required")
    if relation == Relation.HEAD:
        _check_single_head(household, errors)
    phone = clean_phone(phone, errors)
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
    errors.full_clean(member, exclude=["household", *errors.by_field])
    errors.raise_if_any()

    member.set_id_number(number)
    history_by(member, actor)

    def explain() -> None:
        holder = _id_number_holder(digest) if digest else None
        if holder is not None:
            raise _duplicate_id_error(holder, actor) from None
        if id is not None and Member.objects.filter(pk=id).exists():
            raise field_error("id", _("A member with this id exists already."), code="duplicate_id") from None

    save_new(member, on_integrity_error=explain)
    return member


@_id_number_probes_logged
@refusals_logged
@transaction.atomic
def member_update(
    *,
    actor: User | None,
    member: Member,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
    **changes: Any,
) -> Member:
    """Change some of a member's fields, with the same rules as ``member_create``; bumps the member's version.

    ``id_number=""`` removes the number. When a new ID number is given without sex or birth date, those are read
    from it; otherwise whatever the member ends up with must agree with its ID number.
    """
    check_capability(actor, Capability.EDIT_REGISTRY)
    FieldErrors.reject_not_updatable(
        changes, MEMBER_UPDATABLE_FIELDS, {"household": _("Moving a member to another household is not done here.")}
    )
    locked = _lock_member(member, changes, expected_version)
    errors = FieldErrors()
    _clean_member_choices(changes, errors)
    values = _plain_values(changes, errors)
    new_number = _new_id_number(changes, locked, errors, actor=actor)
    values.update(_sex_and_birth_date(changes, locked, new_number, errors))
    if values.get("relation") == Relation.HEAD and locked.relation != Relation.HEAD:
        _check_single_head(locked.household, errors, exclude_pk=locked.pk)
    changed = _apply_values(locked, values, errors)
    if new_number is not None:
        locked.set_id_number(new_number)
        changed = True
    if changed:
        _save_member_change(locked, actor=actor, new_number_given=bool(new_number))
    copy_saved_fields(locked, member)
    return locked


def _lock_member(member: Member, changes: Mapping[str, Any], expected_version: int | None) -> Member:
    """Lock the member (checking the expected version), and first its household when it is to become the head."""
    if changes.get("relation") == Relation.HEAD:
        # Household before member, the same order as member_remove, so that the two cannot deadlock.
        Household.objects.select_for_update().filter(pk=member.household_id).values_list("pk").first()
    return lock_for_update(member, expected_version=expected_version, label=_member_label)


def _plain_values(changes: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The changed fields that need no more than normalising (texts stripped, blanks as "", the phone checked)."""
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
        values["phone"] = clean_phone(changes["phone"], errors)
    return values


def _new_id_number(
    changes: Mapping[str, Any], locked: Member, errors: FieldErrors, *, actor: User | None
) -> str | None:
    """The member's new ID number, "" to remove it, or None when it is not changing (not given, the same number
    again, "no number" for a member without one, or an invalid number, whose error is recorded)."""
    if "id_number" not in changes:
        return None
    new_number, digest = _clean_id_number(changes["id_number"], errors, actor=actor, exclude_pk=locked.pk)
    if "id_number" in errors.by_field:
        return None
    if (digest is not None and digest == locked.id_number_digest) or (new_number == "" and not locked.id_number_digest):
        return None
    return new_number


def _sex_and_birth_date(
    changes: Mapping[str, Any], locked: Member, new_number: str | None, errors: FieldErrors
) -> dict[str, Any]:
    """Sex and birth date as they will be, checked against the ID number, when any of the three is changing;
    otherwise nothing (the stored number is decrypted only when it must be checked)."""
    if new_number is None and "sex" not in changes and "birth_date" not in changes:
        return {}
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
    return {"sex": sex, "birth_date": birth_date}


def _apply_values(locked: Member, values: Mapping[str, Any], errors: FieldErrors) -> bool:
    """Set the values on the locked member, validate it (raising every error found so far) and say whether any
    value differs from what was stored."""
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    errors.full_clean(locked, exclude=["household", *errors.by_field])
    errors.raise_if_any()
    return any(getattr(locked, name) != before[name] for name in values)


def _save_member_change(locked: Member, *, actor: User | None, new_number_given: bool) -> None:
    """Save the next version; a concurrent registration of the same ID number becomes the duplicate-number error."""

    def explain() -> None:
        digest = locked.id_number_digest
        holder = _id_number_holder(digest, exclude_pk=locked.pk) if new_number_given and digest else None
        if holder is not None:
            raise _duplicate_id_error(holder, actor) from None

    save_next_version(locked, actor=actor, on_integrity_error=explain)


@refusals_logged
@transaction.atomic
def member_remove(*, actor: User | None, member: Member, reason: str, expected_version: int | None = None) -> None:
    """Delete a member (moved out, died, recorded twice ...); the history keeps who removed it, when and why.

    The head cannot be removed while other members remain: make another member the head first.
    """
    check_capability(actor, Capability.EDIT_REGISTRY)
    reason = check_reason(reason)
    Household.objects.select_for_update().filter(pk=member.household_id).values_list("pk").first()
    locked = lock_for_update(member, expected_version=expected_version, label=_member_label)
    if (
        locked.relation == Relation.HEAD
        and Member.objects.filter(household_id=locked.household_id).exclude(pk=locked.pk).exists()
    ):
        raise field_error(
            "relation",
            _("%(name)s is the head of the household and other members remain: make another the head first."),
            code="head_with_members",
            params={"name": locked.name},
        )
    history_by(locked, actor, reason)
    locked.delete()
