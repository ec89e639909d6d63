"""A query as the workers take it (``QueryTask``) and the answer they give (``Answer``).

Answers come back already serialised, so the web layer only sends bytes. What runs the tasks
is ``kggraph.query.pool.WorkerPool``, which the server holds directly (``Runtime.pool``).
``QueryExecutor`` sketches what another executor (a remote SPARQL store) would offer; nothing
implements it, and the pool, whose ``start``, ``run`` and ``close`` are coroutines, does not
match it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


class QueryExecutor(Protocol):
    """Runs queries against one version of the published graph.

    A task's ``bindings`` must hold for the whole query, as pyoxigraph's
    ``Store.query(substitutions=…)`` (SEP-0007) does for the worker pool. An executor whose store
    takes no substitutions, such as a remote SPARQL endpoint, binds the same typed terms with
    inline ``VALUES`` blocks: ``kggraph.query.values_binding.with_values(task.query,
    task.bindings)``
    puts one in every group that uses a bound variable, which gives the same answers (tested on
    every canned query); a single ``VALUES`` after the query does not.
    """

    @property
    def version(self) -> str:
        """The dataset version answers come from; it changes when a new build is published."""
        ...

    @property
    def max_rows(self) -> int:
        """The most rows (or triples) one answer holds."""
        ...

    def start(self) -> None:
        """Get ready to answer (start processes, open connections)."""

    def run(self, task: QueryTask) -> Answer:
        """Answer one query, or raise a ``kggraph.core.errors.KggraphError``."""
        ...

    def close(self) -> None:
        """Release everything ``start`` took."""
