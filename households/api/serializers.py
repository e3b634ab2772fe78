"""Request and response shapes of the household, member, reveal and coverage endpoints.

Responses never carry a full national ID number (only the masked form) and show phones as the reader may see
them (``accounts.permissions.phone_for``). Request serializers only parse: the services validate the rules.
Unknown keys in a request are refused (400), so that a misspelt field is never silently dropped.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import phone_for
from households.models import (
    TEXT_MAX_LENGTH,
    Education,
    Employment,
    Ethnicity,
    Health,
    Household,
    HouseholdStatus,
    IncomeKind,
    IncomeSource,
    Member,
    Relation,
    RiskLevel,
    Sex,
)
from songpan.api.filters import validate_code
from songpan.api.serializers import RecordSerializer, StrictSerializer, reader


class Slug(serializers.SlugField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(serializers.CharField):
    """A string, and only a string: a number where text is expected is a client bug, not something to coerce."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _phone(serializer: serializers.Serializer, phone: str) -> str:
    return phone_for(reader(serializer), phone)


# -- responses -------------------------------------------------------------------------------------------------


class IncomeSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomeSource
        fields = ["kind", "year", "annual_amount", "note"]
        read_only_fields = fields


class MemberSummarySerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(
        source="id_number_masked", read_only=True, help_text=_("Masked (513224********1234); see reveal.")
    )

    class Meta:
        model = Member
        fields = ["id", "name", "relation", "sex", "birth_date", "id_number"]
        read_only_fields = fields


class PairedCadreSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    phone = serializers.SerializerMethodField()

    def get_phone(self, cadre) -> str:
        return _phone(self, cadre.phone)


class ActivePairingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    cadre = PairedCadreSerializer(read_only=True)
    start_date = serializers.DateField(read_only=True)


class HouseholdRecordSerializer(RecordSerializer):
    """A household as the sync feed sends it, and the fields the API's ``HouseholdSerializer`` shares with it; the
    queryset must prefetch ``categories`` and ``income_sources``."""

    village = serializers.CharField(source="village_id", read_only=True)
    phone = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    income_sources = IncomeSourceSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "number",
            "address",
            "head_name",
            "phone",
            "categories",
            "income_sources",
            "difficulties",
            "aspirations",
            "special_problems",
            "risk_level",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_phone(self, household: Household) -> str:
        return _phone(self, household.phone)

    def get_categories(self, household: Household) -> list[str]:
        return sorted(category.code for category in household.categories.all())


class HouseholdSerializer(HouseholdRecordSerializer):
    """A household as the API shows it; the queryset must prefetch as ``HouseholdViewSet.base_queryset`` does."""

    members = MemberSummarySerializer(many=True, read_only=True)
    active_pairing = serializers.SerializerMethodField()

    class Meta(HouseholdRecordSerializer.Meta):
        # The record's fields, with the members and the active pairing before ``updated_at`` (the API's order).
        fields = [
            *(name for name in HouseholdRecordSerializer.Meta.fields if name != "updated_at"),
            "members",
            "active_pairing",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ActivePairingSerializer(allow_null=True))
    def get_active_pairing(self, household: Household) -> dict | None:
        pairings = getattr(household, "active_primary_pairings", None)
        if pairings is None:  # not prefetched (a freshly written household): one query
            pairings = list(household.pairings.active().filter(is_primary=True).select_related("cadre"))
        if not pairings:
            return None
        return ActivePairingSerializer(pairings[0], context=self.context).data


class MemberRecordSerializer(RecordSerializer):
    """A member as the sync feed sends it and the API shows it (``MemberSerializer`` adds nothing yet)."""

    household = serializers.UUIDField(source="household_id", read_only=True)
    id_number = serializers.CharField(
        source="id_number_masked",
        read_only=True,
        help_text=_("Always masked (513224********1234); the full number only through reveal, which is logged."),
    )
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "name",
            "relation",
            "id_number",
            "sex",
            "birth_date",
            "ethnicity",
            "education",
            "health",
            "health_note",
            "employment",
            "phone",
            "is_party_member",
            "version",
            "updated_at",
        ]
        read_only_fields = fields
        # Not recorded is "": declare it, or the schema's enums would refuse what the API answers.
        extra_kwargs = {"education": {"allow_blank": True}, "employment": {"allow_blank": True}}

    def get_phone(self, member: Member) -> str:
        return _phone(self, member.phone)


