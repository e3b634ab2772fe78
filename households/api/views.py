"""Households, members, ID-number reveal and coverage. Thin: the scope decides what is seen (404 outside it),
``accounts.permissions`` what may be done (403), the services write and validate (400, 412).

Order of refusals for a write: outside the scope 404, the role may not edit the registry 403, bad input 400, a
stale version 412. Nothing is written on any refusal (each service is one transaction).
"""

import uuid

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import Capability, has_capability, require_capability
from accounts.scoping import scope_for
from divisions.models import Division
from households.models import Household, HouseholdCategory, IncomeSource, Member
from households.services import (
    household_create,
    household_set_status,
    household_update,
    member_create,
    member_id_number_reveal,
    member_remove,
    member_update,
)
from ledgers.models import Pairing
from ledgers.selectors import coverage_for_division
from songpan.api.errors import field_invalid
from songpan.api.filters import validate_code
from songpan.api.schema import errors
from songpan.api.viewsets import IdempotentCreateMixin, ScopedViewSetMixin, VersionedMixin, expected_version

from .filters import CodeOrderingFilter, HouseholdFilter, MemberFilter
from .serializers import (
    CoverageSerializer,
    HouseholdSerializer,
    HouseholdWriteSerializer,
    MemberRemoveSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    RevealSerializer,
)

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description='The ETag edited, like "7".'
)


def _visible_village(scope, code: str) -> Division:
    """The village ``code`` if the caller's scope covers it; else a 400 on ``village`` (nothing is written)."""
    village = Division.objects.filter(code=code).first()
    if village is None:
        raise field_invalid("village", _("There is no division with code %(code)s.") % {"code": code})
    if not scope.covers_division(village.code):
        raise field_invalid(
            "village",
            _("Village %(code)s is outside your area: you may not register households there.") % {"code": code},
        )
    return village


