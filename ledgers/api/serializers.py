"""Request and response shapes of the four ledgers. Every response carries the common ledger columns; requests
resolve their parties inside the caller's scope (an id or code outside it answers 400 on that field)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cadres.api.serializers import (
    CadreRefSerializer,
    DepartmentRefSerializer,
    division_field,
    division_in_scope,
    id_field,
    scoped_lookup,
)
from cadres.models import Cadre, Department
from households.models import Household
from ledgers.models import AssistanceRole, DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance
from songpan.api.serializers import RecordSerializer, StrictSerializer

# --- responses -----------------------------------------------------------------------------------------------


class HouseholdRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    village = serializers.CharField(source="village_id", read_only=True)
    number = serializers.CharField(read_only=True)
    head_name = serializers.CharField(read_only=True)


class LedgerEntrySerializer(serializers.ModelSerializer):
    """The columns every ledger row has."""

    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, help_text=_("Who started the row.")
    )
    ended_by = serializers.CharField(
        source="ended_by.username", read_only=True, allow_null=True, help_text=_("Who ended the row.")
    )
    is_active = serializers.BooleanField(read_only=True)

    common_fields = ["start_date", "end_date", "start_reason", "end_reason", "created_by", "ended_by", "is_active"]


class PairingRecordSerializer(RecordSerializer):
    """A pairing as the sync feed sends it: its cadre and household by id (``PairingSerializer`` shows them as
    ``{"id": ..., ...}`` references and adds the common ledger columns)."""

    cadre = serializers.IntegerField(source="cadre_id", read_only=True)
    household = serializers.UUIDField(source="household_id", read_only=True)
    ended = serializers.SerializerMethodField(help_text=_("True once the pairing has ended (an end date is set)."))

    class Meta:
        model = Pairing
        fields = [
            "id",
            "cadre",
            "household",
            "is_primary",
            "start_date",
            "end_date",
            "start_reason",
            "end_reason",
            "ended",
            "updated_at",
        ]
        read_only_fields = fields

    def get_ended(self, pairing: Pairing) -> bool:
        return pairing.end_date is not None


class PairingSerializer(LedgerEntrySerializer, PairingRecordSerializer):
    cadre = CadreRefSerializer(read_only=True)
    household = HouseholdRefSerializer(read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "cadre", "household", "is_primary", *LedgerEntrySerializer.common_fields, "ended", "updated_at"]
        read_only_fields = fields


class LeaderAssignmentSerializer(LedgerEntrySerializer):
    cadre = CadreRefSerializer(read_only=True)
    township = serializers.CharField(source="township_id", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = LeaderAssignment
        fields = ["id", "cadre", "township", "township_name", *LedgerEntrySerializer.common_fields]
        read_only_fields = fields


class DepartmentSupportSerializer(LedgerEntrySerializer):
    department = DepartmentRefSerializer(read_only=True)
    township = serializers.CharField(source="township_id", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = DepartmentSupport
        fields = ["id", "department", "township", "township_name", *LedgerEntrySerializer.common_fields]
        read_only_fields = fields


class VillageAssistanceSerializer(LedgerEntrySerializer):
    cadre = CadreRefSerializer(read_only=True)
    village = serializers.CharField(source="village_id", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = VillageAssistance
        fields = ["id", "cadre", "village", "village_name", "role", *LedgerEntrySerializer.common_fields]
        read_only_fields = fields


# --- requests ------------------------------------------------------------------------------------------------


class LedgerCreateSerializer(StrictSerializer):
    """The start of a row: its date (today when omitted; never in the future) and reason."""

    start_date = serializers.DateField(required=False, help_text=_("Today when omitted; not in the future."))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def _cadre(self, value: int) -> Cadre:
        return scoped_lookup(self.context["scope"].of(Cadre), value, _("Cadre"))


class LedgerEndSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200, help_text=_("Why the row ends; kept in the ledger."))
    end_date = serializers.DateField(
        required=False, help_text=_("Today when omitted; not in the future nor before the start.")
    )


class PairingCreateSerializer(LedgerCreateSerializer):
    cadre = id_field(help_text=_("A cadre in your scope."))
    household = serializers.UUIDField(help_text=_("A household in your scope."))
    is_primary = serializers.BooleanField(required=False, default=True)

    def validate_cadre(self, value: int) -> Cadre:
        return self._cadre(value)

    def validate_household(self, value):
        return scoped_lookup(self.context["scope"].of(Household), value, _("Household"))


class LeaderAssignmentCreateSerializer(LedgerCreateSerializer):
    cadre = id_field(help_text=_("A county leader in your scope."))
    township = division_field(help_text=_("A township's code, inside your area."))

    def validate_cadre(self, value: int) -> Cadre:
        return self._cadre(value)

    def validate_township(self, value: str):
        return division_in_scope(self.context["scope"], value, _("Township"))


class DepartmentSupportCreateSerializer(LedgerCreateSerializer):
    department = id_field(help_text=_("A department in your scope."))
    township = division_field(help_text=_("A township's code, inside your area."))

    def validate_department(self, value: int) -> Department:
        return scoped_lookup(self.context["scope"].filter(Department.objects.all()), value, _("Department"))

    def validate_township(self, value: str):
        return division_in_scope(self.context["scope"], value, _("Township"))


class VillageAssistanceCreateSerializer(LedgerCreateSerializer):
    cadre = id_field(help_text=_("An official (cadre) in your scope."))
    village = division_field(help_text=_("A key village's code, inside your area."))
    role = serializers.ChoiceField(choices=AssistanceRole.choices, required=False, default=AssistanceRole.TEAM_MEMBER)

    def validate_cadre(self, value: int) -> Cadre:
        return self._cadre(value)

    def validate_village(self, value: str):
        return division_in_scope(self.context["scope"], value, _("Village"))
