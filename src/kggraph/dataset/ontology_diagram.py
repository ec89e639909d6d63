"""An SVG diagram of the ontology, drawn on the server: no JavaScript, no layout library.

Rows are the classes, as the class tree (each class under its superclass, indented), followed
by the classes of other vocabularies that object properties start or end at (``prov:Activity``,
``owl:Thing`` …). Columns to the right are the object properties, one lane each, its name on
top: a dot marks the domain's row and an arrow head the range's row, joined by the lane's line;
a ring marks a property whose domain and range are the same class. Every class and property
links to its entry in the page (``#City``), and shows its English and Japanese labels as a
tooltip. Datatype properties are left out: their ranges are literals, listed in the page.

The drawing is a named group of those links (``role="group"``), not an image: an image's
content is hidden from assistive technology, and its links with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from kggraph.core.namespaces import shorten
from kggraph.dataset.ontology_doc import OntologyDoc, Term

ROW = 30
INDENT = 18
BOX_HEIGHT = 24
TREE_WIDTH = 330
"""From the left margin to the right edge of every class box."""
LANE = 18
MARGIN = 12
CHAR = 6.6
"""Width of one character of the 11px lane labels, for the height of the header band."""
COLOURS = ("#0b5fa5", "#b44c00", "#2f7d32", "#8e24aa", "#00838f", "#c62828", "#5d4037")


@dataclass(frozen=True)
class Row:
    iri: str
    depth: int
    term: Term | None
    """``None`` for a class of another vocabulary."""


def rows(doc: OntologyDoc) -> list[Row]:
    """The class tree in depth-first order, then the external classes the properties use."""
    placed: list[Row] = []
    seen: set[str] = set()

    def visit(term: Term, depth: int) -> None:
        if term.iri in seen:
            return
        seen.add(term.iri)
        placed.append(Row(term.iri, depth, term))
        for child in sorted(term.children, key=lambda iri: iri.lower()):
            sub = doc.term(child)
            if sub is not None and sub.kind == "class":
                visit(sub, depth + 1)

    for root in doc.roots():
        visit(root, 0)
    for cls in doc.classes:  # a cycle of subclasses has no root: still show every class
        visit(cls, 0)
    external = sorted(
        {c for p in doc.object_properties for c in (*p.domains, *p.ranges)} - seen,
        key=shorten,
    )
    placed.extend(Row(iri, 0, None) for iri in external)
    return placed


def diagram(doc: OntologyDoc) -> str:
    """The SVG document (as text, ready to inline in HTML or serve on its own)."""
    laid = rows(doc)
    index = {row.iri: n for n, row in enumerate(laid)}
    lanes = [p for p in doc.object_properties if _ends(p, index)]
    header = MARGIN + max((len(p.name) for p in lanes), default=0) * CHAR
    width = MARGIN + TREE_WIDTH + MARGIN + len(lanes) * LANE + MARGIN
    height = header + len(laid) * ROW + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="group" aria-labelledby="diagram-title" '
        'font-family="system-ui, sans-serif" font-size="12">',
        '<title id="diagram-title">Classes and object properties of the ontology</title>',
    ]
    y = [header + n * ROW + ROW / 2 for n in range(len(laid))]
    lane_x = [MARGIN + TREE_WIDTH + MARGIN + LANE * n + LANE / 2 for n in range(len(lanes))]
    right = lane_x[-1] if lane_x else MARGIN + TREE_WIDTH
    for n in range(len(laid)):
        out.append(_line(MARGIN + TREE_WIDTH, y[n], right, y[n], "#e4e7eb", ""))
    out += _tree(laid, index, y)
    out += [_box(row, y[n]) for n, row in enumerate(laid)]
    for n, prop in enumerate(lanes):
        out += _lane(prop, lane_x[n], header, y, index, COLOURS[n % len(COLOURS)])
    out.append("</svg>")
    return "\n".join(out)


def _ends(prop: Term, index: dict[str, int]) -> bool:
    return any(d in index for d in prop.domains) and any(r in index for r in prop.ranges)


def _tree(laid: list[Row], index: dict[str, int], y: list[float]) -> list[str]:
    """Elbow lines from each class down and across to its subclasses."""
    lines = []
    for n, row in enumerate(laid):
        if row.term is None or row.depth == 0:
            continue
        parents = [index[p] for p in row.term.parents if p in index and index[p] < n]
        if not parents:
            continue
        top = parents[-1]
        x = MARGIN + laid[top].depth * INDENT + INDENT / 2
        lines.append(
            f'<path d="M{x:.1f},{y[top] + BOX_HEIGHT / 2:.1f} V{y[n]:.1f} '
            f'H{MARGIN + row.depth * INDENT:.1f}" fill="none" stroke="#9aa5b1"/>'
        )
    return lines


def _box(row: Row, cy: float) -> str:
    x = MARGIN + row.depth * INDENT
    w = TREE_WIDTH - row.depth * INDENT
    top = cy - BOX_HEIGHT / 2
    if row.term is None:
        name = shorten(row.iri)
        return (
            f"<a href={quoteattr(row.iri)}><title>{escape(row.iri)}</title>"
            f'<rect x="{x}" y="{top:.1f}" width="{w}" height="{BOX_HEIGHT}" rx="4" fill="#fff" '
            'stroke="#9aa5b1" stroke-dasharray="4 3"/>'
            f'<text x="{x + 6}" y="{cy + 4:.1f}" fill="#52606d">{escape(name)}</text></a>'
        )
    term = row.term
    tip = f"{term.label('en')} / {term.label('ja')}"
    return (
        f'<a href="#{escape(term.name)}" class="class-box" data-iri={quoteattr(term.iri)}>'
        f"<title>{escape(tip)}</title>"
        f'<rect x="{x}" y="{top:.1f}" width="{w}" height="{BOX_HEIGHT}" rx="4" fill="#f5f7fa" '
        'stroke="#0b5fa5"/>'
        f'<text x="{x + 6}" y="{cy + 4:.1f}" fill="#1f2933" font-weight="600">'
        f"{escape(term.name)}</text>"
        f'<text x="{x + w - 6}" y="{cy + 4:.1f}" fill="#52606d" font-size="10" '
        f'text-anchor="end" lang="ja">{escape(term.label("ja"))}</text></a>'
    )


def _lane(
    prop: Term, x: float, header: float, y: list[float], index: dict[str, int], colour: str
) -> list[str]:
    tip = f"{prop.name}: {prop.label('en')} / {prop.label('ja')}"
    parts = [
        f'<a href="#{escape(prop.name)}" class="property-lane" data-iri={quoteattr(prop.iri)}>',
        f"<title>{escape(tip)}</title>",
        f'<text transform="translate({x + 4:.1f},{header - 4:.1f}) rotate(-90)" font-size="11" '
        f'fill="{colour}">{escape(prop.name)}</text>',
    ]
    for domain in (d for d in prop.domains if d in index):
        for rng in (r for r in prop.ranges if r in index):
            y0, y1 = y[index[domain]], y[index[rng]]
            parts.append(f'<circle cx="{x:.1f}" cy="{y0:.1f}" r="3.5" fill="{colour}"/>')
            if y0 == y1:
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y0:.1f}" r="6.5" fill="none" stroke="{colour}"/>'
                )
                continue
            step = 6 if y1 > y0 else -6
            parts.append(_line(x, y0, x, y1 - step, colour, ' stroke-width="1.5"'))
            parts.append(
                f'<path d="M{x - 4:.1f},{y1 - step:.1f} L{x + 4:.1f},{y1 - step:.1f} '
                f'L{x:.1f},{y1:.1f} Z" fill="{colour}"/>'
            )
    parts.append("</a>")
    return parts


def _line(x0: float, y0: float, x1: float, y1: float, colour: str, extra: str) -> str:
    return (
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{colour}"{extra}/>'
    )
