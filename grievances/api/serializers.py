"""Request and response shapes of the case endpoints.

``CaseSerializer`` is both the response and the request of ``/cases/`` (POST, PUT, PATCH): one schema component,
so that the case's enums keep plain names in the schema. Requests only parse; ``grievances.services`` validates
the rules (categories in use, who may report where, the workflow). Unknown keys are refused (400).

Enums appear in the schema under one field name each (``postprocess_schema_enums`` names a choice set by its
field): the timeline's ``from_status``/``to_status``, the response's ``dispute_outcome``, a party's ``role`` and
``allowed_actions`` are plain strings whose values are listed in their descriptions.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import phone_for
from cadres.api.serializers import DepartmentRefSerializer, id_field
from grievances.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseKind,
    CaseSource,
    DisputeOutcome,
    EventAction,
    MediationResult,
    MediationSession,
    PartStatus,
    PartyRole,
    Priority,
    Satisfaction,
    UnitRole,
)
from grievances.services.cases import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX
from grievances.services.disputes import MEDIATORS_MAX, PLACE_MAX
from grievances.services.transitions import REASON_MAX
from grievances.workflow import Action, allowed_actions
from households.api.serializers import Slug, Text
from songpan.api.filters import validate_code
from songpan.api.serializers import RecordSerializer, StrictFieldsMixin, StrictSerializer

MAX_PARTIES = 20
MAX_CO_UNITS = 20


def _values(choices) -> str:
    return ", ".join(f"`{choice.value}`" for choice in choices)


def _choice(choices):
    """A validator: the value is one of ``choices`` (for plain-string fields, see the module's docstring)."""

    def validate(value: str) -> None:
        if value not in choices.values:
            raise serializers.ValidationError(_("“%(value)s” is not a valid choice.") % {"value": value})

    return validate


class CasePartySerializer(StrictSerializer):
    """A party to a dispute; the phone is shown as the reader may see it."""

    tolerated = frozenset()

    name = Text(max_length=100)
    role = Text(
        max_length=12,
        required=False,
        default=PartyRole.OTHER,
        validators=[_choice(PartyRole)],
        help_text=format_lazy(_("One of {values}."), values=_values(PartyRole)),
    )
    phone = Text(max_length=20, required=False, allow_blank=True, default="")
    note = Text(max_length=200, required=False, allow_blank=True, default="")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["phone"] = phone_for(request.user if request else None, data.get("phone") or "")
        return data


class CaseUnitPartRecordSerializer(serializers.Serializer):
    """A co-responsible unit's part as the sync feed sends it."""

    unit = serializers.IntegerField(source="unit_id", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)
    status = serializers.ChoiceField(choices=PartStatus.choices, read_only=True)


class CaseUnitPartSerializer(CaseUnitPartRecordSerializer):
    """A co-responsible unit's part in the case and how far it got."""

    note = serializers.CharField(read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)


def _co_units(case: Case) -> list:
    return [p for p in case.units.all() if p.role == UnitRole.CO and p.status != PartStatus.REFERRED]


class CaseRecordSerializer(RecordSerializer):
    """A case as the sync feed sends it: the lead unit by id and name, the co-units' parts in short. ``CaseSerializer``
    (the API) shows the lead unit as a reference, the parts in full, and adds its own fields. The queryset must
    join ``responsible_unit`` and prefetch ``units`` with their ``unit``."""

    category = serializers.CharField(source="category_id", read_only=True)
    household = serializers.UUIDField(source="household_id", read_only=True, allow_null=True)
    village = serializers.CharField(source="village_id", read_only=True, allow_null=True)
    responsible_unit = serializers.IntegerField(source="responsible_unit_id", read_only=True, allow_null=True)
    responsible_unit_name = serializers.CharField(
        source="responsible_unit.name", read_only=True, allow_null=True, help_text=_("The lead unit's name.")
    )
    co_units = serializers.SerializerMethodField(help_text=_("The co-responsible units and their parts."))
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    duplicate_of = serializers.UUIDField(source="duplicate_of_id", read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "category",
            "source",
            "household",
            "village",
            "title",
            "description",
            "status",
            "priority",
            "level",
            "responsible_unit",
            "responsible_unit_name",
            "co_units",
            "deadline",
            "overdue",
            "satisfaction",
            "resolution",
            "dispute_outcome",
            "reopen_count",
            "duplicate_of",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CaseUnitPartRecordSerializer(many=True))
    def get_co_units(self, case: Case) -> list[dict]:
        return CaseUnitPartRecordSerializer(_co_units(case), many=True).data


class CaseSerializer(StrictFieldsMixin, CaseRecordSerializer):
    """A case as the API shows it, and the body of POST, PUT and PATCH.

    Writable: ``id`` (a client-generated UUID, create only), ``kind``, ``category``, ``source``, ``household``
    and/or ``village`` (when submitting), ``title``, ``description``, ``priority``, ``parties`` (disputes, when
    submitting) and ``version`` (the version edited). Status, unit and deadline change only by transitions.
    The queryset must join and prefetch as ``CaseViewSet.base_queryset`` does.
    """

    id = serializers.UUIDField(required=False, help_text=_("A client-generated id (offline create)."))
    category = Slug(source="category_id", max_length=40, help_text=_("A case category's code (see case-categories)."))
    category_name = serializers.CharField(source="category.name", read_only=True)
    household = serializers.UUIDField(
        source="household_id",
        required=False,
        allow_null=True,
        help_text=_("The household's id; empty for a case about a whole village. Set when submitting."),
    )
    village = Text(
        source="village_id",
        max_length=12,
        validators=[validate_code],
        required=False,
        allow_null=True,
        help_text=_("The village's code (the household's village when a household is named). Set when submitting."),
    )
    village_name = serializers.CharField(source="village.name", read_only=True)
    title = Text(max_length=TITLE_MAX, required=False, allow_blank=True, default="")
    description = Text(max_length=DESCRIPTION_MAX)
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    source = serializers.ChoiceField(choices=CaseSource.choices, required=False, default=CaseSource.VISIT)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.NORMAL)
    parties = CasePartySerializer(
        many=True, required=False, max_length=MAX_PARTIES, help_text=_("Parties to a dispute (when submitting).")
    )
    responsible_unit = DepartmentRefSerializer(read_only=True, allow_null=True, help_text=_("The lead unit."))
    co_units = serializers.SerializerMethodField(help_text=_("The co-responsible units and their parts."))
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, read_only=True, allow_blank=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)
    dispute_outcome = serializers.CharField(
        read_only=True,
        help_text=format_lazy(_("For a resolved dispute: {values}; else empty."), values=_values(DisputeOutcome)),
    )
    duplicate_of = serializers.UUIDField(source="duplicate_of_id", read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=format_lazy(
            _("What the caller may do to the case now (transition actions: {values}), in lists as on a single case."),
            values=_values(Action),
        )
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text=_("The version edited (or send If-Match); stale: 412.")
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "category",
            "category_name",
            "source",
            "household",
            "village",
            "village_name",
            "title",
            "description",
            "status",
            "priority",
            "level",
            "responsible_unit",
            "co_units",
            "deadline",
            "overdue",
            "days_overdue",
            "satisfaction",
            "resolution",
            "dispute_outcome",
            "reopen_count",
            "duplicate_of",
            "parties",
            "created_at",
            "updated_at",
            "version",
            "allowed_actions",
            "responsible_unit_name",
        ]
        read_only_fields = [
            "reference",
            "status",
            "level",
            "deadline",
            "resolution",
            "reopen_count",
            "created_at",
            "updated_at",
        ]
        validators: list = []

    @extend_schema_field(CaseUnitPartSerializer(many=True))
    def get_co_units(self, case: Case) -> list[dict]:
        return CaseUnitPartSerializer(_co_units(case), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case: Case) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [str(action) for action in allowed_actions(request.user, case)]


