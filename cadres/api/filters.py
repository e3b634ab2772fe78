"""Filters of the department and cadre lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, CadreStatus, Department, DepartmentKind, DepartmentLevel, Rank
from songpan.api.filters import TrueFalseFilter, WithinFilter


class DepartmentFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=DepartmentLevel.choices)
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)
    division = django_filters.CharFilter(field_name="division_id", help_text=_("Exactly this division's code."))
    within = WithinFilter(field_name="division__code")
    is_active = TrueFalseFilter()

    class Meta:
        model = Department
        fields = ["level", "kind", "division", "within", "is_active"]


class CadreFilter(django_filters.FilterSet):
    rank = django_filters.ChoiceFilter(choices=Rank.choices)
    status = django_filters.ChoiceFilter(choices=CadreStatus.choices)
    department = django_filters.NumberFilter(field_name="department_id", help_text=_("A department's id."))
    within = WithinFilter(
        method="filter_within", help_text=_("A division code: cadres whose home division or department lies inside.")
    )
    is_party_member = TrueFalseFilter()

    class Meta:
        model = Cadre
        fields = ["rank", "status", "department", "within", "is_party_member"]

    def filter_within(self, queryset, name, value):
        return queryset.filter(Q(division__code__startswith=value) | Q(department__division__code__startswith=value))
