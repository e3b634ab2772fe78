"""Submitting a case and editing its details. Status changes are ``grievances.services.transitions``."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from divisions.models import Division, Level
from grievances.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseKind,
    CaseSource,
    CaseStatus,
    DisputeParty,
    EventAction,
    PartyRole,
    Priority,
)
from grievances.workflow import Standing, TransitionNotAllowed, standing
from households.models import Household
from ledgers.models import Pairing
from songpan.errors import FieldErrors, field_error
from songpan.phones import validate_phone
from songpan.records import history_by, lock_for_update, save_next_version

from .numbering import next_reference

TITLE_MAX, DESCRIPTION_MAX, NOTE_MAX = 100, 4000, 2000
# Details may be edited until a unit is answerable for the case; after that the timeline is the record.
EDITABLE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
CASE_EDITABLE_FIELDS = frozenset({"title", "description", "category", "priority", "source", "kind"})


def event_write(
    *, case: Case, actor: User | None, action: str, from_status: str, note: str = "", **detail: Any
) -> CaseEvent:
    """Append one entry to the case's timeline (the only writer of ``CaseEvent``)."""
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        detail={key: value for key, value in detail.items() if value not in (None, "", [], ())},
    )


def clean_text(value: Any, field: str, errors: FieldErrors, *, max_length: int, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.add(field, _("This field is required."), code="required")
    elif len(text) > max_length:
        errors.add(
            field,
            _("Keep this to %(max)d characters (it has %(length)d)."),
            code="max_length",
            params={"max": max_length, "length": len(text)},
        )
    return text


def _clean_choice(value: Any, field: str, choices, errors: FieldErrors) -> str:
    if value not in choices.values:
        errors.add(field, _("“%(value)s” is not a valid choice."), code="invalid_choice", params={"value": value})
    return value


def _clean_category(value: Any, errors: FieldErrors) -> CaseCategory | None:
    if isinstance(value, CaseCategory):
        value = value.code
    category = CaseCategory.objects.filter(code=str(value or ""), is_active=True).first()
    if category is None:
        errors.add(
            "category",
            _("“%(value)s” is not a case category in use."),
            code="invalid_category",
            params={"value": value},
        )
    return category


def _place(
    *, actor: User, household: Household | None, village: Division | None, errors: FieldErrors
) -> Division | None:
    """The village of the case (the household's), checked against what ``actor`` may report on."""
    if household is not None:
        if village is not None and village.pk != household.village_id:
            errors.add("village", _("The household belongs to another village."), code="village_mismatch")
        village = household.village
    if village is None:
        errors.add("village", _("Name the household or the village the case concerns."), code="required")
        return None
    if village.level != Level.VILLAGE:
        errors.add("village", _("%(division)s is not a village."), code="not_a_village", params={"division": village})
        return None
    if actor.role in (Role.COUNTY_OFFICE, Role.TOWNSHIP):
        if not (actor.division_id and village.code.startswith(actor.division_id)):
            errors.add("village", _("This village is outside your area."), code="outside_scope")
    elif actor.role == Role.CADRE:
        cadre = getattr(actor, "cadre", None)
        paired = (
            household is not None
            and cadre is not None
            and Pairing.objects.active().filter(cadre=cadre, household=household).exists()
        )
        if not paired:
            errors.add(
                "household",
                _("A cadre submits cases for the households it is paired with: name one of them."),
                code="not_paired",
            )
    return village


def _clean_parties(items: Any, errors: FieldErrors) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    if items in (None, ""):
        return cleaned
    if isinstance(items, Mapping | str) or not isinstance(items, Iterable):
        errors.add("parties", _("Give the parties as a list."), code="invalid")
        return cleaned
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping) or not str(item.get("name") or "").strip():
            errors.add("parties", _("Party %(index)d: give a name."), code="invalid", params={"index": index})
            continue
        role = item.get("role") or PartyRole.OTHER
        phone = str(item.get("phone") or "").strip()
        if role not in PartyRole.values:
            errors.add("parties", _("Party %(index)d: unknown role."), code="invalid", params={"index": index})
        if phone:
            try:
                phone = validate_phone(phone)
            except ValidationError:
                errors.add(
                    "parties",
                    _("Party %(index)d: the phone number is not valid."),
                    code="invalid",
                    params={"index": index},
                )
        name = str(item["name"]).strip()
        if len(name) > 100:
            errors.add("parties", _("Party %(index)d: the name is too long."), code="invalid", params={"index": index})
        cleaned.append({"name": name[:100], "role": role, "phone": phone, "note": str(item.get("note") or "")[:200]})
    return cleaned


