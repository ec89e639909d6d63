"""The timeline as an SVG chart, drawn here in Python: no script, no chart library to serve.

Its words are in English or Japanese (``render``'s ``lang``), the names of countries and
activities too; the root carries ``lang``.

Two panels share one time axis: agreements above, projects below, each a bar per year stacked
by country, on the same scale (one activity is as tall in both), so the panels compare. Runs of
``GAP_YEARS`` or more empty years shrink to a marked gap, or the quiet decades before 2009
would push the busy years into a corner. Every bar segment has a ``<title>`` naming the
country, the year and the activities, which browsers show on hover and screen readers read;
each year's bars sit in one ``<g class="year" data-year="…">``.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from kggraph.network.timeline import HOME_COUNTRY, KINDS, NO_COUNTRY, Cell, Dated, Timeline

WIDTH = 1120
LEFT, RIGHT = 64, 24
UNIT = 20.0
"""Pixels per activity, in both panels."""
MIN_PANEL = 72.0
GAP_YEARS = 3
"""Empty years in a row that become one narrow gap on the axis."""
GAP_WEIGHT = 1.4
BAR_SHARE = 0.64
"""Share of its slot a bar fills."""
LISTED = 8
"""Most activity names a segment's tooltip lists."""
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK, MUTED, GRID = "#1f2933", "#616e7c", "#e4e7eb"
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8", "#8cd17d", "#b6992d",
)  # fmt: skip
"""Tableau's colour-blind-aware qualitative colours, in the order countries are ranked."""
FIXED = {HOME_COUNTRY: "#bab0ac", NO_COUNTRY: "#d9d4cf"}
"""Japan and "no single country" in greys: they are the background, not the story."""
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Agreements and projects per year, by country",
        "note": "The year each began. An activity in two countries counts in both; Japan counts "
        "only when no other country takes part.",
        "not_shown": " Not shown: {undated} without a date.",
        "and": " and ",
        "list": ", ",
        "more": "; and {n} more",
        "summary": "{counts}, {span}. Most in {leaders}.",
        "none": "no dated activity",
        "segment": "{where}, {year}: {count}: {listing}",
        "agreement": "Agreements",
        "project": "Projects",
    },
    "ja": {
        "title": "年別・国別の協定と事業",
        "note": "開始年で示します。2か国にまたがる活動は両方の国に数え、日本は他の国が関わらない"
        "場合のみ数えます。",
        "not_shown": "日付のない{undated}は表示していません。",
        "and": "と",
        "list": "、",
        "more": "、ほか{n}件",
        "summary": "{counts}({span})。多い国:{leaders}。",
        "none": "日付のある活動なし",
        "segment": "{where}、{year}年:{count}:{listing}",
        "agreement": "協定",
        "project": "事業",
    },
}
"""The chart's own words in each page language (names come from the graph)."""


@dataclass(frozen=True)
class Slot:
    """A place on the time axis: one year, or a gap of empty years."""

    first: int
    last: int
    x: float
    width: float

    @property
    def is_gap(self) -> bool:
        return self.first != self.last

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def colours(timeline: Timeline) -> dict[str, str]:
    """Country → colour: the fixed greys, then the palette in ranking order (cycling)."""
    ranked = [c for c in timeline.country_order if c not in FIXED]
    chosen = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(ranked)}
    return {c: FIXED.get(c) or chosen[c] for c in timeline.country_order}


def render(timeline: Timeline, lang: str = "en") -> str:
    """The chart as an SVG document (a string, without an XML declaration), in ``lang``
    (``en`` or ``ja``)."""
    words = Words(timeline, lang if lang in WORDS else "en")
    palette = colours(timeline)
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", role="img", lang=words.lang)
    svg.set("aria-labelledby", "timeline-title")
    svg.set("aria-describedby", "timeline-desc")
    svg.set("font-family", FONT)
    ET.SubElement(svg, "title", id="timeline-title").text = words["title"]
    ET.SubElement(svg, "desc", id="timeline-desc").text = _summary(timeline, words)
    top = _heading(svg, timeline, words)
    top = _legend(svg, timeline, words, palette, top + 14)
    slots = _slots(timeline.years)
    heights = {kind: _panel_height(timeline, kind) for kind in KINDS}
    tops, y = {}, top + 46
    for kind in KINDS:
        tops[kind] = y
        y += heights[kind] + 46
    for kind in KINDS:
        _panel(svg, timeline, words[kind], kind, (tops[kind], heights[kind]), slots)
    _bars(svg, timeline, words, palette, slots, (tops, heights))
    _axis(svg, slots, tops[KINDS[-1]] + heights[KINDS[-1]])
    height = y - 10
    svg.set("viewBox", f"0 0 {WIDTH} {height:.0f}")
    svg.set("width", str(WIDTH))
    svg.set("height", f"{height:.0f}")
    return ET.tostring(svg, encoding="unicode")


