"""A bigram GIN index on the household address for the 世帯 picker (PostgreSQL only; no-op on
SQLite), built like the person search indexes of 0002: `bigrams(address) @> ARRAY[...] AND
address LIKE '%q%'` finds 「北町」 in 120,000 households without reading them all."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS cases_household_address_bigram_gin "
    "ON cases_household USING gin (bigrams(address))",
]
REVERSE = ["DROP INDEX IF EXISTS cases_household_address_bigram_gin"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_merge_20261206_0503")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE), elidable=False)]
