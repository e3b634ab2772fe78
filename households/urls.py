from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("<uuid:pk>/", views.household_detail, name="detail"),
    path("members/<uuid:pk>/reveal/", views.member_reveal, name="member-reveal"),
]
