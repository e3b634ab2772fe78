"""The four ledgers over the API: list, detail, start (POST) and end (POST ``{id}/end/``); rows are never deleted.

One base, ``LedgerViewSet``; each ledger names its model, serializers, filters, services and capability.
Refusals in this order: outside the scope 404, role 403, body 400 (a role that may not write learns nothing
from validation). Ending a row that already ended answers 400 with the service's message (like every other broken
ledger rule; 409 is kept for case transitions).
"""

from collections.abc import Callable

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import Capability, require_capability
from ledgers import services
from ledgers.models import DepartmentSupport, LeaderAssignment, Pairing, VillageAssistance
from songpan.api.schema import errors
from songpan.api.viewsets import ScopedViewSetMixin

from . import filters
from . import serializers as shapes


class LedgerViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model: type
    related: tuple[str, ...] = ()
    create_serializer_class: type[serializers.Serializer]
    create_service: Callable
    end_service: Callable
    end_argument: str  # the end service's keyword for the row
    capability: Capability = Capability.MANAGE_LEDGERS
    ordering_fields = ["start_date", "end_date", "id"]
    ordering = ["-start_date", "id"]

    def base_queryset(self):
        return self.model.objects.select_related(*self.related, "created_by", "ended_by")

    def _render(self, entry, status_code: int) -> Response:
        fresh = self.base_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        require_capability(request.user, self.capability, request=request._request)
        serializer = self.create_serializer_class(data=request.data, context={"scope": self.scope})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            entry = type(self).create_service(actor=request.user, **serializer.validated_data)
        return self._render(entry, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request: Request, *args, **kwargs) -> Response:
        entry = self.get_object()
        require_capability(request.user, self.capability, request=request._request, target=entry)
        serializer = shapes.LedgerEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            type(self).end_service(actor=request.user, **{self.end_argument: entry}, **serializer.validated_data)
        return self._render(entry, status.HTTP_200_OK)


def ledger_schema(label: str, read: type, create: type, capability: str):
    """The OpenAPI description of one ledger's routes."""
    return extend_schema_view(
        list=extend_schema(summary=f"{label}: rows in your scope", responses={200: read, **errors(400)}),
        retrieve=extend_schema(summary=f"{label}: one row", responses={200: read, **errors(404)}),
        create=extend_schema(
            summary=f"{label}: start a row ({capability})", request=create, responses={201: read, **errors(400, 403)}
        ),
        end=extend_schema(
            summary=f"{label}: end a row ({capability}); the row stays in the ledger",
            request=shapes.LedgerEndSerializer,
            responses={200: read, **errors(400, 403, 404)},
        ),
    )


@ledger_schema("Pairings", shapes.PairingSerializer, shapes.PairingCreateSerializer, "county office, township staff")
class PairingViewSet(LedgerViewSet):
    model = Pairing
    related = ("cadre", "household")
    serializer_class = shapes.PairingSerializer
    create_serializer_class = shapes.PairingCreateSerializer
    filterset_class = filters.PairingFilter
    search_fields = ["household__head_name", "cadre__name"]
    create_service = services.pairing_create
    end_service = services.pairing_end
    end_argument = "pairing"
    capability = Capability.MANAGE_PAIRINGS


@ledger_schema(
    "Leader assignments",
    shapes.LeaderAssignmentSerializer,
    shapes.LeaderAssignmentCreateSerializer,
    "county office",
)
class LeaderAssignmentViewSet(LedgerViewSet):
    model = LeaderAssignment
    related = ("cadre", "township")
    serializer_class = shapes.LeaderAssignmentSerializer
    create_serializer_class = shapes.LeaderAssignmentCreateSerializer
    filterset_class = filters.LeaderAssignmentFilter
    search_fields = ["cadre__name", "township__name"]
    create_service = services.leader_assignment_create
    end_service = services.leader_assignment_end
    end_argument = "assignment"


@ledger_schema(
    "Department supports", shapes.DepartmentSupportSerializer, shapes.DepartmentSupportCreateSerializer, "county office"
)
class DepartmentSupportViewSet(LedgerViewSet):
    model = DepartmentSupport
    related = ("department", "township")
    serializer_class = shapes.DepartmentSupportSerializer
    create_serializer_class = shapes.DepartmentSupportCreateSerializer
    filterset_class = filters.DepartmentSupportFilter
    search_fields = ["department__name", "township__name"]
    create_service = services.department_support_create
    end_service = services.department_support_end
    end_argument = "support"


@ledger_schema(
    "Key-village assistance",
    shapes.VillageAssistanceSerializer,
    shapes.VillageAssistanceCreateSerializer,
    "county office",
)
class VillageAssistanceViewSet(LedgerViewSet):
    model = VillageAssistance
    related = ("cadre", "village")
    serializer_class = shapes.VillageAssistanceSerializer
    create_serializer_class = shapes.VillageAssistanceCreateSerializer
    filterset_class = filters.VillageAssistanceFilter
    search_fields = ["cadre__name", "village__name"]
    create_service = services.village_assistance_create
    end_service = services.village_assistance_end
    end_argument = "assistance"
