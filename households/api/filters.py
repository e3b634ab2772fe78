"""Filters and ordering of the household and member lists."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from households.models import Household, HouseholdStatus, Member, RiskLevel
from households.selectors import households_in_category, households_paired
from songpan.api.filters import TrueFalseFilter, WithinFilter, validate_code


class HouseholdFilter(django_filters.FilterSet):
    within = WithinFilter(field_name="village__code")
    village = django_filters.CharFilter(
        field_name="village_id", validators=[validate_code], help_text=_("The code of the village.")
    )
    category = django_filters.CharFilter(
        method="filter_category", max_length=40, help_text=_("A category code: households in that category.")
    )
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices)
    paired = TrueFalseFilter(
        method="filter_paired",
        help_text=_("true: with an active primary pairing; false: without one."),
    )

    class Meta:
        model = Household
        fields = ["within", "village", "category", "risk_level", "status", "paired"]

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return households_in_category(queryset, value)

    def filter_paired(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return households_paired(queryset, value)


class MemberFilter(django_filters.FilterSet):
    household = django_filters.UUIDFilter(field_name="household_id", help_text=_("The household's id."))

    class Meta:
        model = Member
        fields = ["household"]


class CodeOrderingFilter(OrderingFilter):
    """``?ordering=`` by the names the API shows, on columns (``village`` is the code column, then the household
    number: no join), with the primary key last so that pages are stable."""

    columns = {"village": ("village_id", "number")}

    def get_ordering(self, request, queryset, view):
        mapped: list[str] = []
        for term in super().get_ordering(request, queryset, view) or []:
            sign, name = ("-", term[1:]) if term.startswith("-") else ("", term)
            for column in self.columns.get(name, (name,)):
                if column not in {m.lstrip("-") for m in mapped}:
                    mapped.append(f"{sign}{column}")
        return [*mapped, "pk"]
