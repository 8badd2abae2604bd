"""Genogram and ecomap as inline SVG, drawn on the server from the household and the case.

No JavaScript library (closed municipal networks; the page must print). The drawings carry
relations and ages, not names: the member table next to them names people for those who may
see them.

Genogram conventions (ジェノグラム): square = male, circle = female, rounded square with "?" =
not recorded; the 本人 is drawn with a double line; a deceased member is crossed out; a dashed
line encloses the members who live together; a horizontal line joins a couple and a vertical
line drops from it to the children.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SIZE = 34  # shape width/height
GAP_X = 92
ROW_H = 104
PAD = 40

GENERATION = {
    "grandparent": -2,
    "parent": -1,
    "self": 0,
    "spouse": 0,
    "sibling": 0,
    "child": 1,
    "child_in_law": 1,
    "grandchild": 2,
}

MALE = {"男", "男性", "m", "male", "man", "おとこ"}
FEMALE = {"女", "女性", "f", "female", "woman", "おんな"}


def sex_of(value: str) -> str:
    v = (value or "").strip().lower()
    if v in MALE:
        return "m"
    if v in FEMALE:
        return "f"
    return "u"


@dataclass
class Node:
    key: int
    relation: str
    label: str
    sex: str
    age: int | None
    deceased: bool
    together: bool
    is_self: bool  # the 世帯主: the relations are counted from them (the layout's centre)
    is_principal: bool = False  # the 本人 of the case: drawn with the double line
    x: float = 0
    y: float = 0
    extra: list = field(default_factory=list)


def _nodes(members, today, hide_age_of=frozenset()) -> list[Node]:
    nodes = []
    for m in members:
        p = m.person
        if m.left_on is not None and not p.deceased_on:
            continue
        shown = p.birth_date and p.pk not in hide_age_of
        age = p.age(on=p.deceased_on or today) if shown else None
        nodes.append(
            Node(
                key=m.pk,
                relation=m.relation,
                label=m.relation_note or m.get_relation_display(),
                sex=sex_of(p.sex),
                age=age,
                deceased=bool(p.deceased_on),
                together=bool(m.lives_together and not p.deceased_on),
                is_self=m.relation == "self",
            )
        )
    if nodes and not any(n.is_self for n in nodes):
        nodes[0].is_self = True
    return nodes


def _layout(nodes: list[Node]) -> tuple[list[list[Node]], list[Node]]:
    rows: dict[int, list[Node]] = {}
    others = []
    for n in nodes:
        gen = 0 if n.is_self else GENERATION.get(n.relation)
        if gen is None:
            others.append(n)
            continue
        rows.setdefault(gen, []).append(n)

    def order(n: Node):
        # parents: father then mother; generation 0: siblings, 本人, spouse; children by age.
        rank = {"sibling": 0, "self": 1, "spouse": 2, "child": 0, "child_in_law": 1}.get(
            n.relation, 0
        )
        if n.is_self:
            rank = 1
        return (
            rank,
            {"m": 0, "u": 1, "f": 2}[n.sex] if n.relation in ("parent", "grandparent") else 0,
            -(n.age or 0),
        )

    ordered = [sorted(rows[g], key=order) for g in sorted(rows)]
    return ordered, others


def _font_rule(cls: str, font_family: str | None) -> str:
    """On screen the text takes the page's font; a PDF names its own (WeasyPrint's SVG text does
    not inherit from the HTML and would fall back to the machine's sans-serif)."""
    return f'.{cls} text{{font-family:"{font_family}"}}' if font_family else ""