class Words:
    """The chart's words and names in one language."""

    def __init__(self, timeline: Timeline, lang: str) -> None:
        self.lang = lang
        self._timeline = timeline
        self._words = WORDS[lang]

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def count(self, kind: str, n: int) -> str:
        """``3 agreements``, ``1 project``; ``協定3件``."""
        if self.lang == "ja":
            return f"{self[kind]}{n}件"
        return f"{n} {kind}" + ("s" if n != 1 else "")

    def country(self, iri: str) -> str:
        found = self._timeline.countries.get(iri)
        if self.lang == "ja" and found is not None and found.label_ja:
            return found.label_ja
        return self._timeline.label(iri)

    def activity(self, activity: Dated) -> str:
        return activity.label_ja if self.lang == "ja" and activity.label_ja else activity.label


def _summary(timeline: Timeline, words: Words) -> str:
    years = timeline.years
    span = f"{years[0]}–{years[-1]}" if years else words["none"]
    counts = words["list"].join(
        words.count(kind, sum(a.kind == kind for a in timeline.activities)) for kind in KINDS
    )
    leaders = words["list"].join(words.country(c) for c in timeline.country_order[:3])
    return words["summary"].format(counts=counts, span=span, leaders=leaders)


def _heading(svg: ET.Element, timeline: Timeline, words: Words) -> float:
    _text(svg, LEFT, 28, words["title"], size=20, weight="600")
    undated = words["and"].join(
        words.count(k, timeline.undated(k)) for k in KINDS if timeline.undated(k)
    )
    note = words["note"] + (words["not_shown"].format(undated=undated) if undated else "")
    _text(svg, LEFT, 50, note, size=12.5, fill=MUTED)
    return 50


def _width(text: str, size: float) -> float:
    """About how wide ``text`` is at font size ``size``: a Japanese character is a full em,
    a Latin one a little over half of one."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.554 for ch in text)


def _legend(
    svg: ET.Element, timeline: Timeline, words: Words, palette: dict[str, str], top: float
) -> float:
    """Swatches in ranking order, wrapped onto as many rows as they need; returns the bottom."""
    x, y = float(LEFT), top + 12
    legend = ET.SubElement(svg, "g", {"class": "legend"})
    for country in timeline.country_order:
        label = words.country(country)
        width = 22 + _width(label, 13) + 18
        if x + width > WIDTH - RIGHT:
            x, y = float(LEFT), y + 22
        item = ET.SubElement(legend, "g", {"class": "legend-item", "data-country": country})
        ET.SubElement(item, "rect", _num(x=x, y=y - 10, width=14, height=14, rx=3)).set(
            "fill", palette[country]
        )
        _text(item, x + 20, y + 1.5, label, size=13, fill=INK)
        x += width
    return y


def _slots(years: tuple[int, ...]) -> list[Slot]:
    """Year slots from the first year to the last; long runs of empty years become gaps."""
    if not years:
        return []
    spans: list[tuple[int, int]] = []
    present, year = set(years), years[0]
    while year <= years[-1]:
        if year in present:
            spans.append((year, year))
            year += 1
            continue
        end = year
        while end + 1 not in present:  # stops: the last year is present
            end += 1
        if end - year + 1 >= GAP_YEARS:
            spans.append((year, end))
        else:
            spans.extend((y, y) for y in range(year, end + 1))
        year = end + 1
    weights = [GAP_WEIGHT if first != last else 1.0 for first, last in spans]
    unit = (WIDTH - LEFT - RIGHT) / sum(weights)
    slots, x = [], float(LEFT)
    for (first, last), weight in zip(spans, weights, strict=True):
        slots.append(Slot(first, last, x, unit * weight))
        x += unit * weight
    return slots


def _panel_height(timeline: Timeline, kind: str) -> float:
    return max(MIN_PANEL, UNIT * _stack_max(timeline, kind))


def _stack_max(timeline: Timeline, kind: str) -> int:
    stacks: dict[int, int] = {}
    for cell in timeline.cells:
        if cell.kind == kind:
            stacks[cell.year] = stacks.get(cell.year, 0) + cell.count
    return max(stacks.values(), default=1)


def _panel(
    svg: ET.Element,
    timeline: Timeline,
    title: str,
    kind: str,
    place: tuple[float, float],
    slots: list[Slot],
) -> None:
    """The panel's title, grid lines with their counts, and its baseline; ``place`` is its top
    and height."""
    top, height = place
    group = ET.SubElement(svg, "g", {"class": "panel", "data-kind": kind})
    base = top + height
    _text(group, LEFT, top - 12, title, size=14, weight="600", fill=INK)
    for tick in _ticks(height / UNIT):
        y = base - tick * UNIT
        line = _num(x1=LEFT, x2=WIDTH - RIGHT, y1=y, y2=y)
        ET.SubElement(group, "line", line, stroke=GRID)
        _text(group, LEFT - 8, y + 4, str(tick), size=11, fill=MUTED, anchor="end")
    for slot in slots:
        if slot.is_gap:
            box = _num(x=slot.x + 3, y=top, width=slot.width - 6, height=height)
            ET.SubElement(group, "rect", box, fill="#f5f7fa")
    ET.SubElement(group, "line", _num(x1=LEFT, x2=WIDTH - RIGHT, y1=base, y2=base), stroke=INK)


def _ticks(top: float) -> range:
    """Grid lines at a round step (1, 2, 5, 10, 20…): at most five of them up to ``top``."""
    steps = (m * 10**e for e in itertools.count() for m in (1, 2, 5))
    step = next(s for s in steps if top / s <= 5)
    return range(0, math.floor(top) + 1, step)


def _bars(
    svg: ET.Element,
    timeline: Timeline,
    words: Words,
    palette: dict[str, str],
    slots: list[Slot],
    panels: tuple[dict[str, float], dict[str, float]],
) -> None:
    """One group per year with data: its stacked segments in both panels and their totals;
    ``panels`` holds each kind's panel top and height."""
    tops, heights = panels
    by_year = {s.first: s for s in slots if not s.is_gap}
    order = {c: i for i, c in enumerate(timeline.country_order)}
    for year in timeline.years:
        slot = by_year[year]
        totals = words["list"].join(
            words.count(k, timeline.total(k, year)) for k in KINDS if timeline.total(k, year)
        )
        group = ET.SubElement(svg, "g", {"class": "year", "data-year": str(year)})
        ET.SubElement(group, "title").text = f"{year}: {totals}"
        width = slot.width * BAR_SHARE
        x = slot.centre - width / 2
        for kind in KINDS:
            cells = sorted(
                (c for c in timeline.cells if c.year == year and c.kind == kind),
                key=lambda c: order[c.country],
            )
            y = tops[kind] + heights[kind]
            for cell in cells:
                y -= cell.count * UNIT
                box = _num(x=x, y=y, width=width, height=cell.count * UNIT)
                _segment(group, words, cell, palette, box)
            if cells:
                label = str(timeline.total(kind, year))
                _text(group, slot.centre, y - 5, label, size=11, fill=MUTED, anchor="middle")


