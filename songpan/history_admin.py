"""The base classes for admin pages shared by the apps: ``HistoryAdmin`` for models with a history
(django-simple-history), and ``ReadOnlyAdminMixin`` / ``ReadOnlyInline`` for records whose writes go through their
app's services only."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """Shows the history of a row but never reverts to an old version.

    A revert would write the row without its app's services (rules, ledgers, version counters). simple-history
    hides the button under ``SIMPLE_HISTORY_REVERT_DISABLED`` but still saves a POSTed revert form after checking
    only the view permission, so the POST is refused here.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdminMixin:
    """View, list, search and history only; every way of writing is closed (with ``HistoryAdmin``, history reverts
    too). Put it before the ``ModelAdmin`` base class."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        raise PermissionDenied

    def delete_model(self, request, obj):
        raise PermissionDenied


class ReadOnlyInline:
    """An inline that only shows rows: no extra blank forms, no adding, changing or deleting. Put it before
    ``TabularInline`` / ``StackedInline``."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