@transaction.atomic
def case_submit(
    *,
    actor: User,
    kind: str,
    category: Any,
    description: str,
    source: str = CaseSource.VISIT,
    household: Household | None = None,
    village: Division | None = None,
    title: str = "",
    priority: str = Priority.NORMAL,
    parties: Any = None,
    id: uuid.UUID | None = None,
) -> Case:
    """List a new case (status ``submitted``) with its reference number and first timeline entry.

    Office and township staff report anywhere in their area; a cadre reports for the households it is paired
    with. ``id`` lets a phone create the case offline: the same id twice is refused (``duplicate_id``), also when
    both arrive at once, and the API answers the replay with the case as it is.
    """
    if actor.role not in (Role.COUNTY_OFFICE, Role.TOWNSHIP, Role.CADRE):
        raise PermissionDenied(gettext("Your role may not submit cases."))
    errors = FieldErrors()
    kind = _clean_choice(kind, "kind", CaseKind, errors)
    source = _clean_choice(source, "source", CaseSource, errors)
    priority = _clean_choice(priority, "priority", Priority, errors)
    category_obj = _clean_category(category, errors)
    description = clean_text(description, "description", errors, max_length=DESCRIPTION_MAX, required=True)
    title = clean_text(title, "title", errors, max_length=TITLE_MAX, required=False)
    place = _place(actor=actor, household=household, village=village, errors=errors)
    party_rows = _clean_parties(parties, errors)
    if party_rows and kind != CaseKind.DISPUTE:
        errors.add("parties", _("Only disputes have parties."), code="invalid")
    if id is not None and Case.objects.filter(pk=id).exists():
        errors.add("id", _("A case with this id exists already."), code="duplicate_id")
    errors.raise_if_any()

    now = timezone.now()
    case = Case(
        kind=kind,
        category=category_obj,
        source=source,
        household=household,
        village=place,
        title=title or title_from(description),
        description=description,
        priority=priority,
        reported_by=actor,
        reporter_cadre=getattr(actor, "cadre", None) if actor.role == Role.CADRE else None,
        reference=next_reference(
            village_code=cast(Division, place).code,  # checked by raise_if_any above
            year=timezone.localdate(now).year,
        ),
    )
    if id is not None:
        case.id = id
    history_by(case, actor)
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        # The same id sent twice at once (a phone retrying a slow request): the other request created it between
        # the check above and this insert. Refused like any repeat; the number taken is given back.
        if id is not None and Case.objects.filter(pk=id).exists():
            raise field_error("id", _("A case with this id exists already."), code="duplicate_id") from None
        raise
    DisputeParty.objects.bulk_create(DisputeParty(case=case, **row) for row in party_rows)
    event_write(case=case, actor=actor, action=EventAction.SUBMIT, from_status="")
    return case


def title_from(description: str) -> str:
    """The title a case gets when none is given: the description's first line, cut to fit."""
    first_line = description.splitlines()[0] if description else ""
    return first_line[: TITLE_MAX - 1] + "…" if len(first_line) > TITLE_MAX else first_line


def case_label(case: Case) -> str:
    """How messages name a case ("Case SP-2026-000123")."""
    return gettext("Case %(reference)s") % {"reference": case.reference}


@transaction.atomic
def case_update(*, actor: User, case: Case, expected_version: int | None = None, **changes: Any) -> Case:
    """Correct the details of a case not yet given to a unit (office and township staff, or the cadre who
    reported it while it is still ``submitted``). Refused fields: ``not_updatable``."""
    FieldErrors.reject_not_updatable(
        changes,
        CASE_EDITABLE_FIELDS,
        {
            "status": _("Change the status with a transition."),
            "responsible_unit": _("Assign or refer the case with a transition."),
            "deadline": _("The deadline is set when the case is assigned."),
            "household": _("Submit a new case for another household."),
            "village": _("Submit a new case for another village."),
        },
    )
    locked = lock_for_update(case, expected_version=expected_version, label=case_label)
    _check_may_edit(actor, locked)
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    if "kind" in changes:
        cleaned["kind"] = _clean_choice(changes["kind"], "kind", CaseKind, errors)
    if "source" in changes:
        cleaned["source"] = _clean_choice(changes["source"], "source", CaseSource, errors)
    if "priority" in changes:
        cleaned["priority"] = _clean_choice(changes["priority"], "priority", Priority, errors)
    if "category" in changes:
        cleaned["category"] = _clean_category(changes["category"], errors)
    if "description" in changes:
        cleaned["description"] = clean_text(
            changes["description"], "description", errors, max_length=DESCRIPTION_MAX, required=True
        )
    if "title" in changes:
        cleaned["title"] = clean_text(changes["title"], "title", errors, max_length=TITLE_MAX, required=False)
        cleaned["title"] = cleaned["title"] or title_from(cleaned.get("description", locked.description))
    if cleaned.get("kind", locked.kind) != CaseKind.DISPUTE and locked.parties.exists():
        errors.add("kind", _("This case has parties to a dispute: it stays a dispute."), code="invalid")
    errors.raise_if_any()
    changed = {name: value for name, value in cleaned.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    save_next_version(locked, actor=actor)
    event_write(case=locked, actor=actor, action=EventAction.EDIT, from_status=locked.status, fields=sorted(changed))
    return locked


def _check_may_edit(actor: User, case: Case) -> None:
    """The workflow's refusals (``grievances.workflow``): 403 for someone who may never edit the case, 409 once
    nobody may (a unit is answerable), 403 again for the reporting cadre once the case is accepted."""
    who = standing(actor, case)
    staff = bool(who & {Standing.OFFICE, Standing.TOWNSHIP})
    reporter = Standing.CONFIRMER in who and case.reported_by_id == actor.pk
    if not (staff or reporter):
        raise PermissionDenied(gettext("Your role may not edit this case."))
    if case.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            gettext("The details of a case can be corrected only until it is assigned to a unit.")
        )
    if not staff and case.status != CaseStatus.SUBMITTED:
        raise PermissionDenied(gettext("The reporting cadre may correct a case only until it is accepted."))
