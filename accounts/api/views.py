"""API authentication: token sign-in, revocation, and who the caller is. Thin: accounts.sessions does the work.

Refusals: bad input 400 (``{"field": [...]}``); wrong username, password or second factor 401 with
``{"detail", "code"}`` (``invalid_credentials``, ``otp_required``, ``otp_invalid``, ``otp_not_set_up``); locked
out 429 with Retry-After and ``{"detail", "code": "locked_out"}``; too many requests from one address 429.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from ..auth_views import lockout_response
from ..sessions import SignInRefused, api_sign_in, api_token_revoke, api_tokens_revoke_all
from .serializers import ErrorSerializer, MeSerializer, RevokedSerializer, TokenRequestSerializer, TokenSerializer


class TokenEndpointThrottle(SimpleRateThrottle):
    """Token requests per client address (rate ``auth_token``), on top of the per-user lockout: it slows one
    address trying many usernames. Only POSTs count."""

    scope = "auth_token"

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenEndpointThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing or malformed fields"),
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            issued = api_sign_in(request=request._request, **serializer.validated_data)
        except SignInRefused as refusal:
            if refusal.locked:
                return lockout_response(request._request)
            return Response(
                {"detail": refusal.message, "code": refusal.reason},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": TokenAuthentication().authenticate_header(request)},
            )
        instance = issued.instance
        body = {"token": issued.token, "expiry": instance.expiry, "device": instance.device}
        return Response(TokenSerializer(body).data)


class TokenRevokeView(APIView):
    """Revoke the token this request is made with (sign out on this device)."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        api_token_revoke(token=request.auth, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRevokeAllView(APIView):
    """Revoke every API token of the caller, on every device (also allowed from a browser session)."""

    @extend_schema(request=None, responses={200: RevokedSerializer, 401: ErrorSerializer})
    def post(self, request: Request) -> Response:
        count = api_tokens_revoke_all(user=request.user, request=request._request)
        return Response({"revoked": count})


class MeView(APIView):
    """Who the caller is: username, name, role and scope."""

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
