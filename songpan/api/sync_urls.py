"""The sync feed route (songpan.api.sync)."""

urlpatterns: list = []
