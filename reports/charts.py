"""Server-side SVG bar charts (no JavaScript, no CDN), each drawn with its table alternative.

`bar_chart` returns the context for templates/reports/_chart.html: bars laid out in a fixed
viewBox so the chart scales with the panel; the same numbers go into a <table> for screen readers
and for anyone who prefers figures to shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 320, 18, 6, 120, 44


@dataclass
class Bar:
    label: str
    value: float
    y: int
    width: float
    text: str
    tone: str = ""
    reference: float | None = None  # e.g. the target: drawn as a mark


def bar_chart(
    title: str,
    rows: list[tuple[str, float | int | None]],
    *,
    unit: str = "",
    references: list[float | None] | None = None,
    columns: tuple[str, str] = ("", ""),
    key: str = "chart",
) -> str:
    """Horizontal bars, one per (label, value); optional reference marks (targets)."""
    references = references or [None] * len(rows)
    values = [v or 0 for _, v in rows]
    top = max([*values, *[r or 0 for r in references], 1])
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for n, ((label, value), ref) in enumerate(zip(rows, references, strict=True)):
        v = value or 0
        bars.append(
            Bar(
                label=label,
                value=v,
                y=n * (BAR_HEIGHT + GAP),
                width=round(span * v / top, 1),
                text="—" if value is None else f"{value:,}{unit}",
                reference=None if ref is None else round(LABEL_WIDTH + span * ref / top, 1),
            )
        )
    height = max(len(bars) * (BAR_HEIGHT + GAP), BAR_HEIGHT)
    return render_to_string(
        "reports/_chart.html",
        {
            "key": key,
            "title": title,
            "bars": bars,
            "width": WIDTH,
            "height": height,
            "bar_height": BAR_HEIGHT,
            "label_width": LABEL_WIDTH,
            "value_x": WIDTH - VALUE_WIDTH + 4,
            "columns": columns,
            "references": any(r is not None for r in references),
            "reference_values": references,
            "rows": [(b, ref) for b, ref in zip(bars, references, strict=True)],
            "unit": unit,
        },
    )
