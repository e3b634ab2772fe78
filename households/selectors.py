"""Reads of a household's record that pages and the API share (already scoped by the caller), the household list
of the workbench (search, filters, sorting), and the county office's list of ID numbers refused because they are
held outside a scope."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import AccessEvent, AccessLog, Role, User
from accounts.permissions import Capability, has_capability
from accounts.scoping import Scope, scope_for
from divisions.models import Division, Level
from ledgers.models import Pairing
from songpan import fieldcrypto

from .models import Household, HouseholdCategory, IncomeSource, Member
from .validators import validate_id_number

# The orders the household list offers; the primary key last keeps pages stable.
HOUSEHOLD_SORTS: dict[str, tuple[str, ...]] = {
    "village": ("village_id", "number", "pk"),
    "number": ("number", "village_id", "pk"),
    "head_name": ("head_name", "village_id", "number", "pk"),
    "-updated": ("-updated_at", "pk"),
}


# -- the household list --------------------------------------------------------------------------------------


def id_number_digest_of(term: str) -> str | None:
    """The keyed digest of ``term`` when it is a valid ID number (an exact match, never stored in clear), else
    None. The admin's member search and the household search both look numbers up this way."""
    try:
        number = validate_id_number(term.strip())
    except ValidationError:
        return None
    return fieldcrypto.digest(number)


def households_in_category(queryset: QuerySet[Household], code: str) -> QuerySet[Household]:
    through = Household.categories.through.objects.filter(household=OuterRef("pk"), householdcategory__code=code)
    return queryset.filter(Exists(through))


def households_paired(queryset: QuerySet[Household], paired: bool) -> QuerySet[Household]:
    """Households with (``paired``) or without an active primary pairing."""
    pairing = Pairing.objects.active().filter(household=OuterRef("pk"), is_primary=True)
    return queryset.filter(Exists(pairing)) if paired else queryset.filter(~Exists(pairing))


def household_search(queryset: QuerySet[Household], q: str, *, user: User) -> QuerySet[Household]:
    """``q`` as the workbench searches it: a full ID number matches its holder's household exactly (through the
    keyed digest); anything else a part of the head's name, the household number or the village's name, and the
    phone for the roles that see phones in full (a masked role could otherwise confirm a number)."""
    q = q.strip()
    if not q:
        return queryset
    digest = id_number_digest_of(q)
    if digest is not None:
        return queryset.filter(Exists(Member.objects.filter(household=OuterRef("pk"), id_number_digest=digest)))
    condition = Q(head_name__icontains=q) | Q(number__icontains=q) | Q(village__name__icontains=q)
    if has_capability(user, Capability.SEE_FULL_PHONE):
        condition |= Q(phone__icontains=q)
    return queryset.filter(condition)


def household_list(*, user: User, filters: dict[str, Any]) -> QuerySet[Household]:
    """The households ``user`` sees, narrowed by ``filters`` (q, village, category, risk_level, status, paired,
    sort), with what a row of the list shows: the village and its township, the active primary pairing's cadre.
    A fixed number of queries whatever the page holds."""
    households = scope_for(user).of(Household)
    if filters.get("q"):
        households = household_search(households, filters["q"], user=user)
    if filters.get("village"):
        households = households.filter(village_id=filters["village"])
    if filters.get("category"):
        households = households_in_category(households, filters["category"])
    if filters.get("risk_level"):
        households = households.filter(risk_level=filters["risk_level"])
    if filters.get("status"):
        households = households.filter(status=filters["status"])
    if filters.get("paired") in ("yes", "no"):
        households = households_paired(households, filters["paired"] == "yes")
    order = HOUSEHOLD_SORTS.get(filters.get("sort") or "village", HOUSEHOLD_SORTS["village"])
    return (
        households.select_related("village__parent")
        .prefetch_related(
            Prefetch(
                "pairings",
                queryset=Pairing.objects.active().filter(is_primary=True).select_related("cadre"),
                to_attr="active_primary_pairings",
            )
        )
        .order_by(*order)
    )


def household_filter_villages(*, user: User) -> QuerySet[Division]:
    """The villages holding a household ``user`` sees (the list's village filter offers them)."""
    return (
        Division.objects.filter(
            Exists(scope_for(user).of(Household).filter(village=OuterRef("pk"))), level=Level.VILLAGE
        )
        .select_related("parent")
        .order_by("code")
    )


def household_page_get(*, user: User, pk: Any, request: Any = None) -> Household:
    """One household with what its page shows, or 404 (logged) outside the user's scope."""
    return scope_for(user).get_or_404(
        Household.objects.select_related("village__parent").prefetch_related(
            Prefetch(
                "pairings",
                queryset=Pairing.objects.active().filter(is_primary=True).select_related("cadre"),
                to_attr="active_primary_pairings",
            )
        ),
        request=request,
        pk=pk,
    )


_NOT_SHOWN = frozenset({"version", "id_number_masked", "categories"})
_NOT_SHOWN_ON_CREATION = _NOT_SHOWN | {"id", "household", "created_at", "updated_at"}
_PHONE_FIELDS = frozenset({"phone"})


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    subject: str
    kind: str  # created, changed, deleted
    reason: str
    changes: list[Change] = field(default_factory=list)


