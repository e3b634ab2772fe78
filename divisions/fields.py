"""The column type for division codes."""

from django.db import models


class DivisionCodeField(models.CharField):
    """A statistical division code (2 to 12 digits).

    On PostgreSQL the column, and every foreign key to it, gets the C collation: one plain b-tree index then
    serves both ``LIKE '513224101%'`` (everything inside a township) and ``ORDER BY`` (see DESIGN §3). Other
    databases compare codes byte-wise already. The collation is chosen per connection instead of through
    ``db_collation`` so that the same migrations run on SQLite in development.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
