"""Small-cell protection: no suppressed count can be worked out from what is published."""

import random

import pytest

from reports.suppression import SUPPRESSED_MARK, CrossTable, protect


def _alternative(table: CrossTable, cell):
    """A different complete table that publishes exactly the same numbers but differs at
    `cell`, found by walking a cycle of suppressed cells (None if there is none)."""
    grid = table.bordered
    hidden = {e for e in table.hidden if grid[e[0]][e[1]] >= 1}
    i, j = cell
    # breadth-first search for a path row i -> column j through other suppressed cells
    prev = {("r", i): None}
    queue = [("r", i)]
    while queue:
        node = queue.pop(0)
        kind, idx = node
        for a, b in hidden:
            if (a, b) == cell:
                continue
            nxt = (
                ("c", b)
                if kind == "r" and a == idx
                else ("r", a)
                if kind == "c" and b == idx
                else None
            )
            if nxt and nxt not in prev:
                prev[nxt] = (node, (a, b))
                queue.append(nxt)
    if ("c", j) not in prev:
        return None
    path = [cell]
    node = ("c", j)
    while prev[node] is not None:
        node, edge = prev[node]
        path.append(edge)
    # Alternate -1/+1 round the cycle in the signed table where totals count negative
    # (a total changes with its cells, so its sign flips).
    n_rows, n_cols = len(grid), len(grid[0])
    alt = [row[:] for row in grid]
    for k, (a, b) in enumerate(path):
        sign = -1 if (a == n_rows - 1) != (b == n_cols - 1) else 1
        alt[a][b] += (-1 if k % 2 == 0 else 1) * sign
    return alt


def _consistent(table, alt) -> bool:
    grid = table.bordered
    n_rows, n_cols = len(grid), len(grid[0])
    published_same = all(
        alt[a][b] == grid[a][b]
        for a in range(n_rows)
        for b in range(n_cols)
        if (a, b) not in table.hidden
    )
    rows_add_up = all(sum(alt[a][:-1]) == alt[a][-1] for a in range(n_rows))
    cols_add_up = all(
        sum(alt[a][b] for a in range(n_rows - 1)) == alt[-1][b] for b in range(n_cols)
    )
    non_negative = all(v >= 0 for row in alt for v in row)
    return published_same and rows_add_up and cols_add_up and non_negative


def assert_protected(table: CrossTable, limit=5):
    grid = table.bordered
    for a, row in enumerate(grid):
        for b, v in enumerate(row):
            if 0 < v < limit:
                assert (a, b) in table.hidden, "a small count is published"
    for cell in table.hidden:
        alt = _alternative(table, cell)
        assert alt is not None, f"{cell} can be worked out from the totals"
        assert _consistent(table, alt) and alt[cell[0]][cell[1]] != grid[cell[0]][cell[1]]


def test_single_small_cell_gets_a_partner_in_its_row_and_column():
    t = protect(CrossTable("t", ["A", "B"], ["x", "y"], [[3, 20], [30, 40]]))
    assert (0, 0) in t.hidden and len(t.hidden) >= 4
    assert_protected(t)
    assert t.display()[0][0] == SUPPRESSED_MARK


def test_small_row_total_is_suppressed_too():
    t = protect(CrossTable("t", ["A", "B", "C"], ["x", "y"], [[1, 2], [10, 12], [8, 9]]))
    assert (0, 2) in t.hidden  # the row total 3
    assert_protected(t)


def test_nothing_suppressed_when_every_count_is_large_or_zero():
    t = protect(CrossTable("t", ["A", "B"], ["x", "y"], [[0, 20], [30, 40]]))
    assert t.hidden == set()


def test_threshold_is_configurable(settings):
    settings.REPORTS_SMALL_CELL_THRESHOLD = 10
    t = protect(CrossTable("t", ["A", "B"], ["x", "y"], [[7, 20], [30, 40]]))
    assert (0, 0) in t.hidden
    assert_protected(t, limit=10)


@pytest.mark.parametrize("seed", range(150))
def test_random_tables_are_protected(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(1, 5), rng.randint(1, 6)
    cells = [
        [rng.choice([0, 1, 2, 3, 4, 5, 8, 13, 30]) for _ in range(n_cols)] for _ in range(n_rows)
    ]
    t = protect(
        CrossTable("t", [str(i) for i in range(n_rows)], [str(j) for j in range(n_cols)], cells)
    )
    assert_protected(t)


def test_a_single_small_category_of_people_gets_a_partner_so_the_total_cannot_reveal_it():
    """新たに把握した対象者 12 by source: 3 (suppressed) + 4 + 5: the 4 is suppressed as well,
    otherwise 12 − 4 − 5 = 3 gives the hidden value back. Events (not people) are never hidden."""
    from types import SimpleNamespace

    from reports.build import FigureRow
    from reports.figures import get
    from reports.suppression import suppressed_values

    parent = FigureRow(get("outreach.targets.new"), 12)
    for code, value in (("minsei", 3), ("neighbour", 4), ("survey", 5), ("family", 0)):
        parent.breakdown.append(FigureRow(get(f"outreach.targets.new.source.{code}"), value))
    contacts = FigureRow(get("outreach.contacts"), 2)
    report = SimpleNamespace(rows=lambda: [parent, *parent.breakdown, contacts])
    hidden = suppressed_values(report)
    assert set(hidden) == {
        "outreach.targets.new.source.minsei",
        "outreach.targets.new.source.neighbour",
    }
    published = 12 - sum(r.value for r in parent.breakdown if r.figure.code not in hidden)
    assert published == 3 + 4  # only the sum of the two hidden cells can be worked out
