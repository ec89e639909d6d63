"""A remote store's answer, read within the limits and written as the embedded store writes it.

``read_answer`` takes the body off the wire. An answer of one row (or triple) per line (SPARQL
TSV, N-Triples: what ``kggraph.query.dialects.wire_format`` asks for) is counted as it arrives
and the transfer stopped, at a line's end, once it holds ``max_rows`` rows or twice
``max_answer_bytes`` bytes: a runaway answer never fills the server's memory, and closing the
connection tells the store to stop. Other answers (an ASK, a store that answers SPARQL JSON) are
read whole, up to a ceiling.

``write_answer`` reads what was kept with pyoxigraph and writes it in the client's format with
``kggraph.query.run``'s serialisers, the very code the query workers use on their slow path, so
rows, bytes and ``Answer.truncated`` follow the same rules. A line format whose last line has no
end was broken off by the store: never passed on as a short answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import httpx
import pyoxigraph as ox

from kggraph.core.errors import QueryUnavailable, StoreError
from kggraph.core.formats import BY_NAME, AnswerKind, Format, default_format, lookup
from kggraph.query.dialects import wire_format
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.run import as_bytes, serialize_solutions, serialize_triples, xml_checked

ERROR_BYTES = 64 * 1024
"""Bytes of an error answer read for its message."""
THREAD_BYTES = 1_000_000
"""Answers bigger than this are parsed and written off the event loop."""
LINE_FORMATS = ("tsv", "n-triples", "n-quads")
"""Answer formats of one row or triple per line (TSV has a header line first)."""


@dataclass(frozen=True)
class Limits:
    """What one answer may hold: rows (or triples) and bytes (``max_rows``,
    ``max_answer_bytes``)."""

    rows: int
    bytes: int

    @property
    def read_ceiling(self) -> int:
        """Bytes taken off the wire at most: twice the answer's limit, since the client's
        format may be shorter than the store's (CSV writes no ``<>`` around an IRI)."""
        return 2 * self.bytes


def answer_format(media: str) -> Format | None:
    """The answer format a ``Content-Type`` names, if it is one we read."""
    bare = media.split(";", 1)[0].strip()
    if not bare:
        return None
    return lookup(bare, AnswerKind.RESULTS) or lookup(bare, AnswerKind.GRAPH)


async def read_answer(response: httpx.Response, limits: Limits) -> tuple[bytes, bool]:
    """The body of ``response`` and whether it was cut at a limit (at a line's end)."""
    if not 200 <= response.status_code < 300:
        return await _read_up_to(response, ERROR_BYTES), False
    fmt = answer_format(response.headers.get("content-type", ""))
    if fmt is not None and fmt.name in LINE_FORMATS:
        return await _read_lines(response, limits.rows + (fmt.name == "tsv"), limits)
    body = await _read_up_to(response, limits.read_ceiling + 1)
    if len(body) > limits.read_ceiling:
        raise QueryUnavailable(
            f"the store's answer passed {limits.read_ceiling} bytes in a format that cannot be "
            "cut off at a row (KGGRAPH_MAX_ANSWER_BYTES): narrow the query"
        )
    return body, False


async def _read_up_to(response: httpx.Response, size: int) -> bytes:
    chunks: list[bytes] = []
    taken = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        taken += len(chunk)
        if taken >= size:
            break
    return b"".join(chunks)[:size]


async def _read_lines(response: httpx.Response, lines: int, limits: Limits) -> tuple[bytes, bool]:
    """Up to ``lines`` whole lines within the read ceiling; True if there was more."""
    chunks: list[bytes] = []
    counted = taken = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        counted += chunk.count(b"\n")
        taken += len(chunk)
        if counted > lines or taken > limits.read_ceiling:
            body = b"".join(chunks)[: limits.read_ceiling]
            return _first_lines(body, lines), True
    return b"".join(chunks), False


def _first_lines(body: bytes, lines: int) -> bytes:
    """The first ``lines`` whole lines of ``body`` (fewer if it holds fewer whole ones)."""
    end = 0
    for _ in range(lines):
        found = body.find(b"\n", end)
        if found < 0:
            break
        end = found + 1
    return body[:end]


async def write_answer(
    body: bytes, media: str, task: QueryTask, cut: bool, limits: Limits
) -> Answer:
    """The store's clean answer (in ``wire_format(task)``, or else the format ``media``
    names) in the task's format, within the limits."""
    wire = wire_format(task) or answer_format(media)
    if wire is None:
        raise StoreError(f"the store answered in a format kggraph does not read: {media!r}")
    if wire.name in LINE_FORMATS and body and not body.endswith(b"\n") and not cut:
        raise QueryUnavailable("the store broke off its answer in the middle of a row")
    if len(body) > THREAD_BYTES:
        return await asyncio.to_thread(_written, body, wire, task, cut, limits)
    return _written(body, wire, task, cut, limits)


def _written(body: bytes, wire: Format, task: QueryTask, cut: bool, limits: Limits) -> Answer:
    wanted = BY_NAME[task.format]
    try:
        if wire.kind is AnswerKind.GRAPH:
            fmt = _fit(wanted, AnswerKind.GRAPH)
            triples = _triples(ox.parse(body, format=wire.rdf_format))
            answer = serialize_triples(
                cast(ox.QueryTriples, triples), fmt, max_rows=limits.rows, max_bytes=limits.bytes
            )  # serialize_triples only iterates over them
        else:
            answer = _results(ox.parse_query_results(body, format=wire.results_format), wanted,
                              limits)  # fmt: skip
    except (SyntaxError, ValueError) as err:
        raise QueryUnavailable(
            f"the store's answer cannot be read (cut off or malformed): {err}"
        ) from None
    if cut and not answer.truncated:
        answer = Answer(answer.body, answer.format, answer.rows, truncated=True)
    return xml_checked(answer)


def _results(parsed: ox.QuerySolutions | ox.QueryBoolean, wanted: Format, limits: Limits) -> Answer:
    fmt = _fit(wanted, AnswerKind.RESULTS)
    if isinstance(parsed, ox.QueryBoolean):
        return Answer(as_bytes(parsed.serialize(format=fmt.results_format)), fmt.name, rows=1)
    return serialize_solutions(parsed, fmt, max_rows=limits.rows, max_bytes=limits.bytes)


def _triples(quads: Iterable[ox.Triple | ox.Quad]) -> Iterator[ox.Triple]:
    for item in quads:
        yield ox.Triple(item.subject, item.predicate, item.object)


def _fit(wanted: Format, kind: AnswerKind) -> Format:
    """The client's format if it fits the answer, else its kind's default (as the workers)."""
    return wanted if wanted.kind is kind else default_format(kind)
