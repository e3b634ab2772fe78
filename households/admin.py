"""Admin for the household registry: browse, search and read the history; edits go through the services.

Households, members and income sources are **read-only** here. Their rules live in ``households.services``:
village level, unique household numbers, encrypted ID numbers unique county-wide, one head per household,
``version`` bumped on every change for offline clients, the actor and reason written into the history. The
admin cannot show a rule broken at save time as a form error (it would be a server error), and re-checking every
rule in admin forms would be a second copy of them; a read-only admin is the simpler way to be correct. Edits are
made in the township workbench and the API, which call the services. For the same reason reverting to an older
version from the history page is refused. Household categories are plain reference data and stay editable.

ID numbers appear masked only (``513224********1234``). An exact ID-number search goes through the keyed digest,
so the full number is never compared, stored or shown in clear.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedAdminMixin
from songpan.history_admin import HistoryAdmin, ReadOnlyAdminMixin, ReadOnlyInline

from .models import Household, HouseholdCategory, IncomeSource, Member
from .selectors import id_number_digest_of


@admin.register(HouseholdCategory)
class HouseholdCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort_order", "description")
    list_editable = ("sort_order",)
    search_fields = ("code", "name")
    ordering = ("sort_order", "code")


class IncomeSourceInline(ReadOnlyInline, admin.TabularInline):
    model = IncomeSource
    fields = ("year", "kind", "annual_amount", "note")
    readonly_fields = fields


class MemberInline(ReadOnlyInline, admin.TabularInline):
    model = Member
    show_change_link = True
    fields = ("name", "relation", "sex", "birth_date", "id_number_masked", "health", "employment", "is_party_member")
    readonly_fields = fields


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ("village", "number", "head_name", "risk_level", "status", "version")
    list_filter = ("status", "risk_level", "categories")
    search_fields = ("number", "head_name")
    search_help_text = _("A household number, the head's name, or a division code (everything inside it).")
    list_select_related = ("village",)
    ordering = ("village", "number")
    fieldsets = (
        (None, {"fields": ("village", "number", "head_name", "address", "phone", "categories")}),
        (_("Situation"), {"fields": ("difficulties", "aspirations", "special_problems", "risk_level")}),
        (_("Record"), {"fields": ("status", "version", "created_at", "updated_at")}),
    )
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (IncomeSourceInline, MemberInline)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if len(term) >= 6 and term.isascii() and term.isdigit():
            # A division code finds everything inside it (a case-sensitive prefix match can use the index on the
            # village key); a long household number still matches exactly.
            return queryset.filter(Q(village__code__startswith=term) | Q(number=term)), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ("name", "household", "relation", "sex", "birth_date", "id_number_masked", "is_party_member")
    list_filter = ("relation", "sex", "ethnicity", "health", "employment", "is_party_member")
    search_fields = ("name",)
    search_help_text = _("A name, or a full 18-character ID number (matched exactly, never stored in clear).")
    list_select_related = ("household",)
    fieldsets = (
        (None, {"fields": ("household", "name", "relation", "sex", "birth_date", "id_number_masked")}),
        (
            _("Details"),
            {"fields": ("ethnicity", "education", "health", "health_note", "employment", "phone", "is_party_member")},
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )
    readonly_fields = ("id_number_masked", "version", "created_at", "updated_at")

    def get_search_results(self, request, queryset, search_term):
        """A term that is a valid ID number matches its keyed digest exactly; anything else searches names."""
        digest = id_number_digest_of(search_term)
        if digest is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(id_number_digest=digest), False


@admin.register(IncomeSource)
class IncomeSourceAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("household", "year", "kind", "annual_amount", "note")
    list_filter = ("year", "kind")
    search_fields = ("household__number", "household__head_name")
    list_select_related = ("household",)
