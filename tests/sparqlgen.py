"""Hypothesis strategies that write SPARQL queries over a graph's own vocabulary.

A small grammar of SPARQL 1.1, enough to reach the parts of an engine and of its serialisers
that real queries reach: basic graph patterns over the predicates and classes the release uses,
``OPTIONAL``, ``UNION``, ``VALUES``, ``FILTER`` (comparisons, ``regex`` on labels, ``lang``,
``BOUND``, term tests), ``SELECT`` (``DISTINCT``, ``*``, ``GROUP BY`` with ``COUNT``, ``ORDER
BY``, ``LIMIT``/``OFFSET``), ``ASK`` and ``CONSTRUCT`` (with a blank node in the template).

Every pattern is connected (each triple pattern shares a variable that an earlier one binds in
every solution), so answers stay as big as the graph rather than its square; joins mostly follow
predicates the joined nodes have in the graph, so most answers are not empty. ``LIMIT`` and
``OFFSET`` come only after an ``ORDER BY`` over every projected variable, so which rows they
keep is fixed by the query and not by the engine's order of evaluation. Strategies shrink
toward the most used predicate and class and toward the shortest query, so a failing example
shrinks to a small one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from hypothesis import strategies as st

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = (XSD + "integer", XSD + "decimal")
EXTRA = "https://example.org/differential#"
"""A namespace the graph does not use, for CONSTRUCT templates."""
Draw = Callable[[st.SearchStrategy[object]], object]


Context = tuple[str, str]
"""Where a variable's nodes come from: ``("a", class)``, ``("s", p)`` (subjects of ``p``) or
``("o", p)`` (objects of ``p``). Joins mostly follow predicates such nodes have in the graph, so
most answers are not empty."""
CONTEXT_QUERIES = {
    "outgoing": (
        "SELECT ?k ?x { ?n a ?k . ?n ?x ?y }",
        "SELECT ?k ?x { ?n ?k ?w . ?n ?x ?y FILTER isIRI(?n) }",
        "SELECT ?k ?x { ?w ?k ?n . ?n ?x ?y FILTER isIRI(?n) }",
    ),
    "incoming": (
        "SELECT ?k ?x { ?n a ?k . ?y ?x ?n }",
        "SELECT ?k ?x { ?n ?k ?w . ?y ?x ?n FILTER isIRI(?n) }",
        "SELECT ?k ?x { ?w ?k ?n . ?y ?x ?n FILTER isIRI(?n) }",
    ),
    "members": (
        "SELECT ?k ?x { ?x a ?k FILTER isIRI(?x) }",
        "SELECT ?k ?x { ?x ?k ?w FILTER isIRI(?x) }",
        "SELECT ?k ?x { ?w ?k ?x FILTER isIRI(?x) }",
    ),
}
"""For each kind of context (class, subject of, object of): the predicates its nodes have as
subjects, the predicates that point at them, and the nodes themselves."""
BY_USE = " GROUP BY ?k ?x ORDER BY ?k DESC(COUNT(*)) ?x"
MEMBERS_KEPT = 12
FAVOURITES = 40
"""How many of the most used words (and predicates, for a first pattern) are drawn from most of
the time."""


@dataclass(frozen=True, repr=False)
class Vocabulary:
    """What the graph uses, most used first: what the queries are written over."""

    predicates: tuple[str, ...]
    literal_predicates: frozenset[str]
    """Predicates whose objects are all literals (the rest join to nodes)."""
    classes: tuple[str, ...]
    outgoing: dict[Context, tuple[str, ...]]
    incoming: dict[Context, tuple[str, ...]]
    members: dict[Context, tuple[str, ...]]
    words: tuple[str, ...]
    """Words of labels, escaped for a regex (for ``regex(?label, …)``)."""
    numbers: tuple[str, ...]
    """Numeric literals of the graph, as SPARQL terms (``30``, ``1.5``)."""

    @classmethod
    def of(cls, store: ox.Store) -> Vocabulary:
        by_use = "GROUP BY ?x ORDER BY DESC(COUNT(*)) ?x"
        found = {name: _contexts(store, queries) for name, queries in CONTEXT_QUERIES.items()}
        labels = _column(store, f"SELECT ?x {{ ?s <{LABEL}> ?x }}")
        return cls(
            predicates=_column(store, f"SELECT ?x {{ ?s ?x ?o }} {by_use}"),
            literal_predicates=frozenset(
                _column(store, "SELECT ?x { ?s ?x ?o } GROUP BY ?x HAVING(MIN(isLiteral(?o)))")
            ),
            classes=_column(store, f"SELECT ?x {{ ?s a ?x }} {by_use}"),
            outgoing=found["outgoing"],
            incoming=found["incoming"],
            members={k: v[:MEMBERS_KEPT] for k, v in found["members"].items()},
            words=_words(labels),
            numbers=_column(
                store,
                "SELECT DISTINCT ?x { ?s ?p ?o FILTER(datatype(?o) IN "
                f"(<{NUMERIC[0]}>, <{NUMERIC[1]}>)) BIND(str(?o) AS ?x) }} ORDER BY ?x",
            ),
        )

    def nodes(self, context: Context) -> tuple[str, ...]:
        return self.members.get(context, ())

    def __repr__(self) -> str:
        """Short: Hypothesis writes the test's arguments into its report, and a repr of
        hundreds of kilobytes makes it warn (an error under ``filterwarnings = error``, which
        Hypothesis then reports as flaky data generation)."""
        return f"Vocabulary({len(self.predicates)} predicates, {len(self.classes)} classes)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """What Hypothesis's printer uses (it would otherwise print a dataclass field by field)."""
        printer.text(repr(self))


