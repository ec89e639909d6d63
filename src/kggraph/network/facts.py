"""The facts the organisation network is made of, read from the graph itself with SPARQL.

Nothing here restates the data: which classes are agents (subclasses of ``prov:Agent``), which
properties tie an agent to an activity (``kg:party``, ``kg:member``, ``kg:organization``,
``kg:funder``, ``kg:organizer`` and every sub-property of ``kg:participant``) and which classes
are activities (``kg:Agreement``, ``kg:Project``, ``kg:Programme``, ``kg:Membership``) are
asked of the ontology in the same store, so a new sub-class or sub-property in ``ontology/``
joins the network without a code change. ``kggraph.network.graph`` turns these facts into a network.

Years are calendar years read from the ISO values; a fiscal year counts as the calendar year
it starts in (FY2016 = 2016), and a duration of *n* years runs from the start year to
start + *n* - 1. Labels follow ``kggraph.core.language.term_label`` in each language.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.errors import QueryError
from kggraph.core.language import local_name, page_labels, term_label
from kggraph.core.namespaces import KG, sparql_prologue
from kggraph.graph.store import GraphStore

KINDS = ("agreement", "project", "programme", "membership")
"""Kinds of activity, and so of edge: ``kg:Agreement``, ``kg:Project``, ``kg:Programme``,
``kg:Membership`` and their sub-classes (a water-business contract is a project)."""

_YEAR = re.compile(r"^(\d{4})")
_DURATION_YEARS = re.compile(r"^P(\d+)Y")
_STARTS = {str(KG.startDate), str(KG.startFiscalYear)}
_ENDS = {str(KG.endDate)}
_POINTS = {str(KG.date), str(KG.fiscalYear)}

_AGENTS = """
SELECT DISTINCT ?agent ?class ?classLabel ?label ?labelJa ?parent ?founded WHERE {
  ?agent a ?class . ?class rdfs:subClassOf* prov:Agent .
  FILTER(isIRI(?agent))
  FILTER NOT EXISTS { ?agent a ?narrower . ?narrower rdfs:subClassOf+ ?class .
                      FILTER(?narrower != ?class) }
  OPTIONAL { ?class rdfs:label ?classLabel . FILTER(LANG(?classLabel) = "en") }
  OPTIONAL { ?agent rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?agent rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }
  OPTIONAL { ?agent kg:unitOf ?parent }
  OPTIONAL { ?agent kg:foundingDate ?founded }
}"""

_ALT_LABELS = """
SELECT DISTINCT ?agent ?alt WHERE { ?agent a/rdfs:subClassOf* prov:Agent ; skos:altLabel ?alt }"""

_AGENT_COUNTRIES = """
SELECT DISTINCT ?agent ?country WHERE {
  ?agent a/rdfs:subClassOf* prov:Agent ;
         (kg:basedIn|kg:governmentOf)/kg:containedInPlace* ?country .
  ?country a kg:Country .
}"""

_ROLES = """
SELECT DISTINCT ?activity ?kind ?role ?agent WHERE {
  VALUES (?base ?kind) { (kg:Agreement "agreement") (kg:Project "project")
                         (kg:Programme "programme") (kg:Membership "membership") }
  VALUES ?roleBase { kg:party kg:participant kg:funder kg:organizer kg:member kg:organization }
  ?role rdfs:subPropertyOf* ?roleBase .
  ?activity a/rdfs:subClassOf* ?base ; ?role ?agent .
  ?agent a/rdfs:subClassOf* prov:Agent .
}"""

_BARE_MEMBERSHIPS = """
SELECT DISTINCT ?member ?organization WHERE {
  ?member kg:memberOf ?organization .
  FILTER NOT EXISTS { ?m a kg:Membership ; kg:member ?member ; kg:organization ?organization }
}"""

_ACTIVITIES = """
SELECT DISTINCT ?activity ?classLabel ?typeLabel ?label ?labelJa WHERE {
  VALUES ?base { kg:Agreement kg:Project kg:Programme kg:Membership }
  ?activity a ?class . ?class rdfs:subClassOf* ?base .
  FILTER NOT EXISTS { ?activity a ?narrower . ?narrower rdfs:subClassOf+ ?class .
                      FILTER(?narrower != ?class) }
  OPTIONAL { ?class rdfs:label ?classLabel . FILTER(LANG(?classLabel) = "en") }
  OPTIONAL { ?activity kg:agreementType/skos:prefLabel ?typeLabel .
             FILTER(LANG(?typeLabel) = "en") }
  OPTIONAL { ?activity rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?activity rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }
}"""

_DATES = """
SELECT DISTINCT ?activity ?prop ?value WHERE {
  { VALUES ?prop { kg:date kg:startDate kg:endDate kg:duration } ?activity ?prop ?value }
  UNION
  { VALUES ?prop { kg:fiscalYear kg:startFiscalYear }
    ?activity ?prop ?fiscalYear . ?fiscalYear kg:startDate ?value }
}"""

_SECTORS = "SELECT DISTINCT ?activity ?sector WHERE { ?activity kg:sector ?sector }"

_LOCATIONS = """
SELECT DISTINCT ?activity ?country WHERE {
  ?activity kg:location ?place .
  OPTIONAL { ?place kg:containedInPlace* ?country . ?country a kg:Country }
}"""

_TERMS = """
SELECT DISTINCT ?term ?class ?label ?labelJa ?broader WHERE {
  VALUES ?class { kg:Country kg:Sector }
  ?term a ?class .
  OPTIONAL { ?term rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?term rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }
  OPTIONAL { ?term skos:broader ?broader }
}"""

QUERIES: Mapping[str, str] = {
    "terms": _TERMS,
    "agents": _AGENTS,
    "alt_labels": _ALT_LABELS,
    "agent_countries": _AGENT_COUNTRIES,
    "roles": _ROLES,
    "activities": _ACTIVITIES,
    "dates": _DATES,
    "sectors": _SECTORS,
    "locations": _LOCATIONS,
    "bare_memberships": _BARE_MEMBERSHIPS,
}
"""Every SELECT the facts are read from, by name. ``load_facts`` runs them on a store in this
process (the CLI); a server, which keeps the graph in its query workers only, sends them there
(``gather_facts``). Both hand the rows to ``facts_from_rows``, so the two cannot drift apart."""

Row = dict[str, str]
"""One solution: variable name → lexical value of the IRI or literal bound to it."""


@dataclass(frozen=True)
class Agent:
    """A node: an organisation, government, company or other ``prov:Agent`` of the graph."""

    iri: str
    label: str
    label_ja: str
    kind: str
    """English label of its most specific class, e.g. "Municipal government"."""
    kind_iri: str
    countries: tuple[str, ...]
    """Countries it is based in (``kg:basedIn`` or ``kg:governmentOf``, up the place
    hierarchy); a unit without a place of its own takes its parent's."""
    parent: str | None
    """The organisation it is a unit of (``kg:unitOf``)."""
    founded: int | None
    alt_labels: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name an analyst may type for it: labels in both languages and alt labels."""
        return (self.label, self.label_ja, *self.alt_labels)


@dataclass(frozen=True)
class Role:
    """One agent's part in an activity: ``party``, ``implementer``, ``funder``, ``member``…"""

    agent: str
    role: str