def genogram_svg(
    members, *, today=None, principal_id=None, font_family=None, hide_age_of=frozenset()
) -> str:
    """`principal_id`: the person the case is about (本人, double line); without it the 世帯主.
    `font_family`: the PDF's font (agencies.pdf.PDF_FONT_FAMILY); None on screen.
    `hide_age_of`: ids of persons the viewer may not see (drawn without their age, as the
    member table shows them without it)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    nodes = _nodes(members, today, hide_age_of)
    by_person = {m.pk: m.person_id for m in members}
    for n in nodes:
        n.is_principal = (
            by_person.get(n.key) == principal_id if principal_id is not None else n.is_self
        )
    if not nodes:
        return mark_safe(f'<p class="empty">{escape(_("世帯員が登録されていません。"))}</p>')
    rows, others = _layout(nodes)
    width_units = max([len(r) for r in rows] + [len(others)])
    width = max(PAD * 2 + max(width_units - 1, 1) * GAP_X + SIZE + 60, 340)
    gens = sorted({0 if n.is_self else GENERATION.get(n.relation, 0) for r in rows for n in r})
    height = PAD * 2 + (len(rows) + (1 if others else 0)) * ROW_H
    for r_index, row in enumerate(rows):
        offset = (width - (len(row) - 1) * GAP_X) / 2
        for i, n in enumerate(row):
            n.x = offset + i * GAP_X
            n.y = PAD + r_index * ROW_H + SIZE / 2
    if others:
        offset = (width - (len(others) - 1) * GAP_X) / 2
        for i, n in enumerate(others):
            n.x = offset + i * GAP_X
            n.y = PAD + len(rows) * ROW_H + SIZE / 2
    by_gen = {g: row for g, row in zip(gens, rows, strict=False)}
    parts: list[str] = []
    half = SIZE / 2

    def line(x1, y1, x2, y2, cls="rel"):
        parts.append(
            f'<line class="{cls}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
        )

    def couple(a: Node, b: Node) -> float:
        y = a.y + half + 8
        line(a.x, a.y + half, a.x, y)
        line(b.x, b.y + half, b.x, y)
        line(a.x, y, b.x, y)
        return (a.x + b.x) / 2

    def drop(from_x, from_y, children: list[Node]):
        if not children:
            return
        bar_y = children[0].y - half - 14
        line(from_x, from_y, from_x, bar_y)
        xs = [c.x for c in children] + [from_x]
        line(min(xs), bar_y, max(xs), bar_y)
        for c in children:
            line(c.x, bar_y, c.x, c.y - half)

    gen0 = by_gen.get(0, [])
    me = next((n for n in gen0 if n.is_self), gen0[0] if gen0 else nodes[0])
    spouse = next((n for n in gen0 if n.relation == "spouse"), None)
    parents = [n for n in by_gen.get(-1, []) if n.relation == "parent"]
    siblings = [n for n in gen0 if n.relation == "sibling"]
    if parents:
        if len(parents) >= 2:
            mid = couple(parents[0], parents[1])
            top = parents[0].y + half + 8
        else:
            mid, top = parents[0].x, parents[0].y + half
        drop(mid, top, sorted([me, *siblings], key=lambda n: n.x))
    grandparents = by_gen.get(-2, [])
    if grandparents and parents:
        if len(grandparents) >= 2:
            gmid = couple(grandparents[0], grandparents[1])
            gtop = grandparents[0].y + half + 8
        else:
            gmid, gtop = grandparents[0].x, grandparents[0].y + half
        drop(gmid, gtop, [parents[0]])
    children = [n for n in by_gen.get(1, []) if n.relation == "child"]
    in_laws = [n for n in by_gen.get(1, []) if n.relation == "child_in_law"]
    if spouse is not None:
        mid = couple(me, spouse)
        top = me.y + half + 8
    else:
        mid, top = me.x, me.y + half
    drop(mid, top, children)
    if in_laws and children:
        line(
            children[-1].x + half,
            children[-1].y,
            in_laws[0].x - half,
            in_laws[0].y,
            "rel rel--marriage",
        )
    grandchildren = by_gen.get(2, [])
    if grandchildren and children:
        drop(children[-1].x, children[-1].y + half, grandchildren)

    together = [n for n in nodes if n.together]
    if together:
        x1 = min(n.x for n in together) - half - 12
        x2 = max(n.x for n in together) + half + 48
        y1 = min(n.y for n in together) - half - 10
        y2 = max(n.y for n in together) + half + 12
        parts.insert(
            0,
            f'<rect class="together" x="{x1:.1f}" y="{y1:.1f}" width="{x2 - x1:.1f}" '
            f'height="{y2 - y1:.1f}" rx="14"><title>{escape(_("同居"))}</title></rect>',
        )

    for n in nodes:
        title = escape(
            n.label
            + (" " + _("%(age)s歳") % {"age": n.age} if n.age is not None else "")
            + (" " + _("死亡") if n.deceased else "")
        )
        cls = (
            "member"
            + (" member--self" if n.is_principal else "")
            + (" member--deceased" if n.deceased else "")
        )
        parts.append(
            f'<g class="{cls}" data-relation="{escape(n.relation)}" data-sex="{n.sex}"><title>{title}</title>'
        )
        parts.append(_shape(n.x, n.y, n.sex, SIZE))
        if n.is_principal:
            parts.append(_shape(n.x, n.y, n.sex, SIZE - 8))
        if n.deceased:
            line(n.x - half, n.y - half, n.x + half, n.y + half, "cross")
            line(n.x + half, n.y - half, n.x - half, n.y + half, "cross")
        if n.age is not None:
            parts.append(f'<text class="age" x="{n.x:.1f}" y="{n.y + 4:.1f}">{n.age}</text>')
        if n.sex == "u" and n.age is None:
            parts.append(f'<text class="age" x="{n.x:.1f}" y="{n.y + 4:.1f}">?</text>')
        # The relation label sits to the upper right so the lines below the shapes stay clear.
        parts.append(
            f'<text class="label" x="{n.x + half + 3:.1f}" y="{n.y - half + 9:.1f}">{escape(n.label)}</text></g>'
        )

    legend = escape(_("□男性 ○女性 ◎本人(二重線) ×死亡 点線内は同居"))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="genogram" role="img" viewBox="0 0 {width:.0f} {height + 20:.0f}" '
        f'width="{width:.0f}" height="{height + 20:.0f}" aria-label="{escape(_("ジェノグラム"))}">'
        f"<style>{_STYLE}{_font_rule('genogram', font_family)}</style>"
        + "".join(parts)
        + f'<text class="legend" x="8" y="{height + 12:.0f}">{legend}</text></svg>'
    )
    return mark_safe(svg)


def _shape(x: float, y: float, sex: str, size: float) -> str:
    h = size / 2
    if sex == "f":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{h:.1f}"/>'
    rx = 0 if sex == "m" else 8
    return (
        f'<rect x="{x - h:.1f}" y="{y - h:.1f}" width="{size:.1f}" height="{size:.1f}" rx="{rx}"/>'
    )


_STYLE = (
    ".genogram circle,.genogram rect{fill:#fff;stroke:#222;stroke-width:1.6}"
    ".genogram rect.together{fill:none;stroke:#557;stroke-dasharray:5 4;stroke-width:1.2}"
    ".genogram .rel{stroke:#222;stroke-width:1.4}.genogram .cross{stroke:#222;stroke-width:1.6}"
    ".genogram text{font-size:12px;text-anchor:middle;fill:#111}.genogram text.label{text-anchor:start;font-size:11px}.genogram .legend{text-anchor:start;font-size:11px;fill:#444}"
)


# --- ecomap ---------------------------------------------------------------------------------------


@dataclass
class EcoNode:
    label: str
    sub: str
    strength: str  # strong | normal | weak | stressful
    kind: str  # team | agency | person | community | work_school | other


ECO_KIND_SHORT = {
    "agency": gettext_lazy("支援機関"),
    "person": gettext_lazy("親族・知人"),
    "community": gettext_lazy("地域"),
    "work_school": gettext_lazy("職場・学校"),
    "other": gettext_lazy("その他"),
}


def ecomap_nodes(team, relations) -> list[EcoNode]:
    nodes: list[EcoNode] = []
    seen_agencies = set()
    for m in team:
        if m.agency_id in seen_agencies:
            continue
        seen_agencies.add(m.agency_id)
        nodes.append(
            EcoNode(m.agency.short_name or m.agency.name, m.get_role_display(), "strong", "team")
        )
    for r in relations:
        if r.agency_id and r.agency_id in seen_agencies:
            continue
        nodes.append(EcoNode(r.label, str(ECO_KIND_SHORT.get(r.kind, "")), r.strength, r.kind))
    return nodes


def ecomap_svg(nodes: list[EcoNode], *, centre_label: str, font_family=None) -> str:
    if not nodes:
        return mark_safe(
            f'<p class="empty">{escape(_("支援チームと社会関係が登録されるとエコマップが表示されます。"))}</p>'
        )
    width, height = 560, 440
    cx, cy = width / 2, height / 2
    radius = 165
    parts = []
    for i, n in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(nodes)
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        # line from the household circle's edge to the node's edge
        dx, dy = x - cx, y - cy
        dist = math.hypot(dx, dy) or 1
        x1, y1 = cx + dx / dist * 58, cy + dy / dist * 58
        x2, y2 = x - dx / dist * 40, y - dy / dist * 26
        if n.strength == "stressful":
            parts.append(_zigzag(x1, y1, x2, y2))
        else:
            parts.append(
                f'<line class="tie tie--{n.strength}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            )
        parts.append(
            f'<g class="eco eco--{escape(n.kind)}"><title>{escape(n.label)} {escape(n.sub)}</title>'
            f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="58" ry="26"/>'
            f'<text x="{x:.1f}" y="{y - 2:.1f}">{escape(n.label[:12])}</text>'
            f'<text class="sub" x="{x:.1f}" y="{y + 13:.1f}">{escape(n.sub[:12])}</text></g>'
        )
    legend = escape(_("太線: 強いつながり/支援チーム 実線: 普通 点線: 弱い 波線: 緊張・対立"))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ecomap" role="img" viewBox="0 0 {width} {height + 20}" '
        f'width="{width}" height="{height + 20}" aria-label="{escape(_("エコマップ"))}">'
        f"<style>{_ECO_STYLE}{_font_rule('ecomap', font_family)}</style>"
        + "".join(parts)
        + f'<g class="household"><circle cx="{cx}" cy="{cy}" r="58"/><text x="{cx}" y="{cy + 5}">{escape(centre_label)}</text></g>'
        + f'<text class="legend" x="8" y="{height + 12}">{legend}</text></svg>'
    )
    return mark_safe(svg)


def _zigzag(x1, y1, x2, y2) -> str:
    length = math.hypot(x2 - x1, y2 - y1) or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    px, py = -uy, ux
    steps = max(int(length // 10), 2)
    points = []
    for s in range(steps + 1):
        t = s / steps
        off = 0 if s in (0, steps) else (5 if s % 2 else -5)
        points.append(
            f"{x1 + ux * length * t + px * off:.1f},{y1 + uy * length * t + py * off:.1f}"
        )
    return f'<polyline class="tie tie--stressful" points="{" ".join(points)}"/>'


_ECO_STYLE = (
    ".ecomap ellipse{fill:#fff;stroke:#333;stroke-width:1.2}.ecomap .eco--team ellipse{fill:#eef5ff}"
    ".ecomap .household circle{fill:#fff7e6;stroke:#222;stroke-width:2}"
    ".ecomap text{font-size:12px;text-anchor:middle;fill:#111}.ecomap text.sub{font-size:10px;fill:#555}"
    ".ecomap .tie{stroke:#333;fill:none}.ecomap .tie--strong{stroke-width:4}.ecomap .tie--normal{stroke-width:1.8}"
    ".ecomap .tie--weak{stroke-width:1.5;stroke-dasharray:6 5}.ecomap .tie--stressful{stroke:#b3261e;stroke-width:1.8}"
    ".ecomap .legend{text-anchor:start;font-size:11px;fill:#444}"
)


# --- both, for a case -----------------------------------------------------------------------------


def household_drawings(
    *,
    members,
    team,
    relations,
    principal_id=None,
    today=None,
    font_family=None,
    hide_age_of=frozenset(),
) -> dict:
    """The genogram and the ecomap of one household, as the case page, the assessment PDF and the
    meeting paper draw them: `members` HouseholdMember rows (with person), `team` the case's
    current CaseTeamMember rows (with agency), `relations` AssessmentRelation rows."""
    living = sum(1 for m in members if m.left_on is None)
    return {
        "genogram": genogram_svg(
            members,
            today=today,
            principal_id=principal_id,
            font_family=font_family,
            hide_age_of=hide_age_of,
        ),
        "ecomap": ecomap_svg(
            ecomap_nodes(team, relations),
            centre_label=_("世帯(%(n)s人)") % {"n": living},
            font_family=font_family,
        ),
    }
