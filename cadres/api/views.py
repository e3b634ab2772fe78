"""``/api/v1/departments/`` and ``/api/v1/cadres/``: lists from the caller's scope, writes through cadres.services.

Order of refusals: outside the scope 404 (fetch and authorize first), then the role's capability 403, then the
body 400, so a role that may not write learns nothing about what it would have written.
"""

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import Capability, require_capability
from cadres import services
from cadres.models import Cadre, Department
from ledgers.models import Pairing
from songpan.api.schema import errors
from songpan.api.viewsets import ScopedViewSetMixin, VersionedMixin, expected_version

from .filters import CadreFilter, DepartmentFilter
from .serializers import CadreSerializer, CadreWriteSerializer, DepartmentSerializer


@extend_schema_view(
    list=extend_schema(summary="Departments in your scope", responses={200: DepartmentSerializer, **errors(400)}),
    retrieve=extend_schema(summary="One department", responses={200: DepartmentSerializer, **errors(404)}),
    create=extend_schema(
        summary="Create a department (county office)",
        request=DepartmentSerializer,
        responses={201: DepartmentSerializer, **errors(400, 403)},
    ),
)
class DepartmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    search_fields = ["name", "short_name"]
    ordering_fields = ["name", "division", "level", "id"]
    ordering = ["division_id", "name"]

    def base_queryset(self):
        return Department.objects.all()

    def create(self, request: Request, *args, **kwargs) -> Response:
        require_capability(request.user, Capability.MANAGE_LEDGERS, request=request._request)
        serializer = DepartmentSerializer(data=request.data, context={"scope": self.scope})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            department = services.department_create(actor=request.user, **serializer.create_arguments())
        return Response(DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


def _household_count():
    """Active primary pairings per cadre, as a correlated subquery (one query for the whole page)."""
    pairings = (
        Pairing.objects.active()
        .filter(cadre=OuterRef("pk"), is_primary=True)
        .order_by()
        .values("cadre")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(pairings, output_field=IntegerField()), Value(0))


@extend_schema_view(
    list=extend_schema(summary="Cadres in your scope", responses={200: CadreSerializer, **errors(400)}),
    retrieve=extend_schema(summary="One cadre", responses={200: CadreSerializer, **errors(404)}),
    create=extend_schema(
        summary="Register a cadre (county office)",
        request=CadreWriteSerializer,
        responses={201: CadreSerializer, **errors(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Correct a cadre's record (county office); If-Match or `version` guards against lost updates",
        request=CadreWriteSerializer(partial=True),
        responses={200: CadreSerializer, **errors(400, 403, 404, 412)},
    ),
)
class CadreViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CadreSerializer
    filterset_class = CadreFilter
    search_fields = ["name"]
    ordering_fields = ["name", "rank", "status", "household_count", "id"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Cadre.objects.annotate(household_count=_household_count())

    def _render(self, cadre: Cadre, status_code: int = status.HTTP_200_OK) -> Response:
        annotated = Cadre.objects.annotate(household_count=_household_count()).get(pk=cadre.pk)
        return Response(CadreSerializer(annotated, context={"request": self.request}).data, status=status_code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        require_capability(request.user, Capability.MANAGE_LEDGERS, request=request._request)
        serializer = CadreWriteSerializer(data=request.data, context={"scope": self.scope})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            cadre = services.cadre_create(actor=request.user, **serializer.validated_data)
        return self._render(cadre, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        cadre = self.get_object()
        require_capability(request.user, Capability.MANAGE_LEDGERS, request=request._request, target=cadre)
        version = expected_version(request)
        serializer = CadreWriteSerializer(data=request.data, partial=True, context={"scope": self.scope})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            cadre = services.cadre_update(
                actor=request.user, cadre=cadre, expected_version=version, **serializer.validated_data
            )
        return self._render(cadre)
