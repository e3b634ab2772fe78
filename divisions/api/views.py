"""The division tree, read-only: reference data every signed-in user with a role may read (accounts.scoping)."""

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from divisions.models import Division, KeyVillageDesignation, Level
from songpan.api.filters import WithinFilter, validate_code
from songpan.api.viewsets import ScopedViewSetMixin

from .serializers import DivisionSerializer

_ERRORS = {
    401: OpenApiResponse(description="Not signed in"),
    429: OpenApiResponse(description="Too many requests (see Retry-After)"),
}


class DivisionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(
        field_name="parent_id", validators=[validate_code], help_text=_("The code of the parent division.")
    )
    within = WithinFilter(field_name="code")

    class Meta:
        model = Division
        fields = ["level", "parent", "within"]


@extend_schema_view(
    list=extend_schema(
        responses={
            200: DivisionSerializer(many=True),
            400: OpenApiResponse(description="Bad filter"),
            404: OpenApiResponse(description="Page past the end"),
            **_ERRORS,
        }
    ),
    retrieve=extend_schema(
        responses={200: DivisionSerializer, 404: OpenApiResponse(description="No such division"), **_ERRORS}
    ),
)
class DivisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Divisions by code: province, prefecture, county, township, village, with their key-village categories."""

    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    lookup_field = "code"
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    search_fields = ["name", "code"]

    def base_queryset(self) -> QuerySet[Division]:
        designations = KeyVillageDesignation.objects.order_by("-year", "category")
        return Division.objects.prefetch_related(Prefetch("key_designations", queryset=designations))
