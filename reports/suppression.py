"""Small-cell protection for tables that leave the office.

A published table of counts of people must not let a reader identify anyone: counts between 1
and `threshold - 1` (default 5, settings.REPORTS_SMALL_CELL_THRESHOLD) are suppressed (primary),
and further cells are suppressed (secondary) until no suppressed value can be worked out from
the published row and column totals.

Why the rule below is enough: put the totals in the table as an extra row and column (grand
total in the corner). Every row and every column of that bordered table then satisfies one
linear equation (cells minus total = 0). If a suppressed cell lies on a cycle of suppressed
cells — alternately in the same row and the same column, each at least 1 — adding +1 and −1
alternately round the cycle changes none of the published numbers and keeps every count
non-negative, so the reader cannot tell the cell's value from its neighbour's by ±1. Secondary
suppression therefore closes each suppressed cell into such a cycle, choosing the smallest
counts. Zeros are published (a zero identifies nobody) and never used to close a cycle.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.conf import settings

SUPPRESSED_MARK = "*"


def threshold() -> int:
    return int(getattr(settings, "REPORTS_SMALL_CELL_THRESHOLD", 5))


@dataclass
class CrossTable:
    """Counts of people by two dimensions, with row, column and grand totals."""

    title: str
    row_labels: list[str]
    col_labels: list[str]
    cells: list[list[int]]
    row_heading: str = ""
    col_heading: str = ""
    hidden: set[tuple[int, int]] = field(default_factory=set)  # positions in the bordered grid
    # Counts of people are protected when published; counts of places are not (nobody is in them).
    of_people: bool = True
    programme: str = "consultation"  # the report section the table is printed in

    @property
    def bordered(self) -> list[list[int]]:
        """The table with its totals: row R is the column totals, column C the row totals."""
        rows = [[*r, sum(r)] for r in self.cells]
        col_totals = [sum(col) for col in zip(*rows, strict=True)] if rows else [0]
        return [*rows, col_totals]

    def display(self) -> list[list[str | int]]:
        return [
            [SUPPRESSED_MARK if (i, j) in self.hidden else v for j, v in enumerate(row)]
            for i, row in enumerate(self.bordered)
        ]


def _on_cycle(edge, hidden, grid) -> bool:
    """Is there a path from the edge's row to its column through other suppressed cells ≥ 1?"""
    i, j = edge
    adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for a, b in hidden:
        if (a, b) == edge or grid[a][b] < 1:
            continue
        adj.setdefault(("r", a), []).append(("c", b))
        adj.setdefault(("c", b), []).append(("r", a))
    start, goal = ("r", i), ("c", j)
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nxt in adj.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


def _close_cycle(edge, hidden, grid, *, allow_grand: bool) -> set[tuple[int, int]]:
    """The cheapest cells to add so that `edge` lies on a 4-cycle of suppressed cells ≥ 1."""
    i, j = edge
    n_rows, n_cols = len(grid), len(grid[0])
    grand = (n_rows - 1, n_cols - 1)
    best: tuple[int, set] | None = None
    for i2 in range(n_rows):
        if i2 == i:
            continue
        for j2 in range(n_cols):
            if j2 == j:
                continue
            corners = {(i, j2), (i2, j2), (i2, j)}
            if any(grid[a][b] < 1 for a, b in corners):
                continue
            if not allow_grand and grand in corners - hidden:
                continue
            new = corners - hidden
            cost = sum(grid[a][b] for a, b in new)
            if best is None or cost < best[0]:
                best = (cost, new)
    return best[1] if best else set()


def protect(table: CrossTable, limit: int | None = None) -> CrossTable:
    """Mark the cells to suppress (primary and secondary) in `table.hidden` and return it."""
    limit = threshold() if limit is None else limit
    grid = table.bordered
    hidden = {(i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if 0 < v < limit}
    changed = True
    while changed:
        changed = False
        for edge in sorted(hidden):
            if grid[edge[0]][edge[1]] < 1 or _on_cycle(edge, hidden, grid):
                continue
            extra = _close_cycle(edge, hidden, grid, allow_grand=False) or _close_cycle(
                edge, hidden, grid, allow_grand=True
            )
            if not extra:  # pragma: no cover - a 4-cycle through the totals always exists
                raise RuntimeError("cannot protect the table")
            hidden |= extra
            changed = True
            break
    table.hidden = hidden
    return table


def suppressed_values(report) -> dict[str, str]:
    """Figures of an annual report that count people and are too small to publish: {code: "*"}.

    A breakdown of people (新たに把握した対象者 by 把握の経路) is one row of cells whose total is
    the published parent: when only one category of a dimension is suppressed it could be worked
    out from the total, so the smallest other non-zero category of that dimension is suppressed
    too (unless the parent itself is suppressed). Cross tables go through `protect`."""
    limit = threshold()
    hidden = {}
    for row in report.rows():
        if row.figure.counts_persons and row.value is not None and 0 < row.value < limit:
            hidden[row.figure.code] = SUPPRESSED_MARK
    for row in report.rows():
        if row.figure.code in hidden or not row.figure.counts_persons:
            continue
        dimensions: dict[str, list] = {}
        for child in row.breakdown:
            dimensions.setdefault(str(child.figure.group_label), []).append(child)
        for children in dimensions.values():
            if sum(c.figure.code in hidden for c in children) != 1:
                continue
            partners = [c for c in children if c.figure.code not in hidden and c.value]
            if partners:
                partner = min(partners, key=lambda c: (c.value, c.figure.order))
                hidden[partner.figure.code] = SUPPRESSED_MARK
    return hidden
