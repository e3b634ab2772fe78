"""Web pages of the accounts app: sign-in and sign-out (accounts.auth_urls), and the county office's role pages."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("accounts.auth_urls")),
    path("users/", views.user_list, name="account-list"),
    path("users/<int:pk>/role/", views.user_role, name="account-role"),
]
