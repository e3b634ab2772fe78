"""Admin for user accounts and the access log.

Roles and scopes are shown here but changed only on the county office's role page (``account-role``), which goes
through ``accounts.services.user_assign_role`` (validation, history, access log). The access log is read-only.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_scoping import ScopedAdminMixin
from .forms import AccountPasswordResetForm
from .models import AccessLog, User
from .sessions import EndReason, user_disable, user_sign_ins_end

PRIVILEGE_FIELDS = frozenset({"is_staff", "is_superuser", "groups", "user_permissions"})


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
        elif change and PRIVILEGE_FIELDS & set(form.changed_data):
            # More (or fewer) privileges: what was signed in under the old ones ends (the change form's
            # transaction holds both).
            user_sign_ins_end(actor=request.user, user=obj, reason=EndReason.PRIVILEGES_CHANGED, request=request)

    def user_change_password(self, request, id, form_url=""):
        """The county office setting an account's password: the account's sessions and API tokens end with it
        (the office's own session stays when it resets its own password)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:  # the form was valid: the password is set
                user = self.get_object(request, unquote(id))
                own = user.pk == request.user.pk
                user_sign_ins_end(
                    actor=request.user,
                    user=user,
                    reason=EndReason.PASSWORD_RESET,
                    request=request,
                    keep_session_key=request.session.session_key if own else None,
                )
        return response


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
