"""API routes of this app: ``api-rollups``, ``api-dashboard``."""

from django.urls import path

from .views import DashboardView, RollupView

urlpatterns = [
    path("reports/rollups/", RollupView.as_view(), name="api-rollups"),
    path("reports/dashboard/", DashboardView.as_view(), name="api-dashboard"),
]