def _category_sets(records: list) -> dict[int, frozenset[str]]:
    """Category names held by each household history record, in two queries for all records."""
    if not records:
        return {}
    through = Household.history.model._meta.get_field("historicalhousehold_categories").related_model
    names = dict(HouseholdCategory.objects.values_list("pk", "name"))
    held: dict[int, set[str]] = defaultdict(set)
    rows = through.objects.filter(history_id__in=[r.history_id for r in records])
    for history_id, category_id in rows.values_list("history_id", "householdcategory_id"):
        held[history_id].add(names.get(category_id, str(category_id)))
    return {r.history_id: frozenset(held.get(r.history_id, ())) for r in records}


def _entries(
    records: list,
    subject: Callable,
    show_phone: Callable[[str], str],
    categories: dict[int, frozenset[str]] | None = None,
    show_initial: bool = False,
) -> list[HistoryEntry]:
    """History entries with old → new values, comparing each record with the one before it (no extra queries)."""
    entries = []
    previous_by_object: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = previous_by_object.get(record.id)
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=_NOT_SHOWN & _field_names(record))
            for change in delta.changes:
                model_field = record.instance_type._meta.get_field(change.field)
                old, new = str(change.old or ""), str(change.new or "")
                if change.field in _PHONE_FIELDS:
                    old, new = show_phone(old), show_phone(new)
                changes.append(Change(str(model_field.verbose_name), old, new))
            if categories is not None and categories[previous.history_id] != categories[record.history_id]:
                changes.append(
                    Change(
                        str(Household._meta.get_field("categories").verbose_name),
                        "、".join(sorted(categories[previous.history_id])),
                        "、".join(sorted(categories[record.history_id])),
                    )
                )
        elif show_initial and record.history_type == "+":
            changes = _initial_values(record, show_phone)
        previous_by_object[record.id] = record
        if previous is not None and not changes and record.history_type == "~":
            continue  # a save that changed nothing shown here (only the version counter, say)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "",
                subject=subject(record),
                kind=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def _initial_values(record, show_phone: Callable[[str], str]) -> list[Change]:
    """What a created line (an income source) held: each shown field with a value, as a change from nothing."""
    changes = []
    for model_field in record.instance_type._meta.fields:
        if model_field.name in _NOT_SHOWN_ON_CREATION or model_field.is_relation:
            continue
        value = getattr(record, model_field.attname, None)
        if value in (None, ""):
            continue
        shown = dict(model_field.flatchoices).get(value, value) if model_field.choices else value
        shown = show_phone(str(shown)) if model_field.name in _PHONE_FIELDS else str(shown)
        changes.append(Change(str(model_field.verbose_name), "", shown))
    return changes


def _field_names(record) -> set[str]:
    return {f.name for f in record.instance_type._meta.fields} | {"categories"}


def household_history(
    household: Household, *, show_phone: Callable[[str], str], limit: int = 100
) -> list[HistoryEntry]:
    """Edits of the household, its members and its income sources, newest first: who, when, old and new values.

    ``show_phone`` renders a phone as the reader may see it (``accounts.permissions.phone_for``). A fixed number
    of queries whatever the number of edits.
    """
    household_records = list(household.history.select_related("history_user").order_by("-history_date")[:limit])
    member_records = list(
        Member.history.filter(household_id=household.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    income_records = list(
        IncomeSource.history.filter(household_id=household.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    income_label = str(IncomeSource._meta.verbose_name)
    entries = (
        _entries(
            household_records,
            lambda r: str(Household._meta.verbose_name),
            show_phone,
            categories=_category_sets(household_records),
        )
        + _entries(member_records, lambda r: r.name, show_phone)
        + _entries(
            income_records, lambda r: f"{income_label} {r.year} {r.get_kind_display()}", show_phone, show_initial=True
        )
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)[:limit]


@dataclass
class IdNumberConflict:
    """One refused ID number held outside the refusing user's scope, as the county office's page shows it: the
    households are those the viewer sees (None when outside the viewer's scope); the number only masked."""

    at: datetime
    username: str
    role: str
    address: str
    action: str  # create, update
    household: Household | None  # the household being edited
    member: Member | None  # the member being edited (an update)
    holder: Member | None  # the member holding the number


def id_number_conflicts(*, scope: Scope, limit: int = 200) -> list[IdNumberConflict]:
    """The latest probes (``AccessEvent.ID_NUMBER_CONFLICT``) that touch the viewer's scope, the newest first:
    those whose edited household or holding member the viewer sees. Two queries beyond the log's."""
    probes = list(
        AccessLog.objects.filter(event=AccessEvent.ID_NUMBER_CONFLICT, object_type=Household._meta.label_lower)
        .only("at", "username", "role", "ip_address", "object_id", "detail")
        .order_by("-at", "-id")[:limit]
    )
    member_ids = {str(p.detail[key]) for p in probes for key in ("holder", "member") if p.detail.get(key)}
    households = {
        str(pk): household
        for pk, household in scope.of(Household)
        .select_related("village")
        .in_bulk({p.object_id for p in probes})
        .items()
    }
    members = {
        str(pk): member
        for pk, member in scope.of(Member).select_related("household__village").in_bulk(member_ids).items()
    }
    rows = []
    for probe in probes:
        row = IdNumberConflict(
            at=probe.at,
            username=probe.username,
            role=str(Role(probe.role).label) if probe.role in Role.values else probe.role,
            address=probe.ip_address or "",
            action=str(probe.detail.get("action", "")),
            household=households.get(probe.object_id),
            member=members.get(str(probe.detail.get("member", ""))),
            holder=members.get(str(probe.detail.get("holder", ""))),
        )
        if row.household is not None or row.holder is not None:
            rows.append(row)
    return rows
