from django.urls import path

from . import views

# Ids are matched as strings, not <uuid:>: a malformed id must reach the scope check, which answers 404 and logs
# the attempt (as households.urls does).
app_name = "grievances"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read"),
    path("overdue/", views.overdue, name="overdue"),
    path("<str:pk>/", views.case_detail, name="detail"),
    path("<str:pk>/act/<str:action>/", views.case_act, name="act"),
    path("<str:pk>/mediation/", views.mediation_add, name="mediation"),
    path("<str:pk>/parties/", views.party_new, name="party-add"),
]
