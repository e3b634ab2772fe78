"""Sign-in, sign-out and password change pages.

Password reset by e-mail is left out on purpose: accounts are issued and reset by the county office (admin).
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from .auth_views import AccountPasswordChangeView, SignInView

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", AccountPasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
