from django.urls import path

from . import views

# Ids are matched as strings, not <uuid:>: a malformed id must reach the scope check, which answers 404 and logs
# the attempt, instead of being turned away by the resolver unrecorded.
app_name = "households"
urlpatterns = [
    path("", views.household_index, name="list"),
    path("id-conflicts/", views.id_conflicts, name="id-conflicts"),  # before "<str:pk>/", which would take it
    path("<str:pk>/", views.household_detail, name="detail"),
    path("<str:pk>/edit/", views.household_edit, name="edit"),
    path("members/<str:pk>/reveal/", views.member_reveal, name="member-reveal"),
]
