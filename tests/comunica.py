"""Comunica (npm ``@comunica/query-sparql``), a third-party SPARQL engine, as a test client.

``run(jobs)`` answers several queries in one ``node`` process (``tests/comunica.mjs``; Comunica
takes about a second to start, so batch what you can), ``start(jobs)`` the same without waiting
(``.answers()`` waits); ``select``, ``ask`` and ``construct`` answer one. A source is a URL
string (Comunica fetches it and finds out what it is: an RDF document, a SPARQL endpoint, a
Triple Pattern Fragments interface) or a dict such as ``sparql(url)`` that says which.

Terms come back as N-Triples writes them: ``<iri>``, ``_:label``, ``"text"``, ``"text"@en``,
``"13"^^<http://www.w3.org/2001/XMLSchema#integer>`` (a literal of ``xsd:string`` without its
datatype, as RDF 1.1 writes it). ``nt`` writes a term of ``tests.sparqlanswers`` the same way, to
compare Comunica's answers with ours.

Call ``require_comunica()`` first: it skips (fails with ``KGGRAPH_REQUIRE_ALL=1``) naming what is
missing when ``node`` or the npm package is not installed (``make install`` runs ``npm ci``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, require
from tests.sparqlanswers import LANG_STRING, STRING, Term

SCRIPT = Path(__file__).with_suffix(".mjs")
PACKAGE = ROOT / "node_modules" / "@comunica" / "query-sparql" / "package.json"

Source = str | Mapping[str, str]
Row = dict[str, str]
Quad = tuple[str, str, str, str]
"""Subject, predicate, object and graph; the graph is ``""`` for the default graph."""


class ComunicaError(AssertionError):
    """Comunica could not answer a query (its message and the warnings it logged)."""


def require_comunica() -> None:
    require(shutil.which("node") is not None, "node is not installed (Comunica runs in Node.js)")
    require(PACKAGE, "npm package @comunica/query-sparql is missing from node_modules (npm ci)")


def sparql(url: str) -> dict[str, str]:
    """A source that is a SPARQL endpoint, so Comunica sends it whole queries."""
    return {"type": "sparql", "value": url}


@dataclass(frozen=True)
class Job:
    query: str
    sources: Sequence[Source]
    context: Mapping[str, Any] = field(default_factory=dict)
    """More of Comunica's query context (e.g. ``{"lenient": True}``)."""


@dataclass(frozen=True)
class Answer:
    """What Comunica answered to one job; ``rows``, ``boolean`` and ``quads`` raise
    ``ComunicaError`` if it failed or answered another kind of query."""

    kind: str
    variables: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    _rows: tuple[Row, ...] = ()
    _boolean: bool | None = None
    _quads: frozenset[Quad] = frozenset()

    def _expect(self, kind: str) -> None:
        if self.error is not None:
            raise ComunicaError(f"Comunica failed: {self.error}; warnings: {list(self.warnings)}")
        if self.kind != kind:
            raise ComunicaError(f"Comunica answered {self.kind}, not {kind}")

    @property
    def rows(self) -> list[Row]:
        self._expect("bindings")
        return list(self._rows)

    @property
    def boolean(self) -> bool:
        self._expect("boolean")
        assert self._boolean is not None
        return self._boolean

    @property
    def quads(self) -> frozenset[Quad]:
        self._expect("quads")
        return self._quads

    @property
    def triples(self) -> frozenset[tuple[str, str, str]]:
        """The quads' triples (whatever their graph)."""
        return frozenset(q[:3] for q in self.quads)


def run(jobs: Sequence[Job], *, timeout: float = 60, http_timeout: float = 20) -> list[Answer]:
    """Answer every job in one ``node`` process, in order; ``timeout`` seconds for them all."""
    return start(jobs, http_timeout=http_timeout).answers(timeout)


