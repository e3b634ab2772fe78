"""The sync feed route and its thin view; the feed itself is ``songpan.api.sync``."""

from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import ErrorSerializer

from .sync import DEFAULT_LIMIT, MAX_LIMIT, RESOURCES, InvalidCursor, sync_page


class SyncChangeSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(choices=[r.name for r in RESOURCES])
    id = serializers.CharField()
    op = serializers.ChoiceField(choices=["upsert", "delete"])
    at = serializers.DateTimeField(help_text=gettext_lazy("The change's place in the feed (its sync time)."))
    data = serializers.DictField(
        allow_null=True, help_text=gettext_lazy("The compact record for an upsert; null for a delete.")
    )


class SyncPageSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text=gettext_lazy("Pass it as `since` in the next request."))
    more = serializers.BooleanField(help_text=gettext_lazy("True: ask again now with the cursor."))
    reset = serializers.BooleanField(
        help_text=gettext_lazy("True: discard everything held from this feed before applying the changes.")
    )
    changes = SyncChangeSerializer(many=True)


class SyncQuerySerializer(serializers.Serializer):
    since = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=512,
        help_text=gettext_lazy("The cursor of the previous page; none for a full sync."),
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        default=DEFAULT_LIMIT,
        help_text=format_lazy(gettext_lazy("Changes per page; more than {max} counts as {max}."), max=MAX_LIMIT),
    )


class SyncView(APIView):
    """Everything in the caller's scope created, changed or removed since a cursor (``songpan.api.sync``)."""

    @extend_schema(
        operation_id="sync",
        parameters=[SyncQuerySerializer],
        responses={200: SyncPageSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        query = SyncQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ParseError(_("since must be a cursor of this feed and limit a positive integer."))
        try:
            page = sync_page(
                user=request.user, cursor=query.validated_data.get("since") or None, limit=query.validated_data["limit"]
            )
        except InvalidCursor as error:
            raise ParseError(str(error)) from None
        return Response(SyncPageSerializer(page).data)


urlpatterns = [path("sync/", SyncView.as_view(), name="api-sync")]
