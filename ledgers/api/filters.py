"""Filters of the ledger lists: the parties, ``within`` (a division code prefix of the row's place) and
``active`` (true: open rows; false: ended rows)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ledgers.models import AssistanceRole, DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance
from songpan.api.filters import TrueFalseFilter, WithinFilter


class LedgerFilter(django_filters.FilterSet):
    active = TrueFalseFilter(
        field_name="end_date", lookup_expr="isnull", help_text=_("true: rows still running; false: ended rows.")
    )


class PairingFilter(LedgerFilter):
    cadre = django_filters.NumberFilter(field_name="cadre_id", help_text=_("A cadre's id."))
    household = django_filters.UUIDFilter(field_name="household_id", help_text=_("A household's id."))
    within = WithinFilter(field_name="household__village__code")
    is_primary = TrueFalseFilter()

    class Meta:
        model = Pairing
        fields = ["cadre", "household", "within", "active", "is_primary"]


class LeaderAssignmentFilter(LedgerFilter):
    cadre = django_filters.NumberFilter(field_name="cadre_id", help_text=_("A cadre's id."))
    township = django_filters.CharFilter(field_name="township_id", help_text=_("A township's code."))
    within = WithinFilter(field_name="township__code")

    class Meta:
        model = LeaderAssignment
        fields = ["cadre", "township", "within", "active"]


class DepartmentSupportFilter(LedgerFilter):
    department = django_filters.NumberFilter(field_name="department_id", help_text=_("A department's id."))
    township = django_filters.CharFilter(field_name="township_id", help_text=_("A township's code."))
    within = WithinFilter(field_name="township__code")

    class Meta:
        model = DepartmentSupport
        fields = ["department", "township", "within", "active"]


class VillageAssistanceFilter(LedgerFilter):
    cadre = django_filters.NumberFilter(field_name="cadre_id", help_text=_("A cadre's id."))
    village = django_filters.CharFilter(field_name="village_id", help_text=_("A village's code."))
    within = WithinFilter(field_name="village__code")
    role = django_filters.ChoiceFilter(choices=AssistanceRole.choices)

    class Meta:
        model = VillageAssistance
        fields = ["cadre", "village", "within", "active", "role"]
