"""What the graph says about one resource: the CONSTRUCT queries behind its IRI.

A resource's *description* (what ``/id/…`` answers in Turtle, JSON-LD, N-Triples or RDF/XML)
is its own triples, the triples that point to it, and the labels and types of every neighbour,
so a client can show the description without asking again. Its *page* needs a little more, so
``page_query`` adds: the labels of the properties used (bilingual, from the ontology); the
source sections it is derived from, with their numbers and the sections above them; and, for a
place, what points to its government (a city's agreements are signed by its government, so
they are one step away from the city itself); and the editorial statements about it (or, on a
statement's or reason's own page, the statement itself), with the triple each explains, the
labels at its ends and its reason's label and explanation, so the page can mark what the
editors added.

Both queries run on the query workers like any other, so the time limit, the row limit and
the following of new releases hold for them too. The resource is bound to ``?this`` through
``QueryTask.bindings`` (as an RDF term, never pasted into the text); ``task`` makes the task.
"""

from __future__ import annotations

import pyoxigraph as ox

from kggraph.core.namespaces import KG, PROV, RDF, RDFS, SKOS
from kggraph.pages.incoming import small
from kggraph.query.executor import QueryTask

THIS = "this"
"""The variable the described resource is bound to."""

LABELS = (RDFS.label, SKOS.prefLabel)
"""The properties that name a node."""


def _iri(term: object) -> str:
    return f"<{term}>"


_NAMES = " ".join(_iri(p) for p in LABELS)

_OWN_AND_INCOMING = """\
  { ?this ?p ?o }
  UNION { ?in ?inp ?this }"""

_NEIGHBOURS = f"""\
  UNION {{
    {{ ?this ?via ?n }} UNION {{ ?n ?via ?this }}
    FILTER(isIRI(?n))
    VALUES ?np {{ {_iri(RDF.type)} {_NAMES} }}
    ?n ?np ?nv .
  }}"""

_GOVERNMENT = f"?government {_iri(KG.governmentOf)} ?this ."

_OWN_AND_FEW = f"""\
  {{ ?this ?p ?o }}
  UNION {{ {small("?in", "?inp", "?this")} }}"""
"""The page's own triples and incoming links: only those of properties that link here at most
``kggraph.pages.paging.PAGE_SIZE`` times; the others come a page at a time
(``kggraph.pages.incoming``)."""

_FEW_NEIGHBOURS = f"""\
  UNION {{
    {{ ?this ?via ?n }} UNION {{ {small("?n", "?via", "?this")} }}
    FILTER(isIRI(?n))
    VALUES ?np {{ {_iri(RDF.type)} {_NAMES} }}
    ?n ?np ?nv .
  }}"""

_NAME_LIST = ", ".join(_iri(p) for p in LABELS)

_STATEMENTS = f"""\
{{ ?statement {_iri(RDF.subject)} ?this }} UNION {{ ?statement {_iri(RDF.object)} ?this }}
    UNION {{ ?statement {_iri(KG.reason)} ?this }}
    UNION {{ ?this a {_iri(KG.EditorialStatement)} . BIND(?this AS ?statement) }}
    ?statement a {_iri(KG.EditorialStatement)} ."""
"""The editorial statements a page shows: about the resource (either end of the triple), of a
reason, or the statement itself. Each branch of ``PAGE`` that reads them starts here, and
filters its properties rather than listing them in ``VALUES``, so the query engine starts from
the resource (a council with 47 added links answered in 0.4 s, as against 0.05 s now)."""

DESCRIPTION = f"""\
CONSTRUCT {{
  ?this ?p ?o .
  ?in ?inp ?this .
  ?n ?np ?nv .
}}
WHERE {{
{_OWN_AND_INCOMING}
{_NEIGHBOURS}
}}
"""
"""Own triples, incoming triples, and the labels and types of the neighbours."""

PAGE = f"""\
CONSTRUCT {{
  ?this ?p ?o .
  ?in ?inp ?this .
  ?n ?np ?nv .
  ?prop {_iri(RDFS.label)} ?propLabel .
  ?n {_iri(KG.sectionNumber)} ?number .
  ?section ?sp ?sv .
  ?actor ?ap ?government .
  ?actor ?anp ?anv .
  ?statement ?stp ?stv .
  ?end ?ep ?ev .
  ?reason ?rp ?rv .
}}
WHERE {{
{_OWN_AND_FEW}
{_FEW_NEIGHBOURS}
  UNION {{
    {{ ?this ?prop ?x }} UNION {{ ?x ?prop ?this }}
    UNION {{ ?government {_iri(KG.governmentOf)} ?this . ?x ?prop ?government }}
    ?prop {_iri(RDFS.label)} ?propLabel .
  }}
  UNION {{
    {{ ?this ?via ?n }} UNION {{ {small("?n", "?via", "?this")} }}
    ?n {_iri(KG.sectionNumber)} ?number .
  }}
  UNION {{
    ?this {_iri(PROV.wasDerivedFrom)} ?cited .
    ?cited {_iri(KG.partOfSection)}* ?section .
    VALUES ?sp {{ {_NAMES} {_iri(KG.sectionNumber)} {_iri(KG.partOfSection)} {_iri(RDF.type)} }}
    ?section ?sp ?sv .
  }}
  UNION {{
    {_GOVERNMENT}
    {small("?actor", "?ap", "?government", within=_GOVERNMENT)}
    OPTIONAL {{
      VALUES ?anp {{ {_iri(RDF.type)} {_NAMES} }}
      ?actor ?anp ?anv .
    }}
  }}
  UNION {{
    {_STATEMENTS}
    ?statement ?stp ?stv .
    FILTER(?stp IN ({_iri(RDF.type)}, {_iri(RDF.subject)}, {_iri(RDF.predicate)},
        {_iri(RDF.object)}, {_iri(KG.reason)}))
  }}
  UNION {{
    {_STATEMENTS}
    ?statement {_iri(RDF.subject)}|{_iri(RDF.predicate)}|{_iri(RDF.object)} ?end .
    ?end ?ep ?ev .
    FILTER(?ep IN ({_NAME_LIST}))
  }}
  UNION {{
    {_STATEMENTS}
    ?statement {_iri(KG.reason)} ?reason .
    ?reason ?rp ?rv .
    FILTER(?rp IN ({_NAME_LIST}, {_iri(RDFS.comment)}))
  }}
}}
"""
"""The description, and what the page shows beside it (see the module's docstring)."""


def binding(iri: str) -> tuple[tuple[str, str], ...]:
    """``?this`` bound to ``iri`` as an N-Triples term; ``ValueError`` if it is no IRI."""
    return ((THIS, str(ox.NamedNode(iri))),)


def description_task(iri: str, format_name: str) -> QueryTask:
    """The task that describes ``iri`` in the format named ``format_name``."""
    return QueryTask(DESCRIPTION, format_name, bindings=binding(iri))


def page_task(iri: str) -> QueryTask:
    """The task that gathers what the page of ``iri`` shows, as N-Triples."""
    return QueryTask(PAGE, "n-triples", bindings=binding(iri))