def _column(store: ox.Store, query: str) -> tuple[str, ...]:
    found = store.query(query)
    assert isinstance(found, ox.QuerySolutions)
    return tuple(str(row[0].value) for row in found)


def _contexts(store: ox.Store, queries: tuple[str, ...]) -> dict[Context, tuple[str, ...]]:
    """``{(kind, key): values}`` from one query per kind, each answering ``?k ?x``."""
    found: dict[Context, list[str]] = {}
    for kind, query in zip(("a", "s", "o"), queries, strict=True):
        solutions = store.query(query + BY_USE)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            found.setdefault((kind, str(row[0].value)), []).append(str(row[1].value))
    return {key: tuple(values) for key, values in found.items()}


def _words(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Words of three letters or more, regex-escaped, the most used first."""
    counted: Counter[str] = Counter()
    for label in labels:
        counted.update(re.escape(word) for word in re.findall(r"\w{3,}", label))
    return tuple(word for word, _ in counted.most_common())


@dataclass
class Pattern:
    """A group graph pattern being written: its parts, and what each variable may hold."""

    parts: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    """Variables that join on to other patterns (bound to IRIs, mostly)."""
    literals: list[str] = field(default_factory=list)
    """Variables bound to literals."""
    optional: list[str] = field(default_factory=list)
    """Variables that may be unbound (from OPTIONAL)."""
    filters: list[str] = field(default_factory=list)
    contexts: dict[str, Context] = field(default_factory=dict)

    @property
    def variables(self) -> list[str]:
        return self.nodes + self.literals

    @property
    def joinable(self) -> list[str]:
        """Nodes bound in every solution: a pattern joined on one of them stays connected
        (joined on an OPTIONAL one, it would make a cross product where that is unbound)."""
        return [v for v in self.nodes if v not in self.optional]

    def fresh(self) -> str:
        return f"?v{len(self.variables)}"

    def text(self) -> str:
        body = [*self.parts, *(f"FILTER({f})" for f in self.filters)]
        return "{ " + " ".join(body) + " }"


def iri(value: str) -> str:
    return f"<{value}>"


@st.composite
def patterns(draw: Draw, vocab: Vocabulary) -> Pattern:
    """A connected group pattern: a first triple pattern, then up to four more parts, then up
    to two FILTERs over the variables it binds."""
    pattern = Pattern()
    _start(draw, vocab, pattern)
    steps = (_join, _join, _optional, _union, _values)
    for _ in range(draw(st.integers(0, 4))):
        draw(st.sampled_from(steps))(draw, vocab, pattern)
    for _ in range(draw(st.integers(0, 2))):
        pattern.filters.append(draw(filters(vocab, pattern)))
    return pattern


def _start(draw: Draw, vocab: Vocabulary, pattern: Pattern) -> None:
    subject = pattern.fresh()
    pattern.nodes.append(subject)
    if draw(st.booleans()):
        chosen = draw(st.sampled_from(vocab.classes))
        pattern.contexts[subject] = ("a", chosen)
        pattern.parts.append(f"{subject} a {iri(chosen)} .")
    else:
        _join(draw, vocab, pattern)


def _likely(draw: Draw, fitting: tuple[str, ...], everything: tuple[str, ...]) -> str:
    """Mostly one of ``fitting`` (what the graph has there), sometimes any of ``everything``
    (which often makes an empty answer, worth comparing too)."""
    if fitting and draw(st.integers(0, 4)) < 4:
        return str(draw(st.sampled_from(fitting)))
    return str(draw(st.sampled_from(everything)))


def _join(draw: Draw, vocab: Vocabulary, pattern: Pattern) -> None:
    """``?known <p> ?new`` or ``?new <p> ?known``: a triple pattern sharing a variable."""
    known = draw(st.sampled_from(pattern.joinable))
    context = pattern.contexts.get(known)
    new = pattern.fresh()
    outwards = draw(st.booleans())
    table = vocab.outgoing if outwards else vocab.incoming
    fitting = table.get(context, ()) if context else vocab.predicates[:FAVOURITES]
    predicate = _likely(draw, fitting, vocab.predicates)
    if outwards and predicate in vocab.literal_predicates:
        pattern.literals.append(new)
    else:
        pattern.nodes.append(new)
        pattern.contexts[new] = ("o" if outwards else "s", predicate)
    triple = (known, iri(predicate), new) if outwards else (new, iri(predicate), known)
    pattern.parts.append(" ".join(triple) + " .")


def _optional(draw: Draw, vocab: Vocabulary, pattern: Pattern) -> None:
    before, new = len(pattern.parts), pattern.fresh()
    _join(draw, vocab, pattern)
    joined = pattern.parts.pop(before)
    pattern.optional.append(new)
    pattern.parts.append(f"OPTIONAL {{ {joined} }}")


def _union(draw: Draw, vocab: Vocabulary, pattern: Pattern) -> None:
    """``{ ?known <p1> ?new } UNION { ?known <p2> ?new }``: the same variables either way."""
    known = draw(st.sampled_from(pattern.joinable))
    context = pattern.contexts.get(known)
    fitting = vocab.outgoing.get(context, ()) if context else ()
    first, second = (_likely(draw, fitting, vocab.predicates) for _ in range(2))
    new = pattern.fresh()
    if {first, second} <= vocab.literal_predicates:
        pattern.literals.append(new)
    else:
        pattern.nodes.append(new)
    pattern.parts.append(
        f"{{ {known} {iri(first)} {new} }} UNION {{ {known} {iri(second)} {new} }}"
    )


def _values(draw: Draw, vocab: Vocabulary, pattern: Pattern) -> None:
    known = draw(st.sampled_from(pattern.nodes))
    context = pattern.contexts.get(known)
    members = vocab.nodes(context) if context else ()
    everything = vocab.nodes(("a", vocab.classes[0]))
    chosen = [_likely(draw, members, everything) for _ in range(draw(st.integers(1, 4)))]
    pattern.parts.append(f"VALUES {known} {{ {' '.join(iri(n) for n in chosen)} }}")


def filters(vocab: Vocabulary, pattern: Pattern) -> st.SearchStrategy[str]:
    """A FILTER expression over the pattern's variables (one test, or two joined)."""
    one = _tests(vocab, pattern)
    joined = st.tuples(one, st.sampled_from(("&&", "||")), one).map(lambda t: f"({' '.join(t)})")
    return st.one_of(one, joined)


def _tests(vocab: Vocabulary, pattern: Pattern) -> st.SearchStrategy[str]:
    nodes = st.sampled_from(pattern.nodes)
    options = [
        st.builds(lambda v, n: f"{v} = {iri(n)}", nodes, st.sampled_from(_near(vocab, pattern))),
        st.builds(lambda v: f'STRSTARTS(STR({v}), "https://w3id.org/kggraph/id/")', nodes),
        st.builds(lambda v: f"isIRI({v})", st.sampled_from(pattern.variables)),
    ]
    if pattern.literals:
        literals = st.sampled_from(pattern.literals)
        words = st.one_of(st.sampled_from(vocab.words[:FAVOURITES]), st.sampled_from(vocab.words))
        options += [
            st.builds(
                lambda v, w, flags: f'regex(STR({v}), "{w}"{flags})',
                literals,
                words,
                st.sampled_from(("", ', "i"')),
            ),
            st.builds(
                lambda v, lang: f'lang({v}) = "{lang}"', literals, st.sampled_from(("en", "ja", ""))
            ),
            st.builds(
                lambda v, op, n: f"{v} {op} {n}",
                literals,
                st.sampled_from(("<", "<=", "=", "!=", ">", ">=")),
                st.sampled_from(vocab.numbers),
            ),
        ]
    if pattern.optional:
        options.append(
            st.builds(
                lambda neg, v: f"{neg}BOUND({v})",
                st.sampled_from(("", "!")),
                st.sampled_from(pattern.optional),
            )
        )
    return st.one_of(*options)


def _near(vocab: Vocabulary, pattern: Pattern) -> tuple[str, ...]:
    """Nodes the pattern's variables may well hold, else the members of the commonest class."""
    found = [n for c in pattern.contexts.values() for n in vocab.nodes(c)]
    return tuple(dict.fromkeys(found)) or vocab.nodes(("a", vocab.classes[0]))


@dataclass(frozen=True)
class Query:
    """A generated query, with what the comparison needs to know about it."""

    text: str
    form: str
    """``SELECT``, ``ASK`` or ``CONSTRUCT``."""
    order: tuple[str, ...] = ()
    """The projected variables (names without ``?``) the answer is ordered by, if any."""

    def __str__(self) -> str:
        return self.text


def queries(vocab: Vocabulary) -> st.SearchStrategy[Query]:
    """SELECT (plain or grouped), ASK and CONSTRUCT queries over ``vocab``."""
    return st.one_of(selects(vocab), grouped_selects(vocab), asks(vocab), constructs(vocab))


@st.composite
def selects(draw: Draw, vocab: Vocabulary) -> Query:
    pattern = draw(patterns(vocab))
    everything = draw(st.booleans())
    chosen = pattern.variables if everything else draw(_some(pattern.variables))
    distinct = "DISTINCT " if draw(st.booleans()) else ""
    head = f"SELECT {distinct}{'*' if everything else ' '.join(chosen)}"
    order = draw(_some(chosen)) if draw(st.booleans()) else []
    text = f"{head} WHERE {pattern.text()}"
    if order:
        keys = [draw(st.sampled_from(("{}", "ASC({})", "DESC({})"))).format(v) for v in order]
        text += " ORDER BY " + " ".join(keys)
        if set(order) == set(chosen):
            text += _slice(draw)
    return Query(text, "SELECT", tuple(v[1:] for v in order))


@st.composite
def grouped_selects(draw: Draw, vocab: Vocabulary) -> Query:
    """``SELECT ?g (COUNT(…) AS ?n) … GROUP BY ?g``, or a COUNT over everything."""
    pattern = draw(patterns(vocab))
    counted = draw(
        st.sampled_from(["*"] + [f"{d}{v}" for v in pattern.variables for d in ("", "DISTINCT ")])
    )
    if draw(st.booleans()):
        return Query(f"SELECT (COUNT({counted}) AS ?n) WHERE {pattern.text()}", "SELECT")
    group = draw(st.sampled_from(pattern.variables))
    text = f"SELECT {group} (COUNT({counted}) AS ?n) WHERE {pattern.text()} GROUP BY {group}"
    if not draw(st.booleans()):
        return Query(text, "SELECT")
    text += f" ORDER BY DESC(?n) {group}" + _slice(draw)
    return Query(text, "SELECT", ("n", group[1:]))


def _slice(draw: Draw) -> str:
    limit = draw(st.one_of(st.none(), st.integers(0, 50)))
    offset = draw(st.one_of(st.none(), st.integers(0, 20)))
    return (f" LIMIT {limit}" if limit is not None else "") + (
        f" OFFSET {offset}" if offset is not None else ""
    )


@st.composite
def asks(draw: Draw, vocab: Vocabulary) -> Query:
    return Query(f"ASK WHERE {draw(patterns(vocab)).text()}", "ASK")


@st.composite
def constructs(draw: Draw, vocab: Vocabulary) -> Query:
    """A template of one to three triples over the pattern's variables, one of them perhaps
    with a blank node, so answers must be compared up to blank node renaming."""
    pattern = draw(patterns(vocab))
    subjects = st.sampled_from(pattern.nodes)
    objects = st.sampled_from(pattern.variables)
    predicates = st.sampled_from([*vocab.predicates[:5], EXTRA + "p", EXTRA + "q"])
    triples = draw(
        st.lists(
            st.builds(lambda s, p, o: f"{s} {iri(p)} {o} .", subjects, predicates, objects),
            min_size=1,
            max_size=3,
        )
    )
    if draw(st.booleans()):
        triples.append(f"_:made {iri(EXTRA + 'of')} {draw(subjects)} .")
    return Query(f"CONSTRUCT {{ {' '.join(triples)} }} WHERE {pattern.text()}", "CONSTRUCT")


def _some(items: list[str]) -> st.SearchStrategy[list[str]]:
    """A non-empty selection of ``items`` without repeats, in an order drawn too."""
    return st.lists(st.sampled_from(items), min_size=1, max_size=len(items), unique=True)
