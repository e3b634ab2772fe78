"""Admin for user accounts: Django's user admin with each user's role and scope (DESIGN §6)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User
from .sessions import user_disable

_SCOPE = (_("Role and scope"), {"fields": ("role", "division", "department")})


@admin.register(User)
class SongpanUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, _SCOPE)
    add_fieldsets = (*UserAdmin.add_fieldsets, _SCOPE)
    list_display = ("username", "first_name", "last_name", "role", "division", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("division", "department")
    autocomplete_fields = ("division", "department")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "active" disables the account: its sessions and API tokens end now (accounts.sessions).
            user_disable(actor=request.user, user=obj, reason="unticked active in the admin", request=request)
