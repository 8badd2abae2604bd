"""`field__in_ids=<values queryset>`: the rows whose key is among the ids a subquery returns.

The same rows as `__in=`, written so that PostgreSQL looks them up by index. `pk IN (SELECT …)`
is planned as a semi-join, and when the subquery is a UNION (the grants of a user plus the cases
they coordinate) PostgreSQL hashes the subquery and reads the whole outer table to probe it — a
sequential scan of 20,000 cases to return 50. `pk = ANY(ARRAY(SELECT …))` evaluates the
subquery once (an InitPlan) and fetches the rows through the primary-key index. Other databases
get the plain IN.
"""

from django.db.models import Field, ForeignObject, Lookup
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
