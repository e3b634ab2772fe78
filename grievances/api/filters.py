"""Filters and ordering of the case list."""

import django_filters
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter

from grievances.models import Case, CaseCategory, CaseKind, CaseLevel, CaseStatus, Priority
from songpan.api.filters import TrueFalseFilter, WithinFilter, validate_code


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    category = django_filters.CharFilter(field_name="category_id", max_length=40, help_text=_("A category's code."))
    responsible_unit = django_filters.NumberFilter(
        field_name="responsible_unit_id", help_text=_("The lead unit's (department's) id.")
    )
    within = WithinFilter(field_name="village__code", help_text=_("A division code: cases in villages inside it."))
    overdue = TrueFalseFilter(
        method="filter_overdue",
        help_text=_("true: assigned or in progress with the deadline passed; false: all the others."),
    )
    household = django_filters.UUIDFilter(field_name="household_id", help_text=_("The household's id."))
    village = django_filters.CharFilter(
        field_name="village_id", validators=[validate_code], help_text=_("The code of the village.")
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    level = django_filters.ChoiceFilter(choices=CaseLevel.choices)

    class Meta:
        model = Case
        fields = [
            "status",
            "kind",
            "category",
            "responsible_unit",
            "within",
            "overdue",
            "household",
            "village",
            "priority",
            "level",
        ]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.overdue() if value else queryset.not_overdue()


PRIORITY_RANK = SqlCase(
    When(priority=Priority.URGENT, then=Value(2)),
    When(priority=Priority.HIGH, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


class CaseOrderingFilter(OrderingFilter):
    """``?ordering=`` by the names the API shows; ``priority`` by rank (normal < high < urgent, so ``-priority``
    puts the urgent first), and the primary key last so that pages are stable."""

    def filter_queryset(self, request, queryset, view):
        ordering = list(self.get_ordering(request, queryset, view) or [])
        if any(term.lstrip("-") == "priority" for term in ordering):
            queryset = queryset.annotate(priority_rank=PRIORITY_RANK)
            ordering = [term.replace("priority", "priority_rank") for term in ordering]
        return queryset.order_by(*ordering, "pk")


class CaseCategoryFilter(django_filters.FilterSet):
    is_active = TrueFalseFilter(help_text=_("true: categories new cases may use; false: retired ones."))

    class Meta:
        model = CaseCategory
        fields = ["is_active"]
