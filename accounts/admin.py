"""Admin for user accounts: Django's user admin with each user's role and scope (DESIGN §6)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User

_SCOPE = (_("Role and scope"), {"fields": ("role", "division", "department")})


@admin.register(User)
class SongpanUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, _SCOPE)
    add_fieldsets = (*UserAdmin.add_fieldsets, _SCOPE)
    list_display = ("username", "first_name", "last_name", "role", "division", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("division", "department")
    autocomplete_fields = ("division", "department")
