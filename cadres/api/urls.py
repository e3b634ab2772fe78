"""API routes of this app: ``api-department-list/-detail``, ``api-cadre-list/-detail``."""

from rest_framework.routers import SimpleRouter

from .views import CadreViewSet, DepartmentViewSet

router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="api-department")
router.register("cadres", CadreViewSet, basename="api-cadre")

urlpatterns = router.urls
