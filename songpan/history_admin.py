"""The one base class for admin pages of models with a history (django-simple-history)."""

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
