"""Admin for cases: the configuration tables are edited here; cases and their records are only read here.

- **Case categories, routing rules and deadline policies** are the county's configuration: the county office
  (and the deployment's technical administrator) edits them; other staff accounts that reach the admin may read
  them. The services read them at every submission and assignment, so a change applies from the next case on.
- **Cases** are view-only, with their timeline, units, accountability, parties and mediation sessions inline.
  Every change of a case goes through ``grievances.services`` (which asks ``grievances.workflow``): status,
  units, deadlines and the accountability clock must move together with their timeline entry, notifications and
  version, which an admin form cannot do. Reverting a case from its history page is refused too.
- **Timeline entries, accountability records and notifications** are view-only: they are the record.

Every list goes through the caller's scope (``accounts.admin_scoping``): a case through the scope's rule for
cases, a row hanging off a case through its case.
"""

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedAdminMixin, admin_sees_everything
from accounts.models import Role
from accounts.scoping import scope_for
from divisions.models import Level
from songpan.history_admin import HistoryAdmin, ReadOnlyAdminMixin, ReadOnlyInline

from .models import (
    OPEN_STATUSES,
    AccountabilityRecord,
    Case,
    CaseCategory,
    CaseEvent,
    CaseUnit,
    DeadlinePolicy,
    DisputeParty,
    MediationSession,
    Notification,
    RoutingRule,
)

# -- configuration -------------------------------------------------------------------------------------------


def manages_configuration(user) -> bool:
    """The county office, or the technical administrator (a superuser without a role)."""
    return admin_sees_everything(user) or bool(user.is_active and user.role == Role.COUNTY_OFFICE and user.division_id)