@dataclass(frozen=True)
class Activity:
    """An agreement, project, programme or membership, with the agents that share it."""

    iri: str
    label: str
    label_ja: str
    kind: str
    type_label: str
    """The agreement type or most specific class, e.g. "Sister city agreement"."""
    roles: tuple[Role, ...]
    first_year: int | None
    last_year: int | None
    """The latest year the data gives (a start, an end, a date or start + duration)."""
    open_ended: bool
    """It has a start but neither an end nor a duration: "since 2004", still running."""
    sectors: tuple[str, ...]
    countries: tuple[str, ...]
    """Where it takes place (``kg:location`` up to a country); for an activity with no
    location at all (agreements, memberships, most programmes), where its agents are based."""

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(sorted({r.agent for r in self.roles}))

    def roles_of(self, agent: str) -> tuple[str, ...]:
        return tuple(sorted(r.role for r in self.roles if r.agent == agent))


@dataclass(frozen=True)
class Term:
    """A country or a sector concept, with its labels and broader concepts."""

    iri: str
    label: str
    label_ja: str
    broader: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Everything the network is built from, read once from a store."""

    agents: Mapping[str, Agent]
    activities: tuple[Activity, ...]
    countries: Mapping[str, Term]
    sectors: Mapping[str, Term]


def load_facts(store: GraphStore) -> Facts:
    """Read agents, activities, countries and sectors from ``store`` (a handful of queries)."""
    return facts_from_rows({name: _select(store, query_text(name)) for name in QUERIES})


async def gather_facts(select: Callable[[str], Awaitable[list[Row]]]) -> Facts:
    """The same facts through an asynchronous executor: ``select`` runs one query (its full
    text, prologue included) and returns its rows. The queries run concurrently, so a pool of
    query workers answers them side by side."""
    names = list(QUERIES)
    answers = await asyncio.gather(*(select(query_text(name)) for name in names))
    return facts_from_rows(dict(zip(names, answers, strict=True)))


def facts_from_rows(rows: Mapping[str, Sequence[Row]]) -> Facts:
    """The facts from the rows of every query of ``QUERIES`` (by name), in any row order."""
    terms = _terms(rows["terms"])
    agents = _agents(rows)
    activities = _activities(rows, agents) + _bare_memberships(rows["bare_memberships"], agents)
    return Facts(
        agents=agents,
        activities=activities,
        countries={k: v for k, (cls, v) in terms.items() if cls == str(KG.Country)},
        sectors={k: v for k, (cls, v) in terms.items() if cls == str(KG.Sector)},
    )


def query_text(name: str) -> str:
    """The full text of the query ``name`` of ``QUERIES``, with the project prefixes."""
    return sparql_prologue() + QUERIES[name]


def rows_from_sparql_json(body: bytes) -> list[Row]:
    """The rows of a SPARQL 1.1 JSON SELECT answer, as ``load_facts`` reads them from a store:
    IRIs and literals by their lexical value, blank nodes left out."""
    document = json.loads(body)
    names = document["head"]["vars"]
    return [
        {name: term["value"] for name in names if (term := binding.get(name)) and _kept(term)}
        for binding in document["results"]["bindings"]
    ]


def _kept(term: Mapping[str, object]) -> bool:
    return term.get("type") in ("uri", "literal", "typed-literal")


def _select(store: GraphStore, text: str) -> list[Row]:
    """Run a SELECT on ``store``; each row maps variable → lexical value."""
    answer = store.query(text)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("the network queries must be SELECT queries")
    names = [v.value for v in answer.variables]
    rows = []
    for solution in answer:
        row = {}
        for name in names:
            term = solution[name]
            if isinstance(term, ox.NamedNode | ox.Literal):
                row[name] = term.value
        rows.append(row)
    return rows


def _year(value: str) -> int | None:
    match = _YEAR.match(value)
    return int(match.group(1)) if match else None


def _grouped(rows: Iterable[dict[str, str]], key: str, value: str) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if key in row and value in row:
            groups[row[key]].add(row[value])
    return groups


def _terms(rows: Sequence[Row]) -> dict[str, tuple[str, Term]]:
    broader = _grouped(rows, "term", "broader")
    terms: dict[str, tuple[str, Term]] = {}
    for row in sorted(rows, key=lambda r: sorted(r.items())):
        iri = row["term"]
        term = Term(iri, *labels_of(row, iri), tuple(sorted(broader.get(iri, ()))))
        terms.setdefault(iri, (row["class"], term))
    return terms


def _agents(found: Mapping[str, Sequence[Row]]) -> dict[str, Agent]:
    alt = _grouped(found["alt_labels"], "agent", "alt")
    own = _grouped(found["agent_countries"], "agent", "country")
    rows = sorted(found["agents"], key=lambda r: sorted(r.items()))
    parents = {r["agent"]: r["parent"] for r in rows if "parent" in r}
    agents: dict[str, Agent] = {}
    for row in rows:
        iri = row["agent"]
        if iri in agents:
            continue
        label, label_ja = labels_of(row, iri)
        founded = row.get("founded")
        agents[iri] = Agent(
            iri=iri,
            label=label,
            label_ja=label_ja,
            kind=_class_label(row),
            kind_iri=row["class"],
            countries=_countries_of(iri, own, parents),
            parent=parents.get(iri),
            founded=_year(founded) if founded else None,
            alt_labels=tuple(sorted(alt.get(iri, ()))),
        )
    return dict(sorted(agents.items()))


def _countries_of(
    iri: str, own: Mapping[str, set[str]], parents: Mapping[str, str]
) -> tuple[str, ...]:
    """Its own countries, else the nearest parent organisation's (cycles stop the walk)."""
    seen: set[str] = set()
    current: str | None = iri
    while current is not None and current not in seen:
        if own.get(current):
            return tuple(sorted(own[current]))
        seen.add(current)
        current = parents.get(current)
    return ()