class CaseTransitionSerializer(StrictSerializer):
    """``POST /cases/{id}/transition/``: the action and what it needs (``grievances.services.case_transition``).

    - ``assign`` / ``reassign``: ``unit`` (default: the routing table's), ``co_units``, ``deadline`` (default: the
      policy's); a unit other than the routed one needs ``reason``;
    - ``resolve``: ``note`` (the resolution); a dispute also ``outcome``;
    - ``close``: ``satisfaction``; ``not_satisfied`` reopens the case instead (``note`` says why);
    - ``duplicate``: ``duplicate_of`` (a case id or reference in your scope);
    - ``reject``, ``reopen``, ``escalate``, ``part_done``: ``note``.
    """

    tolerated = frozenset({"version"})

    action = serializers.ChoiceField(choices=[(a.value, a.value) for a in Action])
    note = Text(max_length=NOTE_MAX, required=False, allow_blank=True)
    unit = id_field(required=False, allow_null=True, help_text=_("The lead unit's (department's) id."))
    co_units = serializers.ListField(
        child=id_field(), required=False, max_length=MAX_CO_UNITS, help_text=_("Co-responsible units' ids.")
    )
    deadline = serializers.DateField(required=False, allow_null=True)
    reason = Text(max_length=REASON_MAX, required=False, allow_blank=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True)
    duplicate_of = Text(
        max_length=40, required=False, allow_blank=True, help_text=_("The original case: its id or its reference.")
    )
    outcome = serializers.ChoiceField(choices=DisputeOutcome.choices, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False, help_text=_("The version acted on (or If-Match)."))


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text=_("Who acted; null for the system (the overdue sweep)."))
    action = serializers.ChoiceField(choices=EventAction.choices, read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    from_status = serializers.CharField(
        read_only=True, help_text=_("The case's status before (empty for the submission).")
    )
    to_status = serializers.CharField(read_only=True, help_text=_("The case's status after."))
    detail = serializers.DictField(read_only=True, help_text=_("What else changed: units, deadline, level, ..."))

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "actor", "action", "action_label", "from_status", "to_status", "note", "detail"]
        read_only_fields = fields

    def get_actor(self, event: CaseEvent) -> str | None:
        if event.actor is None:
            return None
        return event.actor.get_full_name() or event.actor.get_username()


class MediationSessionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A mediation session of a dispute; also the body of POST (``grievances.services.mediation_record``)."""

    tolerated = frozenset()

    date = serializers.DateField()
    place = Text(max_length=PLACE_MAX, required=False, allow_blank=True, default="")
    mediators = Text(max_length=MEDIATORS_MAX)
    result = serializers.ChoiceField(choices=MediationResult.choices)
    note = Text(max_length=NOTE_MAX, required=False, allow_blank=True, default="")
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = MediationSession
        fields = ["id", "date", "place", "mediators", "result", "note", "recorded_by", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list = []

    def get_recorded_by(self, session: MediationSession) -> str | None:
        if session.recorded_by is None:
            return None
        return session.recorded_by.get_full_name() or session.recorded_by.get_username()


class CaseCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseCategory
        fields = ["code", "name", "description", "sort_order", "is_active"]
        read_only_fields = fields
