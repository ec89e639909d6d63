"""The queries behind a resource page's incoming links, a page at a time.

``COUNTS`` says how many resources link to the resource with each property, and to each
government of it (a city's agreements point to its government; the page shows them too).
The page query (``kggraph.pages.describe.PAGE``) brings every incoming link of a property used
at most ``PAGE_SIZE`` times (``SMALL``); for a property used more often, ``window_task`` asks
for one page of it: ``PAGE_SIZE`` resources, ``LIMIT``/``OFFSET`` over the order the page shows
them in (the section number, then the label in the reader's language, falling back to the other
page language, an untagged label, any label, then the IRI's last segment; ``LCASE`` standing in
for Python's ``casefold``), with their labels, types and section numbers.

Every query binds ``?this`` (and ``?target``, ``?prop``) through ``QueryTask.bindings``; the
page's ``LIMIT`` and ``OFFSET`` are whole numbers made here. Each runs on the query workers and
its answer is cached per release like any other.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kggraph.core.language import LANGUAGES
from kggraph.core.namespaces import KG, RDF, RDFS, SKOS
from kggraph.pages.paging import PAGE_SIZE, Window
from kggraph.query.executor import QueryTask

_GOVERNMENT_OF = f"<{KG.governmentOf}>"
_NAMES = f"<{RDFS.label}>|<{SKOS.prefLabel}>"
_NUMBER = f"<{KG.sectionNumber}>"
_STATED = f"<{RDF.subject}>, <{RDF.object}>"


def links_to(subject: str, prop: str, target: str) -> str:
    """The pattern of an incoming link the page counts: ``subject`` points to ``target`` (the
    resource or its government) with ``prop``, and is an IRI other than either."""
    return (
        f"{subject} {prop} {target} . "
        f"FILTER(isIRI({subject}) && {subject} != ?this && {subject} != {target})"
    )


def small(subject: str, prop: str, target: str, *, within: str = "") -> str:
    """``links_to``, kept to the properties with at most ``PAGE_SIZE`` such links to
    ``target`` (the rest come a page at a time): group patterns for ``PAGE``. ``within`` is
    what binds ``target`` when it is not ``?this`` (the sub-select sees only what it projects)."""
    keys = " ".join(dict.fromkeys(("?this", target, prop)))
    return f"""{{
      SELECT {keys} WHERE {{ {within} {links_to("?s", prop, target)} }}
      GROUP BY {keys} HAVING(COUNT(DISTINCT ?s) <= {PAGE_SIZE})
    }}
    {links_to(subject, prop, target)}"""


COUNTS = f"""\
SELECT ?this ?target ?prop (COUNT(DISTINCT ?in) AS ?n) WHERE {{
  {{ {links_to("?in", "?prop", "?this")} BIND(?this AS ?target) }}
  UNION {{ ?target {_GOVERNMENT_OF} ?this . {links_to("?in", "?prop", "?target")} }}
  FILTER(?prop NOT IN ({_STATED}))
}}
GROUP BY ?this ?target ?prop
"""
"""How many resources link to ``?this`` and to each of its governments, by property (links of
statement nodes to the ends of their triple are marks, not links, and are not counted)."""

Counts = dict[str, dict[str, int]]
"""Incoming links by target (the resource, or a government of it), then by property."""


def counts_task(iri: str) -> QueryTask:
    """The task that counts the incoming links of ``iri`` and of its governments."""
    return QueryTask(COUNTS, "sparql-json", bindings=(("this", str(ox.NamedNode(iri))),))


def read_counts(body: bytes) -> Counts:
    """The counts of a ``COUNTS`` answer (SPARQL JSON)."""
    found: Counts = defaultdict(dict)
    for row in json.loads(body)["results"]["bindings"]:
        found[row["target"]["value"]][row["prop"]["value"]] = int(row["n"]["value"])
    return dict(found)


def _label_in(variable: str, lang: str) -> str:
    return f"OPTIONAL {{ ?in {_NAMES} {variable} FILTER(LANG({variable}) = {json.dumps(lang)}) }}"


def window_query(lang: str, window: Window) -> str:
    """One page of the resources that link to ``?target`` with ``?prop``, in page order."""
    first, second = (lang, *(code for code in LANGUAGES if code != lang))
    return f"""\
CONSTRUCT {{ ?in ?prop ?target . ?in ?np ?nv . }}
WHERE {{
  {{
    SELECT ?this ?target ?prop ?in (MIN(STR(?number)) AS ?note) (MIN(STR(?a)) AS ?first)
        (MIN(STR(?b)) AS ?second) (MIN(STR(?c)) AS ?plain) (MIN(STR(?d)) AS ?other)
    WHERE {{
      {links_to("?in", "?prop", "?target")}
      OPTIONAL {{ ?in {_NUMBER} ?number FILTER(LANG(?number) = "") }}
      {_label_in("?a", first)}
      {_label_in("?b", second)}
      {_label_in("?c", "")}
      OPTIONAL {{ ?in {_NAMES} ?d }}
    }}
    GROUP BY ?this ?target ?prop ?in
    ORDER BY ?note LCASE(COALESCE(?first, ?second, ?plain, ?other,
        REPLACE(STR(?in), "^.*[/#]", ""))) STR(?in)
    LIMIT {window.size} OFFSET {window.offset}
  }}
  {{ ?in ?prop ?target }}
  UNION {{ VALUES ?np {{ <{RDF.type}> <{RDFS.label}> <{SKOS.prefLabel}> {_NUMBER} }} ?in ?np ?nv }}
}}
"""


def window_task(this: str, target: str, prop: str, lang: str, window: Window) -> QueryTask:
    """The task for one page of ``prop``'s links to ``target`` (``this``, or its government),
    as N-Triples: the links and the labels, types and section numbers of their subjects."""
    terms = (("this", this), ("target", target), ("prop", prop))
    return QueryTask(
        window_query(lang, window),
        "n-triples",
        bindings=tuple((name, str(ox.NamedNode(iri))) for name, iri in terms),
    )


def big(counts: Counts, target: str) -> Iterable[tuple[str, int]]:
    """The properties linking to ``target`` more than ``PAGE_SIZE`` times, and how often."""
    return ((p, n) for p, n in sorted(counts.get(target, {}).items()) if n > PAGE_SIZE)
