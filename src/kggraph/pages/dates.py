"""The dates of a resource page: each ISO value with the source's own wording, or the era form
written out (``kggraph.core.era_text``), and the editors' EDTF reading where they made one."""

from __future__ import annotations

import pyoxigraph as ox

from kggraph.core.era_text import era_text, fiscal_year_text
from kggraph.core.namespaces import DATED_PAIRS, EDTF_PAIRS, FISCAL_PAIRS
from kggraph.pages.indexed import Graph, Labeller
from kggraph.pages.marks import Added, Key, reading
from kggraph.pages.parts import DateRow

_EDTF = {str(iso): str(edtf) for iso, edtf in EDTF_PAIRS}


def date_rows(
    graph: Graph, names: Labeller, iri: str, marks: dict[Key, Added]
) -> tuple[DateRow, ...]:
    rows: list[DateRow] = []
    for iso_prop, text_prop in DATED_PAIRS:
        wording = [t.value for t in graph.objects(iri, str(text_prop)) if isinstance(t, ox.Literal)]
        edtf_prop = _EDTF[str(iso_prop)]
        readings = [t for t in graph.objects(iri, edtf_prop) if isinstance(t, ox.Literal)]
        for term in graph.objects(iri, str(iso_prop)):
            iso = term.value if isinstance(term, ox.Literal) else str(term)
            era = min(wording) if wording else era_text(iso)
            edtf = min(readings, key=lambda t: t.value) if readings else None
            added = marks.get((iri, str(iso_prop), term)) or (
                marks.get((iri, edtf_prop, edtf)) if edtf is not None else None
            )
            shown = reading(edtf.value) if edtf is not None else None
            rows.append(
                DateRow(names.link(str(iso_prop)), iso, era, bool(wording), None, shown, added)
            )
    for fy_prop, text_prop in FISCAL_PAIRS:
        wording = [t.value for t in graph.objects(iri, str(text_prop)) if isinstance(t, ox.Literal)]
        for year in graph.iris(iri, str(fy_prop)):
            iso = year.rsplit("/", 1)[-1]
            era = min(wording) if wording else _fiscal_era(iso)
            rows.append(
                DateRow(names.link(str(fy_prop)), iso, era, bool(wording), names.link(year))
            )
    return tuple(rows)


def _fiscal_era(year: str) -> str | None:
    return fiscal_year_text(int(year)) if year.isdigit() else None
