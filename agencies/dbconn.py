"""What a new PostgreSQL connection is given beyond Django's OPTIONS.

psycopg keeps `prepared_max` prepared statements a connection (100 by default) and forgets the
least recently used: a worker serving every page repeats several hundred statements, so at 100
they would push each other out and be planned again. `PG_PREPARED_MAX` (settings) sets it.
"""

from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver


@receiver(connection_created)
def _keep_prepared_statements(sender, connection, **kwargs):
    if connection.vendor == "postgresql" and hasattr(connection.connection, "prepared_max"):
        connection.connection.prepared_max = settings.PG_PREPARED_MAX