class ConfigurationAdmin(admin.ModelAdmin):
    """Readable by every staff account allowed in; written by the county office only."""

    def has_add_permission(self, request):
        return manages_configuration(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return manages_configuration(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return manages_configuration(request.user) and super().has_delete_permission(request, obj)


@admin.register(CaseCategory)
class CaseCategoryAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "description", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # The code is the key cases point at: editing it would add a second category, not rename this one.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # Cases keep their category for ever: take a category out of use instead ("in use" off).
        return False


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("category", "township", "unit", "co_units", "with_township")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_township(self):
        township = self.cleaned_data.get("township")
        if township is None:
            return township
        if township.level != Level.TOWNSHIP:
            raise forms.ValidationError(_("%(division)s is not a township."), params={"division": township})
        user = self.request.user if self.request else None
        if user is not None and not admin_sees_everything(user) and not township.code.startswith(user.division_id):
            raise forms.ValidationError(_("This township is outside your area."))
        return township

    def clean(self):
        data = super().clean()
        unit, co_units = data.get("unit"), data.get("co_units") or []
        if unit is not None and not unit.is_active:
            self.add_error("unit", _("%(unit)s is no longer in use.") % {"unit": unit})
        if unit is not None and unit in co_units:
            self.add_error("co_units", _("The lead unit cannot also be a co-responsible unit."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(ConfigurationAdmin):
    form = RoutingRuleForm
    list_display = ("category", "township_or_all", "unit", "co_unit_names", "with_township")
    list_filter = ("category", "with_township", ("township", admin.EmptyFieldListFilter))
    list_select_related = ("category", "township", "unit")
    search_fields = ("unit__name", "unit__short_name", "township__name", "^township__code")
    autocomplete_fields = ("township", "unit", "co_units")
    ordering = ("category__sort_order", "category", "township")

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithRequest(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("co_units")
        user = request.user
        if admin_sees_everything(user):
            return queryset
        if not (user.is_active and user.role and user.division_id):
            return queryset.filter(township__isnull=True)  # the county-wide rules only
        # County-wide rules, and the rules of townships inside the user's division.
        return queryset.filter(Q(township__isnull=True) | Q(township__code__startswith=user.division_id))

    @admin.display(description=_("township"), ordering="township")
    def township_or_all(self, obj):
        return obj.township or _("every township")

    @admin.display(description=_("co-responsible units"))
    def co_unit_names(self, obj):
        return ", ".join(str(unit) for unit in obj.co_units.all())


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(ConfigurationAdmin):
    list_display = ("category_or_all", "priority", "days", "grace_days")
    list_filter = ("priority", ("category", admin.EmptyFieldListFilter))
    list_select_related = ("category",)
    ordering = ("category__sort_order", "category", "priority")

    @admin.display(description=_("category"), ordering="category")
    def category_or_all(self, obj):
        return obj.category or _("every category")


# -- cases and their record (read only) ----------------------------------------------------------------------


class CaseUnitInline(ReadOnlyInline, admin.TabularInline):
    model = CaseUnit
    fields = ("unit", "role", "status", "assigned_at", "finished_at", "note")
    readonly_fields = fields


class CaseEventInline(ReadOnlyInline, admin.TabularInline):
    model = CaseEvent
    fields = ("at", "actor", "action", "from_status", "to_status", "note", "detail")
    readonly_fields = fields
    ordering = ("at", "id")


class AccountabilityInline(ReadOnlyInline, admin.TabularInline):
    model = AccountabilityRecord
    fields = ("kind", "unit", "deadline", "days_overdue", "created_at", "note")
    readonly_fields = fields


class DisputePartyInline(ReadOnlyInline, admin.TabularInline):
    model = DisputeParty
    fields = ("name", "role", "household", "phone", "note")
    readonly_fields = fields


class MediationInline(ReadOnlyInline, admin.TabularInline):
    model = MediationSession
    fields = ("date", "place", "mediators", "result", "note", "recorded_by")
    readonly_fields = fields


class OverdueFilter(admin.SimpleListFilter):
    title = _("accountability")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("now", _("Overdue now")),
            ("marked", _("Found overdue (supervision notice)")),
            ("penalised", _("Penalised")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "now":
            return queryset.overdue()
        if self.value() == "marked":
            return queryset.filter(overdue_since__isnull=False)
        if self.value() == "penalised":
            return queryset.filter(accountability__kind="penalty").distinct()
        return queryset


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    list_display = (
        "reference",
        "title",
        "kind",
        "category",
        "status",
        "level",
        "responsible_unit",
        "deadline",
        "overdue_days",
        "village",
        "created_at",
    )
    list_filter = ("status", "kind", "category", "level", "priority", "source", OverdueFilter)
    list_select_related = ("category", "responsible_unit", "village")
    search_fields = ("reference", "title")
    search_help_text = _("A reference (SP-2026-000123), words of the title, or a division code (everything in it).")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "id")
    fieldsets = (
        (None, {"fields": ("reference", "kind", "category", "source", "priority", "title", "description")}),
        (_("Where"), {"fields": ("village", "household", "reported_by", "reporter_cadre")}),
        (
            _("Responsibility"),
            {"fields": ("status", "level", "responsible_unit", "deadline", "overdue_since", "penalty_after")},
        ),
        (
            _("Outcome"),
            {
                "fields": (
                    "resolution",
                    "resolved_at",
                    "dispute_outcome",
                    "satisfaction",
                    "closed_at",
                    "reopen_count",
                    "duplicate_of",
                )
            },
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )
    inlines = (CaseUnitInline, CaseEventInline, AccountabilityInline, DisputePartyInline, MediationInline)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.display(description=_("days overdue"))
    def overdue_days(self, obj):
        if obj.status in OPEN_STATUSES and obj.deadline and obj.deadline < timezone.localdate():
            return (timezone.localdate() - obj.deadline).days
        return ""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if len(term) >= 6 and term.isascii() and term.isdigit():
            # A division code finds every case inside it (a prefix match on the indexed village key).
            return queryset.filter(village__code__startswith=term), False
        return super().get_search_results(request, queryset, search_term)


class ScopedThroughCaseMixin:
    """Rows hanging off a case are seen by whoever sees the case."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if admin_sees_everything(request.user):
            return queryset
        return queryset.filter(case__in=scope_for(request.user).of(Case).values("pk"))


@admin.register(CaseEvent)
class CaseEventAdmin(ScopedThroughCaseMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "at", "action", "from_status", "to_status", "actor", "note")
    list_filter = ("action", "to_status", ("actor", admin.EmptyFieldListFilter))
    list_select_related = ("case", "actor")
    search_fields = ("case__reference",)
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False


@admin.register(AccountabilityRecord)
class AccountabilityRecordAdmin(ScopedThroughCaseMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "unit", "kind", "deadline", "days_overdue", "created_at")
    list_filter = ("kind", "unit__level", "created_at")
    list_select_related = ("case", "unit")
    search_fields = ("case__reference", "unit__name", "unit__short_name")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ScopedThroughCaseMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "kind", "case", "created_at", "read_at", "read_by")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("unit", "case", "read_by")
    search_fields = ("case__reference", "unit__name", "unit__short_name")
    date_hierarchy = "created_at"
