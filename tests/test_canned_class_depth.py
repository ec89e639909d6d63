"""The canned queries' spelled-out class hierarchy holds for the ontology (issue 16).

Several canned queries say "an instance of kg:Project or of any of its subclasses" as
``(a|a/rdfs:subClassOf|a/rdfs:subClassOf/rdfs:subClassOf) kg:Project`` rather than
``a/rdfs:subClassOf* kg:Project``, and "a narrower class" as one or two ``rdfs:subClassOf`` steps
rather than ``rdfs:subClassOf+``: Virtuoso 7.2 loses rows where a transitive path over
``rdfs:subClassOf`` meets other patterns (tests/test_store_contract.py). The two forms are the
same only while no class of the ontology lies more than ``STEPS`` steps below another of its
classes; this test fails as soon as one does, so the queries are widened with the ontology.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.namespaces import KG

ROOT = Path(__file__).resolve().parents[1]
STEPS = 2
"""How many ``rdfs:subClassOf`` steps the canned queries spell out."""
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
SPELLED = re.compile(r"\(a\|a/rdfs:subClassOf\|a/rdfs:subClassOf/rdfs:subClassOf\)")
NARROWER = re.compile(r"\(rdfs:subClassOf\|rdfs:subClassOf/rdfs:subClassOf\)")


def ontology() -> ox.Store:
    store = ox.Store()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        store.load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def longest_chain(store: ox.Store) -> int:
    """The most ``rdfs:subClassOf`` steps from one kggraph class down to another."""
    query = f"""SELECT (MAX(?steps) AS ?most) WHERE {{
      {{ SELECT ?narrow ?broad (COUNT(?middle) AS ?steps) WHERE {{
        ?narrow {SUBCLASS}* ?middle . ?middle {SUBCLASS}+ ?broad .
        FILTER(STRSTARTS(STR(?narrow), "{KG}") && STRSTARTS(STR(?broad), "{KG}"))
      }} GROUP BY ?narrow ?broad }}
    }}"""
    found = store.query(query)
    assert isinstance(found, ox.QuerySolutions)
    most = next(iter(found))["most"]
    assert isinstance(most, ox.Literal)
    return int(most.value)


def test_no_class_is_deeper_than_the_queries_spell_out() -> None:
    store = ontology()
    steps = longest_chain(store)
    assert steps >= 2, "the ontology has subclasses of subclasses (kg:MunicipalGovernment)"
    assert steps <= STEPS, (
        f"a class lies {steps} rdfs:subClassOf steps below another: widen the spelled-out paths "
        f"of queries/*.rq to {steps} steps (and STEPS here)"
    )


def test_the_queries_spell_out_the_same_number_of_steps() -> None:
    """Every spelled-out hierarchy in queries/ has STEPS steps, and the queries use it."""
    texts = {p.stem: p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))}
    users = {name for name, text in texts.items() if SPELLED.search(text) or NARROWER.search(text)}
    assert {"organisations-by-type", "projects-per-country", "events-in-place"} <= users
    for name in users:
        longer = "rdfs:subClassOf/" * STEPS + "rdfs:subClassOf"
        assert longer not in texts[name], name
