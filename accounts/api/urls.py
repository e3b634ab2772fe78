"""API authentication under /api/v1/auth/: token sign-in for mobile clients, revocation, and the caller."""

from django.urls import path

from . import views

urlpatterns = [
    path("token/", views.TokenObtainView.as_view(), name="api-auth-token"),
    path("token/revoke/", views.TokenRevokeView.as_view(), name="api-auth-token-revoke"),
    path("token/revoke-all/", views.TokenRevokeAllView.as_view(), name="api-auth-token-revoke-all"),
    path("me/", views.MeView.as_view(), name="api-auth-me"),
]
