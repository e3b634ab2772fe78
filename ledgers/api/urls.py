"""API routes of this app: ``api-pairing-list/-detail/-end`` and the same for ``api-leader-assignment``,
``api-department-support`` and ``api-village-assistance``."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("pairings", views.PairingViewSet, basename="api-pairing")
router.register("leader-assignments", views.LeaderAssignmentViewSet, basename="api-leader-assignment")
router.register("department-supports", views.DepartmentSupportViewSet, basename="api-department-support")
router.register("village-assistance", views.VillageAssistanceViewSet, basename="api-village-assistance")

urlpatterns = router.urls
