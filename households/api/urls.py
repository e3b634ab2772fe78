"""API routes of this app: ``api-household-*``, ``api-member-*`` (with ``api-member-reveal``), ``api-coverage``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CoverageView, HouseholdViewSet, MemberViewSet

router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="api-household")
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = [
    *router.urls,
    path("coverage/", CoverageView.as_view(), name="api-coverage"),
]
