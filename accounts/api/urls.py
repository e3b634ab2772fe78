"""API authentication: token endpoints for mobile clients (see accounts.api.views)."""

urlpatterns: list = []
