"""Admin for user accounts and the access log.

Roles and scopes are shown here but changed only on the county office's role page (``account-role``), which goes
through ``accounts.services.user_assign_role`` (validation, history, access log). The access log is read-only.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_scoping import ScopedAdminMixin
from .forms import AccountPasswordResetForm
from .models import AccessLog, User
from .sessions import user_disable


@admin.register(User)
class SongpanUserAdmin(ScopedAdminMixin, UserAdmin):
    change_password_form = AccountPasswordResetForm
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and scope"), {"fields": ("role", "division", "department", "role_page")}),
    )
    readonly_fields = ("role", "division", "department", "role_page")
    list_display = ("username", "first_name", "last_name", "role", "division", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("division", "department")
    search_fields = ("username", "first_name", "last_name")

    @admin.display(description=_("change role and scope"))
    def role_page(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("account-role", args=[obj.pk]), _("Role and scope page"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" disables the account: its sessions and API tokens end now (accounts.sessions).
            user_disable(actor=request.user, user=obj, reason="unticked active in the admin", request=request)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (and on PostgreSQL a trigger refuses changes)."""

    list_display = ("at", "username", "role", "event", "outcome", "object_type", "object_id", "ip_address")
    list_filter = ("event", "outcome", "role", "at")
    search_fields = ("username", "object_id", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
