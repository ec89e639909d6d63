"""Content negotiation: which format to answer in, from ``Accept`` (with q-values) or ``format``.

RFC 9110 §12.5.1: the most specific media range that matches a type gives its quality
(``text/turtle`` over ``text/*`` over ``*/*``); quality 0 means "not acceptable". Among the
formats with the best quality, the one the client listed first wins, then our default order.
A ``format`` parameter (a short name such as ``csv`` or ``ttl``, or a media type) overrides
``Accept``, for browsers and for people typing URLs. A browser (``text/html`` named and ranked
above every answer format) is offered a page rather than an answer format: ``prefers_page``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kggraph.core.errors import NotAcceptable
from kggraph.core.formats import FORMATS, HTML, AnswerKind, Format, formats_for, lookup


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def specificity(self, media_type: str) -> int:
        """Match strength for ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``, -1 no match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


@lru_cache(maxsize=512)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """The media ranges of an ``Accept`` header; malformed parts are skipped, not fatal."""
    ranges = []
    for order, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q, order))
    return tuple(ranges)


def quality(ranges: tuple[MediaRange, ...], media_type: str) -> tuple[float, int]:
    """(quality, position of the deciding range) of ``media_type`` under ``ranges``."""
    best: tuple[int, MediaRange] | None = None
    for r in ranges:
        s = r.specificity(media_type)
        if s >= 0 and (best is None or s > best[0]):
            best = (s, r)
    if best is None:
        return 0.0, len(ranges)
    return best[1].q, best[1].order


def choose(
    accept: str | None, candidates: tuple[Format, ...], *, what: str = "this answer"
) -> Format:
    """The format of ``candidates`` the client prefers; the first one if it states nothing."""
    if not accept or not accept.strip():
        return candidates[0]
    ranges = parse_accept(accept)
    if not ranges:
        return candidates[0]
    scored = []
    for rank, fmt in enumerate(candidates):
        # (quality, -position) per media type; the canonical type wins a tie with an alias
        options = [(*quality(ranges, m), alias) for alias, m in enumerate(fmt.media_types)]
        q, order, alias = max(options, key=lambda o: (o[0], -o[1], -o[2]))
        if q > 0:
            scored.append((-q, order, alias, rank, fmt))
    if not scored:
        offered = ", ".join(f.media_type for f in candidates)
        raise NotAcceptable(f"none of the accepted types fits {what}; available: {offered}")
    return min(scored, key=lambda s: s[:4])[4]


def by_parameter(values: Sequence[str], kind: AnswerKind) -> Format:
    """The format ``format`` parameters name for an answer of ``kind``: the first that fits.

    Each value may be a short name, a media type, or a comma-separated list of them
    (SPARQLWrapper sends ``format=json-ld&format=application/ld+json,application/x-json+ld``).
    """
    wanted = [w.strip().lower() for value in values for w in value.split(",") if w.strip()]
    for name in wanted:
        fmt = lookup(name, kind)
        if fmt is not None:
            return fmt
    names = sorted({n for f in formats_for(kind) for n in f.short_names})
    shown = ", ".join(values)
    if any(w in f.short_names or w in f.media_types for w in wanted for f in FORMATS):
        raise NotAcceptable(
            f"format={shown!r} does not fit {_noun(kind)}; use one of: {', '.join(names)}"
        )
    raise NotAcceptable(f"unknown format={shown!r}; use one of: {', '.join(names)}")


def _noun(kind: AnswerKind) -> str:
    return "a results table" if kind is AnswerKind.RESULTS else "an RDF graph"


def negotiate(kind: AnswerKind, *, accept: str | None, format_param: Sequence[str] = ()) -> Format:
    """The answer format: the ``format`` parameter if given, else the ``Accept`` header."""
    if format_param:
        return by_parameter(format_param, kind)
    return choose(accept, formats_for(kind), what=_noun(kind))


def prefers_page(accept: str | None) -> bool:
    """True when ``Accept`` names ``text/html`` (or XHTML) itself and ranks it above every answer
    format, by quality and then by the order listed: a browser
    (``text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8``). ``*/*``, ``text/*``
    and a client that lists an answer format first (SPARQLWrapper, curl) get an answer format."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    named = any(r.q > 0 and f"{r.type}/{r.subtype}" in HTML.media_types for r in ranges)
    return named and choose(accept, (HTML, *FORMATS)) is HTML
