"""Request and response shapes of departments and cadres; shared building blocks of the ledger serializers.

Responses and requests are separate serializers: a response says what the caller may see (phones through
``phone_for``, the household count annotated by the view), a request says what may be written and resolves ids
and codes inside the caller's scope, so that an id outside it answers 400 "not found" and nothing is written.
"""

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.permissions import phone_for
from cadres.models import Cadre, Department, Rank
from divisions.models import Division
from songpan.api.filters import validate_code
from songpan.api.serializers import StrictFieldsMixin, StrictSerializer

MAX_ID = 2**31 - 1  # the database's integer range: larger ids are "not found", never an overflow (500)


def scoped_lookup(queryset: QuerySet, pk, label: str) -> Model:
    """The object ``pk`` of the caller's scoped ``queryset``, or a field error naming it as not found (an id
    outside the scope is indistinguishable from one that does not exist)."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError(_("%(label)s %(id)s was not found.") % {"label": label, "id": pk})
    return found


def division_in_scope(scope, code: str, label: str) -> Division:
    """The division ``code`` if the caller's scope covers it, else a field error."""
    validate_code(code)
    division = Division.objects.filter(code=code).first()
    if division is None or not scope.covers_division(code):
        raise serializers.ValidationError(
            _("%(label)s %(code)s was not found in your area.") % {"label": label, "code": code}
        )
    return division


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def division_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(min_length=2, max_length=12, **kwargs)


class CadreRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- departments ---------------------------------------------------------------------------------------------


class DepartmentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A department; on POST also the request (one component, so its enums get plain names in the schema)."""

    division = division_field(
        source="division_id", help_text=_("The code of the division whose organ this is (inside your area to create).")
    )

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "level", "kind", "division", "is_active"]
        read_only_fields = ["id", "is_active"]
        extra_kwargs = {"short_name": {"default": ""}}
        validators: list = []  # uniqueness is the service's rule (with its own message)

    def validate_division(self, value: str) -> Division:
        return division_in_scope(self.context["scope"], value, _("Division"))

    def create_arguments(self) -> dict:
        """``validated_data`` as ``department_create`` takes it."""
        data = dict(self.validated_data)
        data["division"] = data.pop("division_id")
        return data


# --- cadres --------------------------------------------------------------------------------------------------


class CadreSerializer(serializers.ModelSerializer):
    department = serializers.IntegerField(source="department_id", read_only=True, allow_null=True)
    division = serializers.CharField(
        source="division_id", read_only=True, allow_null=True, help_text=_("The home division's code.")
    )
    household_count = serializers.IntegerField(
        read_only=True, help_text=_("Households the cadre carries (active primary pairings).")
    )
    phone = serializers.SerializerMethodField(help_text=_("Masked for roles that may not see phones in full."))

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "rank",
            "department",
            "division",
            "is_party_member",
            "status",
            "household_count",
            "sex",
            "ethnicity",
            "title",
            "phone",
            "version",
        ]
        read_only_fields = fields

    def get_phone(self, cadre: Cadre) -> str:
        return phone_for(self.context["request"].user, cadre.phone)


class CadreWriteSerializer(StrictSerializer):
    """POST (all required fields) and PATCH (``partial``): the cadre's record; the status changes with a transfer."""

    name = serializers.CharField(max_length=50)
    rank = serializers.ChoiceField(choices=Rank.choices)
    sex = serializers.ChoiceField(choices=[("male", _("Male")), ("female", _("Female"))])
    department = id_field(required=False, allow_null=True, default=None, help_text=_("A department in your area."))
    division = division_field(
        required=False, allow_null=True, default=None, help_text=_("The home division's code, inside your area.")
    )
    is_party_member = serializers.BooleanField(required=False, default=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    ethnicity = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")

    def validate_department(self, value: int | None) -> Department | None:
        if value is None:
            return None
        return scoped_lookup(self.context["scope"].filter(Department.objects.all()), value, _("Department"))

    def validate_division(self, value: str | None) -> Division | None:
        if value is None:
            return None
        return division_in_scope(self.context["scope"], value, _("Division"))
