from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/auth/", include("accounts.api.urls")),
    path("households/", include("households.urls")),
    path("", include("reports.urls")),
]