def _activities(
    found: Mapping[str, Sequence[Row]], agents: Mapping[str, Agent]
) -> tuple[Activity, ...]:
    roles: dict[str, set[Role]] = defaultdict(set)
    kinds: dict[str, str] = {}
    for row in found["roles"]:
        roles[row["activity"]].add(Role(row["agent"], local_name(row["role"])))
        kinds[row["activity"]] = row["kind"]
    info = {r["activity"]: r for r in sorted(found["activities"], key=str)}
    dates: dict[str, list[Row]] = defaultdict(list)
    for date in found["dates"]:
        dates[date["activity"]].append(date)
    sectors = _grouped(found["sectors"], "activity", "sector")
    locations = found["locations"]
    places = _grouped(locations, "activity", "country")
    located = {r["activity"] for r in locations}
    activities = []
    for iri in sorted(roles):
        row = info.get(iri, {})
        first, last, open_ended = _period(dates.get(iri, []))
        own_roles = tuple(sorted(roles[iri], key=lambda r: (r.agent, r.role)))
        countries = (
            places.get(iri, set()) if iri in located else _agent_countries(own_roles, agents)
        )
        label, label_ja = labels_of(row, iri)
        activities.append(
            Activity(
                iri=iri,
                label=label,
                label_ja=label_ja,
                kind=kinds[iri],
                type_label=row.get("typeLabel") or row.get("classLabel", kinds[iri]),
                roles=own_roles,
                first_year=first,
                last_year=last,
                open_ended=open_ended,
                sectors=tuple(sorted(sectors.get(iri, ()))),
                countries=tuple(sorted(countries)),
            )
        )
    return tuple(activities)


