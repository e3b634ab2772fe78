"""API routes of the cases: ``api-case-*`` (with ``api-case-transition``, ``api-case-events``,
``api-case-mediations``) and ``api-case-category-list``."""

from rest_framework.routers import SimpleRouter

from .views import CaseCategoryViewSet, CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
router.register("case-categories", CaseCategoryViewSet, basename="api-case-category")

urlpatterns = router.urls
