"""`field__in_ids=<values queryset>`: the rows whose key is among the ids a subquery returns.

The same rows as `__in=`, written so that PostgreSQL looks them up by index. `pk IN (SELECT …)`
is planned as a semi-join, and when the subquery is a UNION (the grants of a user plus the cases
they coordinate) PostgreSQL hashes the subquery and reads the whole outer table to probe it — a
sequential scan of 20,000 cases to return 50. `pk = ANY(ARRAY(SELECT …))` evaluates the
subquery once (an InitPlan) and fetches the rows through the primary-key index. Other databases
get the plain IN.
"""

import json

from django.db.models import Field, ForeignObject, JSONField, Lookup
from django.db.models.lookups import Contains
from django.db.models.sql.query import Query


@ForeignObject.register_lookup  # foreign keys have their own lookup table
@Field.register_lookup
class InIds(Lookup):
    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self):
        # As `__in` does: the order of the ids does not matter unless the subquery is sliced (a
        # page's keys). A default ordering through a relation (CaseTeamMember orders by its
        # case's opened_on) would otherwise join and sort the whole subquery.
        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(force=False, clear_default=True)
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


@JSONField.register_lookup
class Includes(Lookup):
    """`codes__includes="x"`: a JSON list of codes holds the code "x", exactly.

    PostgreSQL: containment (`codes @> '["x"]'`), a plain condition its prepared statements
    keep — the `icontains='"x"'` this replaces was a LIKE, which agencies.dbconn never prepares,
    so PostgreSQL planned those statements anew on every request. SQLite: the list's elements
    (json_each). Others: the quoted code in the JSON text."""

    lookup_name = "includes"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return Contains(self.lhs, f'"{self.rhs}"').as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", (*lhs_params, json.dumps([self.rhs]))

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)  # the column; the code a parameter
        sql = f"EXISTS(SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)"  # noqa: S608
        return sql, (*lhs_params, self.rhs)
