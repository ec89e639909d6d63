"""A query as the workers take it (``QueryTask``) and the answer they give (``Answer``).

Answers come back already serialised, so the web layer only sends bytes. What runs the tasks
is a ``kggraph.query.backend.QueryBackend``: the worker pool over the embedded store
(``kggraph.query.pool.WorkerPool``) or a remote SPARQL store (``kggraph.query.remote``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryTask:
    """One query to run: its text, the format to answer in, and the protocol's dataset.

    When ``default_graphs`` or ``named_graphs`` is given (``default-graph-uri`` and
    ``named-graph-uri`` of the SPARQL protocol), the dataset is exactly those graphs; when
    neither is, the query's own ``FROM`` applies, or else the published dataset: the merged
    graph as the default graph, and one named graph per source file.
    """

    query: str
    format: str
    """A ``kggraph.core.formats.Format`` name, e.g. ``sparql-json`` or ``turtle``."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    bindings: tuple[tuple[str, str], ...] = ()
    """Variables bound before the query runs: (name without ``?``, term in N-Triples syntax),
    typed and checked by ``kggraph.canned.params``; never pasted into ``query``."""

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class Answer:
    """A serialised answer: the bytes, their format, and how many rows or triples they hold
    (for a SELECT written natively, an upper bound: see ``kggraph.query.run.ROW_MARKS``)."""

    body: bytes
    format: str
    rows: int
    truncated: bool = False
    """True if the answer was cut off at the row limit."""