@extend_schema_view(
    list=extend_schema(responses={200: HouseholdSerializer(many=True), **errors(400, 404)}),
    retrieve=extend_schema(responses={200: HouseholdSerializer, **errors(404)}),
    create=extend_schema(
        request=HouseholdWriteSerializer,
        responses={201: HouseholdSerializer, 200: HouseholdSerializer, **errors(400, 403)},
        description="Register a household. A replayed create (the same client `id`, visible to the caller) answers "
        "200 with the household as it is.",
    ),
    update=extend_schema(
        request=HouseholdWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: HouseholdSerializer, 201: HouseholdSerializer, **errors(400, 403, 404, 412)},
        description="Replace the household's fields (optional ones left out are emptied). On an id that does not "
        "exist yet, register the household with that id (201): a replayed PUT then changes nothing (200).",
    ),
    partial_update=extend_schema(
        request=HouseholdWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: HouseholdSerializer, **errors(400, 403, 404, 412)},
        description="Change the fields given; `status` other than the current one needs `reason`.",
    ),
)
class HouseholdViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Households in the caller's scope, with members (ID numbers masked) and the active primary pairing."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    filter_backends = [
        *viewsets.GenericViewSet.filter_backends[:1],
        CodeOrderingFilter,
        *viewsets.GenericViewSet.filter_backends[2:],
    ]
    ordering_fields = ["number", "village", "updated_at", "head_name"]
    ordering = ["village", "number"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @property
    def search_fields(self) -> list[str]:
        # Searching by phone would let a role that sees phones masked confirm a full number: only for those
        # who see them in full.
        fields = ["head_name", "number", "address"]
        if has_capability(self.request.user, Capability.SEE_FULL_PHONE):
            fields.append("phone")
        return fields

    def base_queryset(self) -> QuerySet[Household]:
        return Household.objects.prefetch_related(
            Prefetch("categories", queryset=HouseholdCategory.objects.only("pk", "code")),
            Prefetch("income_sources", queryset=IncomeSource.objects.order_by("-year", "kind")),
            Prefetch("members", queryset=Member.objects.order_by("relation", "birth_date", "pk")),
            Prefetch(
                "pairings",
                queryset=Pairing.objects.active().filter(is_primary=True).select_related("cadre"),
                to_attr="active_primary_pairings",
            ),
        )

    def respond(self, household: Household, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=household.pk)  # re-read with the prefetches, as a GET would show it
        return Response(self.get_serializer(fresh).data, status=code)

    def create_from_request(self, request, *, client_id: uuid.UUID | None) -> Response:
        # A PUT of an unknown id, or a POST: register the household (IdempotentCreateMixin answers the replays).
        require_capability(request.user, Capability.EDIT_REGISTRY, request=request._request)
        serializer = HouseholdWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "status" in data or "reason" in data or "version" in data:
            raise ValidationError(
                {
                    name: [_("Not used when registering a household.")]
                    for name in ("status", "reason", "version")
                    if name in data
                }
            )
        if client_id is not None:
            if data.get("id", client_id) != client_id:
                raise field_invalid("id", _("The id does not match the household addressed."))
            data["id"] = client_id
        data["village"] = _visible_village(self.scope, data["village"])
        return self.create_or_replay(
            request, client_id=data.get("id"), create=lambda: household_create(actor=request.user, **data)
        )

    def replace(self, request) -> Response:
        return self._change(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._change(request, partial=True)

    def _change(self, request, *, partial: bool) -> Response:
        household = self.get_object()
        require_capability(request.user, Capability.EDIT_REGISTRY, request=request._request, target=household)
        version = expected_version(request)
        serializer = HouseholdWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        client_id = data.pop("id", None)
        if client_id is not None and client_id != household.pk:
            raise field_invalid("id", _("The id does not match the household addressed."))
        new_status, reason = data.pop("status", None), data.pop("reason", "")
        if not partial:
            data = {**HouseholdWriteSerializer.DEFAULTS, **data}
        if "village" in data and data["village"] != household.village_id:
            data["village"] = _visible_village(self.scope, data["village"])
        elif "village" in data:
            data["village"] = household.village
        with transaction.atomic():
            if new_status is not None and new_status != household.status:
                household = household_set_status(
                    actor=request.user, household=household, status=new_status, reason=reason, expected_version=version
                )
                version = None  # checked, and the row stays locked until the end of this transaction
            elif reason and new_status is None:
                raise field_invalid("reason", _("A reason goes with a change of status."))
            if data:
                household = household_update(actor=request.user, household=household, expected_version=version, **data)
            elif version is not None:
                household = household_update(actor=request.user, household=household, expected_version=version)
        return self.respond(household)


@extend_schema_view(
    list=extend_schema(responses={200: MemberSerializer(many=True), **errors(400, 404)}),
    retrieve=extend_schema(responses={200: MemberSerializer, **errors(404)}),
    create=extend_schema(
        request=MemberWriteSerializer,
        responses={201: MemberSerializer, 200: MemberSerializer, **errors(400, 403)},
        description="Add a member. A replayed create (the same client `id`, visible to the caller) answers 200 "
        "with the member as it is.",
    ),
    partial_update=extend_schema(
        request=MemberWriteSerializer,
        parameters=[IF_MATCH],
        responses={200: MemberSerializer, **errors(400, 403, 404, 412)},
    ),
    destroy=extend_schema(
        request=MemberRemoveSerializer,
        parameters=[
            IF_MATCH,
            OpenApiParameter("reason", OpenApiTypes.STR, description="Why the member is removed (or in the body)."),
        ],
        responses={204: None, **errors(400, 403, 404, 412)},
    ),
)
class MemberViewSet(
    ScopedViewSetMixin,
    VersionedMixin,
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the households in the caller's scope; ID numbers are always masked here."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    ordering_fields = ["name", "birth_date", "updated_at"]
    ordering = ["household_id", "relation", "birth_date", "pk"]
    search_fields = ["name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[Member]:
        return Member.objects.all()

    def respond(self, member: Member, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(member).data, status=code)

    def create_from_request(self, request, *, client_id: uuid.UUID | None) -> Response:
        # Members are added by POST only (a client id in the body makes the create idempotent).
        require_capability(request.user, Capability.EDIT_REGISTRY, request=request._request)
        serializer = MemberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" in data:
            raise field_invalid("version", _("Not used when adding a member."))
        household = self.scope.of(Household).filter(pk=data.pop("household")).first()
        if household is None:
            raise field_invalid("household", _("There is no such household in your area."))
        return self.create_or_replay(
            request,
            client_id=data.get("id"),
            create=lambda: member_create(actor=request.user, household=household, request=request._request, **data),
        )

    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        require_capability(request.user, Capability.EDIT_REGISTRY, request=request._request, target=member)
        version = expected_version(request)
        serializer = MemberWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        client_id = data.pop("id", None)
        if client_id is not None and client_id != member.pk:
            raise field_invalid("id", _("The id does not match the member addressed."))
        if "household" in data and data["household"] == member.household_id:
            data.pop("household")
        member = member_update(
            actor=request.user, member=member, expected_version=version, request=request._request, **data
        )
        return Response(self.get_serializer(member).data)

    def destroy(self, request, *args, **kwargs):
        member = self.get_object()
        require_capability(request.user, Capability.EDIT_REGISTRY, request=request._request, target=member)
        version = expected_version(request)
        body = request.data if isinstance(request.data, dict) else {}
        given = {**body}
        if "reason" not in given and request.query_params.get("reason"):
            given["reason"] = request.query_params["reason"]
        serializer = MemberRemoveSerializer(data=given)
        serializer.is_valid(raise_exception=True)
        member_remove(
            actor=request.user, member=member, reason=serializer.validated_data["reason"], expected_version=version
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: RevealSerializer, **errors(403, 404, 503)},
        description="The member's full ID number, for roles allowed to see it; every call is logged. 503 when "
        "the configured key cannot read it.",
    )
    @action(detail=True, methods=["post"], url_path="reveal", url_name="reveal")
    def reveal(self, request, *args, **kwargs):
        member = self.get_object()
        number = member_id_number_reveal(actor=request.user, member=member, request=request._request)
        return Response({"id_number": number}, headers={"Cache-Control": "no-store"})


class CoverageView(APIView):
    """ "Zero blind spots": active households, how many have an active primary pairing, and the first unpaired —
    counted inside the caller's scope (``?within=`` narrows it to a division)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "within", OpenApiTypes.STR, description="A division code (2–12 digits); default: the whole scope."
            )
        ],
        responses={200: CoverageSerializer, **errors(400)},
    )
    def get(self, request):
        within = request.query_params.get("within")
        if within is not None:
            try:
                validate_code(within)
            except DjangoValidationError as error:
                raise ValidationError({"within": error.messages}) from None
        households = scope_for(request.user).of(Household)
        coverage = coverage_for_division(within or "", households=households, unpaired_limit=20)
        body = {
            "within": within,
            "households": coverage.households,
            "paired": coverage.paired,
            "unpaired": coverage.unpaired,
            "coverage": coverage.coverage,
            "unpaired_households": coverage.first_unpaired,
        }
        return Response(CoverageSerializer(body).data)
