"""What a new PostgreSQL connection is given beyond Django's OPTIONS.

- psycopg keeps `prepared_max` prepared statements a connection (100 by default) and forgets the
  least recently used: a worker serving every page repeats several hundred statements, so at 100
  they would push each other out and be planned again. `PG_PREPARED_MAX` (settings) sets it.
- A search is never prepared. After five runs of a prepared statement PostgreSQL may switch to a
  generic plan, made without the values; for a pattern match (`LIKE '%佐藤%'`, the bigram and
  trigram indexes) it cannot tell a selective name from a common one and chose a plan 40 times
  slower (the coordinator's person picker: 15 ms → 600–800 ms). Its planning is small beside
  its execution anyway; every other statement is prepared.
"""

from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver

# Statements whose best plan depends on the searched text.
_SEARCH_MARKERS = (" LIKE ", "bigrams(")

_cursor_classes: dict[type, type] = {}


def _unprepared_searches(base: type) -> type:
    if base not in _cursor_classes:

        class SearchAwareCursor(base):
            def execute(self, query, params=None, *, prepare=None, **kwargs):
                if prepare is None and isinstance(query, str) and is_search(query):
                    prepare = False
                return super().execute(query, params, prepare=prepare, **kwargs)

        _cursor_classes[base] = SearchAwareCursor
    return _cursor_classes[base]


def is_search(sql: str) -> bool:
    return any(marker in sql for marker in _SEARCH_MARKERS)


@receiver(connection_created)
def _configure(sender, connection, **kwargs):
    raw = connection.connection
    if connection.vendor != "postgresql" or not hasattr(raw, "prepared_max"):
        return  # SQLite, or psycopg2 (no server-side binding)
    raw.prepared_max = settings.PG_PREPARED_MAX
    if raw.prepare_threshold is not None:
        raw.cursor_factory = _unprepared_searches(raw.cursor_factory)
