"""Web pages of the accounts app: sign-in and sign-out (accounts.auth_urls), and the county office's role pages."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.auth_urls")),
]
