"""Lists people can sort and take away: sortable columns, counts, CSV/XLSX export of what is shown.

A list declares its columns once (`ListSpec`); the HTML view uses it to order the queryset and
draw sortable headers, the export view uses the same spec, filters and order to write the file:

    CASES = ListSpec(
        name="cases",
        default_sort="-opened_on",
        columns=[
            Column("number", _("ケース番号"), order=("number",), value=lambda c: c.number),
            Column("summary", _("概要"), value=lambda c: c.summary),            # not sortable
            Column("phone", _("電話"), value=..., shown=False),                 # export only
        ],
    )
    qs = CASES.order(qs, request)                   # ?sort=number / ?sort=-number, else default
    context["columns"] = CASES.headers(request)     # for partials/sortable_head.html
    return export_list(request, CASES, qs, fmt=..., action="case.export", basis=..., stem=...)

The sort key travels in the URL with the filters (`sort=`), the pager keeps it, an unknown key
falls back to the default (never an error). Exports: the same filters and order, every row (not
only the page), the policy-filtered queryset the caller passes, one audit row naming the records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_label, record

from .tabular import FORMATS, tabular_response

# A list export is for a caseload or a month, not the whole city: beyond this the user narrows the
# filters (annual figures come from the reports app).
MAX_EXPORT_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation
    value: Callable[[Any], Any] | None = None  # for exports
    order: tuple[str, ...] = ()  # ascending order_by fields; empty: not sortable
    shown: bool = True  # a column of the HTML table (False: export only)
    css: str = ""


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: Sequence[Column]
    default_sort: str
    tiebreak: tuple[str, ...] = ("-pk",)
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})

    def sort_key(self, request) -> str:
        raw = (request.GET.get("sort") or "").strip()
        key = raw.removeprefix("-")
        column = self.by_key.get(key)
        if column is None or not column.order:
            return self.default_sort
        return raw

    def order(self, qs, request):
        sort = self.sort_key(request)
        column = self.by_key[sort.removeprefix("-")]
        descending = sort.startswith("-")
        fields = [f"-{f}" if descending else f for f in column.order]
        return qs.order_by(*fields, *self.tiebreak)

    def headers(self, request) -> list[dict]:
        """Header cells: label, the URL that sorts by it (toggling direction), aria-sort."""
        sort = self.sort_key(request)
        current, descending = sort.removeprefix("-"), sort.startswith("-")
        cells = []
        for column in self.columns:
            if not column.shown:
                continue
            cell = {"label": column.label, "key": column.key, "css": column.css, "url": ""}
            if column.order:
                active = column.key == current
                next_sort = "-" + column.key if active and not descending else column.key
                params = request.GET.copy()
                params.pop("page", None)
                params["sort"] = next_sort
                cell.update(
                    url="?" + params.urlencode(),
                    active=active,
                    aria_sort=("descending" if descending else "ascending") if active else "none",
                )
            cells.append(cell)
        return cells

    def export_header(self) -> list[str]:
        return [str(c.label) for c in self.columns if c.value is not None]

    def export_row(self, obj) -> list:
        return [c.value(obj) for c in self.columns if c.value is not None]


def export_format(request) -> str:
    fmt = (request.GET.get("fmt") or "csv").lower()
    return fmt if fmt in FORMATS else "csv"


def export_query(request) -> str:
    """The current filters and sort, without the page, for the export links of a list."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("fmt", None)
    return params.urlencode()


def form_filters_set(request, form) -> bool:
    """Whether the query string sets any of a filter form's fields — a picker's typed text
    (`<name>_text`) included, and a value the form refuses too (it is still in the form)."""
    names = {form.add_prefix(name) for name in form.fields}
    names |= {f"{name}_text" for name in names}
    return any(value.strip() for name in names for value in request.GET.getlist(name))


def clear_filters_url(request, *, active: bool, keep: Sequence[str] = ("sort",)) -> str:
    """The list's own address without its filters, for a 「絞り込みを解除」 link while a filter is
    `active` ("" otherwise). Without JavaScript, emptying a picker's text leaves its hidden id in
    the form, so submitting again keeps the filter: this plain link is how it comes off. `keep`
    names the parameters that are how the list is read rather than what it holds (the sort; an
    inbox's tab) — the page number is dropped, the unfiltered list starts on its first page."""
    if not active:
        return ""
    params = QueryDict(mutable=True)
    for name in keep:
        values = [v for v in request.GET.getlist(name) if v]
        if values:
            params.setlist(name, values)
    query = params.urlencode()
    return request.path + (f"?{query}" if query else "")


def export_list(
    request,
    spec: ListSpec,
    qs,
    *,
    action: str,
    basis: str,
    stem: str,
    list_url: str,
    sheet_title: str = "",
    keep_order: bool = False,
    persons=None,
):
    """Write every row of the (already policy-filtered, filtered) queryset in the list's order.

    One audit row (`action`, kind export) names the exported records by their audit labels.
    `persons(obj)` gives the ids of the persons a row carries: each one another agency
    registered is a row of the disclosure ledger (access.services.ledger_export) with the basis it is seen on.
    """
    fmt = export_format(request)
    if not keep_order:  # keep_order: the caller ordered the queryset as its page does
        qs = spec.order(qs, request)
    objects = list(qs[: MAX_EXPORT_ROWS + 1])
    if len(objects) > MAX_EXPORT_ROWS:
        messages.error(
            request,
            _("出力できるのは %(n)s 件までです。条件で絞り込んでから出力してください。")
            % {"n": f"{MAX_EXPORT_ROWS:,}"},
        )
        query = export_query(request)
        return redirect(list_url + (f"?{query}" if query else ""))
    rows = [spec.export_row(obj) for obj in objects]
    record(
        actor=request.user,
        action=action,
        basis=basis,
        object_type=qs.model._meta.label_lower,
        object_id=f"{len(rows)} rows",
        subjects=[audit_label(obj) for obj in objects],
    )
    if persons is not None:
        from access.services import ledger_export

        ledger_export(actor=request.user, person_ids=[p for obj in objects for p in persons(obj)])
    return tabular_response(
        fmt,
        f"{stem}_{timezone.localdate():%Y%m%d}",
        spec.export_header(),
        rows,
        sheet_title=sheet_title or stem,
    )
