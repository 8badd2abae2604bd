"""Indexes for Japanese person search on PostgreSQL (no-op on SQLite).

- bigrams(text) → text[]: every distinct 2-character substring. A GIN index on
  bigrams(name_search) / bigrams(kana_search) serves 2-character queries (山田, さとう's さと),
  which trigram indexes cannot. Queried as `bigrams(col) @> ARRAY[...] AND col LIKE '%q%'`.
- pg_trgm GIN indexes serve LIKE '%q%' on longer queries and phone-number fragments.

Needs the database created with a UTF-8 LC_CTYPE (never 'C'): trigrams are empty otherwise.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION bigrams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
        FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i
    $$
    """,
    "CREATE INDEX IF NOT EXISTS cases_person_name_bigram_gin ON cases_person USING gin (bigrams(name_search))",
    "CREATE INDEX IF NOT EXISTS cases_person_kana_bigram_gin ON cases_person USING gin (bigrams(kana_search))",
    "CREATE INDEX IF NOT EXISTS cases_person_name_trgm_gin ON cases_person USING gin (name_search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS cases_person_kana_trgm_gin ON cases_person USING gin (kana_search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS cases_person_phone_trgm_gin ON cases_person USING gin (phone_digits gin_trgm_ops)",
]

REVERSE = [
    "DROP INDEX IF EXISTS cases_person_phone_trgm_gin",
    "DROP INDEX IF EXISTS cases_person_kana_trgm_gin",
    "DROP INDEX IF EXISTS cases_person_name_trgm_gin",
    "DROP INDEX IF EXISTS cases_person_kana_bigram_gin",
    "DROP INDEX IF EXISTS cases_person_name_bigram_gin",
    "DROP FUNCTION IF EXISTS bigrams(text)",
    # pg_trgm stays: other tables may use it, and dropping an extension needs more rights.
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE), elidable=False)]