class Running:
    """A ``node`` process answering jobs, started by ``start``; ``answers`` waits for it."""

    def __init__(self, jobs: Sequence[Job], http_timeout: float) -> None:
        request = {
            "jobs": [
                {"query": j.query, "sources": list(j.sources), "context": dict(j.context)}
                for j in jobs
            ],
            "httpTimeout": int(http_timeout * 1000),
        }
        self._count = len(jobs)
        self._started = time.monotonic()
        self._process = subprocess.Popen(
            ["node", str(SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        # the answers are read by another thread, so that writing the request never waits on them
        self._output: dict[str, bytes] = {}
        self._reader = threading.Thread(target=self._read, args=(json.dumps(request).encode(),))
        self._reader.start()

    def _read(self, request: bytes) -> None:
        out, err = self._process.communicate(request)
        self._output.update(out=out, err=err)

    def answers(self, timeout: float) -> list[Answer]:
        """Each job's answer, in order; ``timeout`` seconds from the start for them all."""
        self._reader.join(max(0.0, self._started + timeout - time.monotonic()))
        if self._reader.is_alive():
            self.stop()
            raise ComunicaError(f"Comunica took more than {timeout} s for {self._count} jobs")
        if self._process.returncode != 0:
            stderr = self._output["err"].decode()[-3000:]
            raise ComunicaError(f"node exited with {self._process.returncode}: {stderr}")
        return [_answer(found) for found in json.loads(self._output["out"])]

    def stop(self) -> None:
        """End the process now, answered or not."""
        self._process.kill()
        self._reader.join()


def start(jobs: Sequence[Job], *, http_timeout: float = 20) -> Running:
    """Start answering every job in one ``node`` process, in order, and return at once: what
    runs meanwhile (another ``node`` process, say) overlaps with it."""
    require_comunica()
    return Running(jobs, http_timeout)


def query(text: str, sources: Sequence[Source], **context: Any) -> Answer:
    return run([Job(text, sources, context)])[0]


def select(text: str, sources: Sequence[Source], **context: Any) -> list[Row]:
    return query(text, sources, **context).rows


def ask(text: str, sources: Sequence[Source], **context: Any) -> bool:
    return query(text, sources, **context).boolean


def construct(text: str, sources: Sequence[Source], **context: Any) -> frozenset[Quad]:
    return query(text, sources, **context).quads


def _answer(found: dict[str, Any]) -> Answer:
    warnings = tuple(found.get("warnings", ()))
    if "error" in found:
        return Answer("error", warnings=warnings, error=found["error"])
    kind = found["type"]
    if kind == "bindings":
        rows = tuple({k: _term(v) for k, v in row.items()} for row in found["rows"])
        return Answer(kind, tuple(found["variables"]), warnings, _rows=rows)
    if kind == "boolean":
        return Answer(kind, warnings=warnings, _boolean=bool(found["value"]))
    return Answer(kind, warnings=warnings, _quads=frozenset(map(_quad, found["quads"])))


def _quad(terms: list[dict[str, str]]) -> Quad:
    subject, predicate, object_, graph = map(_term, terms)
    return subject, predicate, object_, graph


def _term(term: dict[str, str]) -> str:
    kind, value = term["termType"], term["value"]
    if kind == "NamedNode":
        return f"<{value}>"
    if kind == "BlankNode":
        return f"_:{value}"
    if kind == "DefaultGraph":
        return ""
    if kind == "Literal":
        return literal(value, term.get("datatype"), term.get("language"))
    raise ComunicaError(f"a term of an unexpected kind: {term}")


def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal as N-Triples writes it (``xsd:string`` left implicit, the language lower case)."""
    escaped = (
        lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if language:
        return f'"{escaped}"@{language.lower()}'
    if datatype in (None, "", STRING):
        return f'"{escaped}"'
    return f'"{escaped}"^^<{datatype}>'


def nt(term: Term | None) -> str | None:
    """A term of ``tests.sparqlanswers`` (our answers read back) written as Comunica's are."""
    if term is None:
        return None
    if term[0] == "iri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return f"_:{term[1]}"
    _, lexical, datatype, language = term
    return literal(lexical, None if datatype == LANG_STRING else datatype, language)