def _agent_countries(roles: Iterable[Role], agents: Mapping[str, Agent]) -> set[str]:
    return {c for r in roles if r.agent in agents for c in agents[r.agent].countries}


def _period(dates: list[Row]) -> tuple[int | None, int | None, bool]:
    """First year, last year and whether it is open-ended, from its dated statements."""
    years = {kind: set[int]() for kind in ("point", "start", "end")}
    duration = None
    for row in dates:
        prop, value = row["prop"], row["value"]
        if prop == str(KG.duration):
            match = _DURATION_YEARS.match(value)
            duration = int(match.group(1)) if match else duration
            continue
        year = _year(value)
        kind = "start" if prop in _STARTS else "end" if prop in _ENDS else "point"
        if year is not None and (prop in _STARTS | _ENDS | _POINTS):
            years[kind].add(year)
    every = years["point"] | years["start"] | years["end"]
    if not every:
        return None, None, False
    if duration and years["start"]:
        every.add(max(years["start"]) + duration - 1)
    open_ended = bool(years["start"]) and not years["end"] and duration is None
    return min(every), max(every), open_ended


def _bare_memberships(rows: Sequence[Row], agents: Mapping[str, Agent]) -> tuple[Activity, ...]:
    """Memberships stated only as ``kg:memberOf``: the organisation stands as the evidence."""
    found = []
    for row in sorted(rows, key=lambda r: sorted(r.items())):
        member, org = row["member"], row["organization"]
        if member not in agents or org not in agents:
            continue
        roles = (Role(member, "memberOf"), Role(org, "organization"))
        found.append(
            Activity(
                iri=org,
                label=f"member of {agents[org].label}",
                label_ja=f"{agents[org].label_ja}(加盟先)",
                kind="membership",
                type_label="Membership (kg:memberOf only)",
                roles=roles,
                first_year=None,
                last_year=None,
                open_ended=False,
                sectors=(),
                countries=tuple(sorted(_agent_countries(roles, agents))),
            )
        )
    return tuple(found)


def labels_of(row: Row, iri: str) -> tuple[str, str]:
    """The English and Japanese labels of ``iri`` from a row's ``label`` (``@en``) and
    ``labelJa`` (``@ja``), each with the fallback of ``kggraph.core.language``."""
    texts = {lang: [row[key]] for lang, key in (("en", "label"), ("ja", "labelJa")) if key in row}
    return page_labels(texts, iri)


def _class_label(row: Row) -> str:
    """The English label of an agent's class (``classLabel``), by the same rule."""
    texts = {"en": [row["classLabel"]]} if "classLabel" in row else {}
    return term_label(texts, "en", row["class"]).value
