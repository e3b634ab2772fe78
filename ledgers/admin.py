"""Ledger admin: browse the full history; start and end rows only through ``ledgers.services``.

Rows are never edited or deleted here. Adding a row calls the service's create function; the "End selected"
action asks for a reason and date and calls the service's end function for each row, in one transaction.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedAdminMixin
from songpan.history_admin import HistoryAdmin

from . import services
from .models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance


class ActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "ended":
            return queryset.ended()
        return queryset


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the end"), max_length=200)
    end_date = forms.DateField(label=_("End date"), initial=timezone.localdate)


class LedgerAdmin(ScopedAdminMixin, HistoryAdmin):
    """Shared behaviour of the four ledgers; subclasses name the service functions and the parties."""

    create_service = None
    end_service = None
    end_argument = ""
    party_fields: tuple[str, ...] = ()
    actions = ["end_selected"]
    list_filter = (ActiveFilter, "start_date", "end_date")
    date_hierarchy = "start_date"
    readonly_fields = ("end_date", "end_reason", "created_by", "ended_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # an existing row is read-only: end it with the action instead
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def _create(self, request, cleaned_data):
        return type(self).create_service(
            actor=request.user,
            start_date=cleaned_data["start_date"],
            reason=cleaned_data.get("start_reason", ""),
            **{name: cleaned_data[name] for name in self.party_fields},
        )

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form_class
        admin_self = self

        class CreateThroughService(form_class):
            def _post_clean(self):
                # The service is the only judge of a new row: try it in a savepoint that is always rolled
                # back, so that its refusal shows on the form instead of failing the request.
                if self.errors:
                    return
                try:
                    with transaction.atomic():
                        admin_self._create(request, self.cleaned_data)
                        transaction.set_rollback(True)
                except ValidationError as error:
                    self.add_error(None, error.messages)

        return CreateThroughService

    def save_model(self, request, obj, form, change):
        if not change:
            obj.pk = self._create(request, form.cleaned_data).pk

    @admin.action(description=_("End selected rows (asks for a reason)"))
    def end_selected(self, request, queryset):
        form = EndForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    for row in queryset.active():
                        type(self).end_service(
                            actor=request.user,
                            reason=form.cleaned_data["reason"],
                            end_date=form.cleaned_data["end_date"],
                            **{self.end_argument: row},
                        )
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
                return None
            self.message_user(request, _("Rows ended."), messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/ledgers/end_selected.html",
            {
                **self.admin_site.each_context(request),
                "title": _("End ledger rows"),
                "form": form,
                "rows": queryset.active(),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Pairing)
class PairingAdmin(LedgerAdmin):
    create_service = staticmethod(services.pairing_create)
    end_service = staticmethod(services.pairing_end)
    end_argument = "pairing"
    party_fields = ("cadre", "household", "is_primary")
    fields = ("cadre", "household", "is_primary", "start_date", "start_reason") + LedgerAdmin.readonly_fields
    list_display = ("household", "cadre", "is_primary", "start_date", "end_date", "end_reason", "created_by")
    list_filter = (ActiveFilter, "is_primary", "cadre__rank", "start_date", "end_date")
    list_select_related = ("household", "cadre", "cadre__department", "created_by")
    search_fields = ("household__head_name", "household__number", "household__village__code", "cadre__name")
    autocomplete_fields = ("cadre", "household")


@admin.register(LeaderAssignment)
class LeaderAssignmentAdmin(LedgerAdmin):
    create_service = staticmethod(services.leader_assignment_create)
    end_service = staticmethod(services.leader_assignment_end)
    end_argument = "assignment"
    party_fields = ("cadre", "township")
    fields = ("cadre", "township", "start_date", "start_reason") + LedgerAdmin.readonly_fields
    list_display = ("township", "cadre", "start_date", "end_date", "end_reason", "created_by")
    list_select_related = ("township", "cadre", "created_by")
    search_fields = ("cadre__name", "township__name", "township__code")
    autocomplete_fields = ("cadre", "township")


@admin.register(DepartmentSupport)
class DepartmentSupportAdmin(LedgerAdmin):
    create_service = staticmethod(services.department_support_create)
    end_service = staticmethod(services.department_support_end)
    end_argument = "support"
    party_fields = ("department", "township")
    fields = ("department", "township", "start_date", "start_reason") + LedgerAdmin.readonly_fields
    list_display = ("township", "department", "start_date", "end_date", "end_reason", "created_by")
    list_select_related = ("township", "department", "created_by")
    search_fields = ("department__name", "township__name", "township__code")
    autocomplete_fields = ("department", "township")


@admin.register(VillageAssistance)
class VillageAssistanceAdmin(LedgerAdmin):
    create_service = staticmethod(services.village_assistance_create)
    end_service = staticmethod(services.village_assistance_end)
    end_argument = "assistance"
    party_fields = ("cadre", "village", "role")
    fields = ("cadre", "village", "role", "start_date", "start_reason") + LedgerAdmin.readonly_fields
    list_display = ("village", "cadre", "role", "start_date", "end_date", "end_reason", "created_by")
    list_filter = (ActiveFilter, "role", "start_date", "end_date")
    list_select_related = ("village", "cadre", "created_by")
    search_fields = ("cadre__name", "village__name", "village__code")
    autocomplete_fields = ("cadre", "village")