class MemberSerializer(MemberRecordSerializer):
    # A member as the API shows it: the sync record's fields (fields of the API's own would go here).

    class Meta(MemberRecordSerializer.Meta):
        pass


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField(read_only=True, help_text=_("The full number (empty when none is recorded)."))


class UnpairedHouseholdSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "village", "number", "head_name"]
        read_only_fields = fields


class CoverageSerializer(serializers.Serializer):
    within = serializers.CharField(allow_null=True, help_text=_("The division asked for; null: the whole scope."))
    households = serializers.IntegerField(help_text=_("Active households in the caller's scope."))
    paired = serializers.IntegerField(help_text=_("Of which with an active primary pairing."))
    unpaired = serializers.IntegerField()
    coverage = serializers.FloatField(help_text=_("paired / households (1.0 when there are none)."))
    unpaired_households = UnpairedHouseholdSerializer(many=True, help_text=_("The first 20, by village and number."))


# -- requests --------------------------------------------------------------------------------------------------


class IncomeSourceInputSerializer(StrictSerializer):
    """One income source of the household; a key it does not know (``id`` and ``version`` too) is refused."""

    tolerated = frozenset()  # an income source has no id or version: refuse them as unknown

    kind = serializers.ChoiceField(choices=IncomeKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    annual_amount = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    note = Text(max_length=200, required=False, allow_blank=True, default="")


class HouseholdWriteSerializer(StrictSerializer):
    """POST (create), PUT (every field; omitted optional ones are emptied) and PATCH (only the fields given).

    ``status`` other than the current one needs ``reason`` (moved, merged, dissolved, or active again).
    ``version`` is the version edited (or send ``If-Match``); a stale one answers 412 and changes nothing.
    """

    id = serializers.UUIDField(required=False, help_text=_("A client-generated id (offline create)."))
    village = Text(max_length=12, validators=[validate_code], help_text=_("The 12-digit code of the village."))
    number = Text(max_length=20)
    head_name = Text(max_length=50)
    address = Text(max_length=200, required=False, allow_blank=True)
    phone = Text(max_length=20, required=False, allow_blank=True)
    categories = serializers.ListField(
        child=Slug(max_length=40), required=False, max_length=50, help_text=_("Category codes.")
    )
    income_sources = IncomeSourceInputSerializer(many=True, required=False, max_length=100)
    difficulties = Text(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    aspirations = Text(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    special_problems = Text(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, required=False)
    reason = Text(max_length=100, required=False, allow_blank=True, help_text=_("Why the status changes."))
    version = serializers.IntegerField(min_value=1, required=False)

    # What PUT resets when a field is left out.
    DEFAULTS = {
        "address": "",
        "phone": "",
        "categories": [],
        "income_sources": [],
        "difficulties": "",
        "aspirations": "",
        "special_problems": "",
        "risk_level": RiskLevel.NONE,
    }


class MemberWriteSerializer(StrictSerializer):
    """POST (with ``household``) and PATCH. ``id_number`` is accepted in full and answered masked."""

    id = serializers.UUIDField(required=False, help_text=_("A client-generated id (offline create)."))
    household = serializers.UUIDField(help_text=_("The household's id (create only)."))
    name = Text(max_length=50)
    relation = serializers.ChoiceField(choices=Relation.choices)
    id_number = Text(max_length=32, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_blank=True)
    health = serializers.ChoiceField(choices=Health.choices, required=False)
    health_note = Text(max_length=200, required=False, allow_blank=True)
    employment = serializers.ChoiceField(choices=Employment.choices, required=False, allow_blank=True)
    phone = Text(max_length=20, required=False, allow_blank=True)
    is_party_member = serializers.BooleanField(required=False)
    version = serializers.IntegerField(min_value=1, required=False)


class MemberRemoveSerializer(StrictSerializer):
    tolerated = frozenset()  # the member is in the URL: an ``id`` in the body is refused as unknown

    reason = Text(max_length=100, help_text=_("Why the member is removed (or ?reason=)."))
    version = serializers.IntegerField(min_value=1, required=False)
