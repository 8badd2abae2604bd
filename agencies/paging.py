"""Paging for long lists: the count stops at a cap.

An exact COUNT(*) over a million audit rows or every case of a city costs more than the page
itself, and nobody pages to row 600,000. `CappedPaginator` counts at most `cap + 1` rows
(`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), pages through the first `cap` rows, and tells the
pager to say 「10,000件以上」 beyond that; filters narrow a list further.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    default_cap = 10_000

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or self.default_cap

    @cached_property
    def _capped_count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than the count says."""
        return self._capped_count > self.cap
