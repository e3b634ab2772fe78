"""``/api/v1/``: each app's routes, mounted here."""

from django.urls import include, path

urlpatterns = [
    path("auth/", include("accounts.api.urls")),
    path("", include("divisions.api.urls")),
    path("", include("households.api.urls")),
    path("", include("cadres.api.urls")),
    path("", include("ledgers.api.urls")),
    path("", include("grievances.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("songpan.api.sync_urls")),
]
