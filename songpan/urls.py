from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from songpan.health import healthz

urlpatterns = [
    # For a load balancer: no sign-in, no personal data (songpan/health.py).
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("songpan.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("cases/", include("grievances.urls")),
    # Django's language switch (``set_language``): the chooser in every page's top bar posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("households/", include("households.urls")),
    path("", include("reports.urls")),
]