def _segment(
    group: ET.Element, words: Words, cell: Cell, palette: dict[str, str], box: dict[str, str]
) -> None:
    rect = ET.SubElement(group, "rect", box, fill=palette[cell.country], stroke="#ffffff")
    rect.set("class", f"segment {cell.kind}")
    rect.set("data-country", cell.country)
    rect.set("data-count", str(cell.count))
    names = [words.activity(a) for a in cell.activities[:LISTED]]
    more = cell.count - len(names)
    listing = "; ".join(names) + (words["more"].format(n=more) if more > 0 else "")
    ET.SubElement(rect, "title").text = words["segment"].format(
        where=words.country(cell.country),
        year=cell.year,
        count=words.count(cell.kind, cell.count),
        listing=listing,
    )


def _axis(svg: ET.Element, slots: list[Slot], base: float) -> None:
    """Year labels under the lower panel; a gap shows its span and a break mark."""
    axis = ET.SubElement(svg, "g", {"class": "axis"})
    for slot in slots:
        if slot.is_gap:
            span = f"{slot.first}–{str(slot.last)[-2:]}"
            _text(axis, slot.centre, base + 18, span, size=10.5, fill=MUTED, anchor="middle")
            x, y = slot.centre, base + 5
            mark = f"M{x - 6:.1f} {y:.1f} l5 -10 M{x:.1f} {y:.1f} l5 -10"
            ET.SubElement(axis, "path", d=mark, stroke=MUTED, fill="none")
        else:
            label = str(slot.first)
            _text(axis, slot.centre, base + 18, label, size=11.5, fill=INK, anchor="middle")


def _text(
    parent: ET.Element,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    fill: str = INK,
    weight: str = "400",
    anchor: str = "start",
) -> ET.Element:
    attributes = _num(x=x, y=y)
    attributes.update({"font-size": f"{size:g}", "fill": fill, "text-anchor": anchor})
    if weight != "400":
        attributes["font-weight"] = weight
    element = ET.SubElement(parent, "text", attributes)
    element.text = text
    return element


def _num(**values: float) -> dict[str, str]:
    """Attributes rounded to a tenth of a pixel: smaller files, same picture."""
    return {k: f"{v:.1f}".removesuffix(".0") for k, v in values.items()}
