"""Admin for departments and cadres. Every save goes through ``cadres.services``.

The admin forms call the services' own rule checks (``department_validate``, ``cadre_validate``) in ``clean()``,
so a broken rule shows as a form error; ``save_model`` then calls ``department_create``/``department_update`` or
``cadre_create``/``cadre_update``, which check again under a row lock, bump the version and record the actor.
A hidden ``expected_version`` refuses to overwrite a cadre that someone else changed while the form was open.
A cadre's status is read-only here: it changes with a transfer or retirement (``ledgers.services``), which also
hands over the ledgers. Reverting a cadre from its history page is refused for the same reasons.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import ScopedAdminMixin
from songpan.history_admin import HistoryAdmin

from .models import Cadre, Department
from .services import (
    CADRE_UPDATABLE_FIELDS,
    DEPARTMENT_UPDATABLE_FIELDS,
    cadre_create,
    cadre_update,
    cadre_validate,
    department_create,
    department_update,
    department_validate,
)


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the form's fields (or at the top when the form has no such field)."""
    for field, messages in error.update_error_dict({}).items():
        form.add_error(field if field in form.fields else None, messages)


def _become(target: Any, saved: Any) -> None:
    """Make the admin's unsaved ``obj`` the row the service wrote, for the redirect and the admin log."""
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


class DepartmentAdminForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("name", "short_name", "level", "kind", "division", "is_active")

    def validate_unique(self):
        """Uniqueness is one of the rules checked in ``clean()``, with a clearer message."""

    def clean(self):
        data = super().clean()
        if not any(name in self.errors for name in ("name", "level", "kind", "division")):
            try:
                department_validate(
                    name=data.get("name", ""),
                    level=data.get("level", ""),
                    kind=data.get("kind", ""),
                    division=data.get("division"),
                    department=self.instance if self.instance.pk else None,
                )
            except ValidationError as exc:
                _add_service_errors(self, exc)
        return data


@admin.register(Department)
class DepartmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = DepartmentAdminForm
    list_display = ("name", "short_name", "level", "kind", "division", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name")
    list_select_related = ("division",)
    autocomplete_fields = ("division",)

    def get_exclude(self, request, obj=None):
        # A department is created active; it is marked inactive later, on its own page.
        return ("is_active",) if obj is None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in DEPARTMENT_UPDATABLE_FIELDS}
            department_update(actor=request.user, department=obj, **changes)
        else:
            created = department_create(
                actor=request.user,
                name=data["name"],
                level=data["level"],
                kind=data["kind"],
                division=data["division"],
                short_name=data.get("short_name", ""),
            )
            _become(obj, created)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        # Departments are referenced by ledgers and cases: mark them inactive instead.
        return False


class CadreAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Cadre
        fields = (
            *("name", "sex", "ethnicity", "rank", "title", "is_party_member", "phone"),
            *("department", "division", "user"),
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def validate_unique(self):
        """The one-account-per-cadre and department-or-division rules are checked in ``clean()``."""

    def clean(self):
        data = super().clean()
        expected = data.get("expected_version")
        if self.instance.pk and expected is not None and expected != self.instance.version:
            raise ValidationError(
                _("Someone else changed this cadre while you were editing it. Reload the page and edit it again."),
                code="stale",
            )
        if not any(name in self.errors for name in ("name", "sex", "rank", "department", "division", "user")):
            try:
                cadre_validate(
                    name=data.get("name", ""),
                    sex=data.get("sex", ""),
                    rank=data.get("rank", ""),
                    department=data.get("department"),
                    division=data.get("division"),
                    phone=data.get("phone", ""),
                    user=data.get("user"),
                    cadre=self.instance if self.instance.pk else None,
                    department_changed=not self.instance.pk or "department" in self.changed_data,
                )
            except ValidationError as exc:
                _add_service_errors(self, exc)
        return data


@admin.register(Cadre)
class CadreAdmin(ScopedAdminMixin, HistoryAdmin):
    form = CadreAdminForm
    list_display = ("name", "rank", "department", "division", "is_party_member", "status")
    list_filter = ("rank", "status", "is_party_member")
    search_fields = ("name", "phone")
    list_select_related = ("department", "division")
    autocomplete_fields = ("department", "division", "user")
    fieldsets = (
        (None, {"fields": ("name", "sex", "ethnicity", "rank", "title", "is_party_member", "phone")}),
        (_("Placement"), {"fields": ("department", "division", "status")}),
        (_("Account"), {"fields": ("user",)}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at", "expected_version")}),
    )
    readonly_fields = ("status", "version", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in CADRE_UPDATABLE_FIELDS}
            cadre_update(actor=request.user, cadre=obj, expected_version=data.get("expected_version"), **changes)
        else:
            created = cadre_create(
                actor=request.user,
                name=data["name"],
                rank=data["rank"],
                sex=data["sex"],
                department=data.get("department"),
                division=data.get("division"),
                is_party_member=data.get("is_party_member", False),
                phone=data.get("phone", ""),
                title=data.get("title", ""),
                ethnicity=data.get("ethnicity", ""),
                user=data.get("user"),
            )
            _become(obj, created)

    def delete_model(self, request, obj):
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        # Cadres appear in ledgers whose rows are never deleted: a cadre leaves by transfer or retirement.
        return False
