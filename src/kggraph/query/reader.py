"""Read a SPARQL query without running it: its form, any update, any ``SERVICE``, its nesting.

pyoxigraph (0.5) parses a query only to run it and shows no parsed form, so the reader follows
the grammar's terminals itself (``kggraph.query.tokens``): ``ex:SERVICE``, ``?service``,
``"SERVICE"`` and ``# SERVICE`` are not the keyword. Where the query engine could read the text
another way, every reading is taken and the guard fails closed:

* The engine matches a keyword without looking at what follows it, so a keyword may be glued
  to a name: ``SERVICE:x`` is ``SERVICE :x``, ``SERVICEex:x`` and ``SERVICESILENT<…>`` are
  SERVICE calls, ``trueSERVICE <…> {…}`` is the object ``true`` then a SERVICE call,
  ``SERVICE silentx:y`` is ``SERVICE SILENT x:y``, and ``PREFIXex:<…>`` declares ``ex:``. These
  are read as the engine reads them (a glued SERVICE counts where a group ``{`` follows it).
* Prefixes are declared only in the prologue, as the engine reads them; a declaration that
  cannot be read leaves every prefixed endpoint unknown (refused).
* ``<`` starts an IRI or is "less than". After an operand the text is read both ways: from the
  character after ``<`` until the two readings meet again, and a SERVICE in that reading is
  refused. An IRI such as ``<…/Bus_(transport)_service>`` holds no such call and passes.

How deeply a query nests is counted too: brackets ``(``, ``{``, ``[``, and in each the operators
the engine builds one inside the other (``OPTIONAL``, ``UNION``, a path's ``/``, ``+``, ``&&``…).
The engine overflows its stack past a few hundred levels and the worker dies, so ``check``
refuses more than ``max_depth``. The query workers also run without network access
(``kggraph.query.sandbox``): this reader is the first of two locks, not the only one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from kggraph.core.errors import QueryRefused, QuerySyntaxError, RequestError
from kggraph.core.memo import TextMemo
from kggraph.query.readings import NAMES, Nesting, other_readings, service_call
from kggraph.query.tokens import SKIPPED, Token, location, scan, tokens

__all__ = ["FORMS", "UPDATES", "QueryForm", "ServiceCall", "Token", "check", "classify", "tokens"]

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
DEFAULT_MAX_DEPTH = 128
MEMO_BYTES = 32 * 2**20
"""Query texts the memo of readings may hold (the readings themselves are small)."""
MEMO_MAX_TEXT = 64 * 1024
"""Longer texts are read each time: reading them costs more than a lookup saves."""

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", re.DOTALL)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.DOTALL)
_EXPECTED_ITEM = re.compile(r'"(?:\\.|[^"\\])*"|\[(?:\'(?:\\.|[^\'\\])*\'|[^\]\'])*\]|[^,\s][^,]*')
"""One item of an "expected one of" list: a quoted token, a character class, or a rule name."""
_MESSAGE_LIMIT = 300
_EXPECTED_LIMIT = 12


@dataclass(frozen=True)
class ServiceCall:
    """A ``SERVICE`` in the query: its endpoint IRI (``None`` if not a fixed IRI) and where."""

    endpoint: str | None
    written: str
    """The endpoint as the engine reads it (an IRI, a prefixed name or a variable), or for a
    call that another reading of ``<`` could hide, that ``<…``."""
    location: str


@dataclass(frozen=True)
class QueryForm:
    """What a query is, read without running it."""

    kind: str | None
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``; ``None`` if no form keyword is found."""
    update: str | None
    """The first update keyword (``INSERT``, ``DROP``…) if the text is an update."""
    services: tuple[ServiceCall, ...]
    depth: int = 0
    """How deeply the query nests (brackets, and operators built one inside the other)."""
    deepest: str | None = None
    """Where it nests deepest."""


def _iri_value(text: str, base: str | None) -> str:
    value = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text[1:-1])
    return urljoin(base, value) if base else value


class _Reader:
    """Reads the prologue's declarations, then walks the body's tokens once."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.starts: set[int] = set()
        """Every offset at which a match starts, white space and comments included."""
        self.tokens: list[Token] = []
        for kind, start, end in scan(query):
            self.starts.add(start)
            if kind not in SKIPPED:
                self.tokens.append(Token(kind, query[start:end], start))
        self.base: str | None = None
        self.prefixes: dict[str, str] | None = {}
        """``None`` once a declaration could not be read: no prefixed name can be resolved."""

    def read(self) -> QueryForm:
        kind = update = None
        services: list[ServiceCall] = []
        nesting = Nesting()
        for i in range(self._prologue(), len(self.tokens)):
            token = self.tokens[i]
            nesting.add(token)
            if token.kind not in NAMES:
                continue
            word = token.text.upper()
            if word in FORMS and kind is None:
                kind = word
            elif word in UPDATES and update is None:
                update = word
            call = self._service(i) if "SERVICE" in word else None
            if call is not None:
                services.append(call)
        readings = other_readings(self.query, self.tokens, self.starts)
        for offset in readings.services:
            services.append(ServiceCall(None, self._hidden(offset), location(self.query, offset)))
        depth = nesting.depth + readings.extra_depth
        return QueryForm(kind, update, tuple(services), depth, self._where(nesting.deepest))

    def _where(self, offset: int | None) -> str | None:
        return None if offset is None else location(self.query, offset)

    def _hidden(self, offset: int) -> str:
        start = self.query.rfind("<", 0, offset + 1)
        return self.query[start : offset + 20].split("\n")[0]

    def _after(self, i: int) -> Token | None:
        return self.tokens[i] if i < len(self.tokens) else None

    def _prologue(self) -> int:
        """Read ``BASE`` and ``PREFIX`` declarations as the engine does; the body's first token."""
        i = 0
        while i < len(self.tokens):
            token, iri = self.tokens[i], self._after(i + 1)
            if token.kind == "word" and token.text.upper() == "BASE" and iri and iri.kind == "iri":
                self.base = _iri_value(iri.text, self.base)
                i += 2
                continue
            declared = self._prefix(i)
            if declared is None:
                if token.text[:6].upper() == "PREFIX" or token.text[:4].upper() == "BASE":
                    self.prefixes = None  # a declaration the engine may read otherwise
                return i
            i = declared
        return i

    def _prefix(self, i: int) -> int | None:
        """``PREFIX ex: <…>``, also glued (``PREFIXex:<…>``, ``PREFIX:<…>``): the next index."""
        token = self.tokens[i]
        if token.kind not in NAMES or token.text[:6].upper() != "PREFIX":
            return None
        name: Token | None = token
        rest = token.text[6:]
        if not rest:
            name, i = self._after(i + 1), i + 1
            rest = name.text if name is not None else ""
        iri = self._after(i + 1)
        if name is None or name.kind != "pname" or not rest.endswith(":") or not iri:
            return None
        if iri.kind != "iri" or ":" in rest[:-1]:
            return None
        if self.prefixes is not None:
            self.prefixes[rest[:-1]] = _iri_value(iri.text, self.base)
        return i + 2

    def _service(self, i: int) -> ServiceCall | None:
        """The SERVICE call token ``i`` starts, read as the engine reads a glued keyword."""
        call = service_call(self.tokens, i)
        if call is None or (call.glued and not call.opens_group):
            return None  # not a call: a name such as ex:serviceType
        where = location(self.query, self.tokens[i].offset)
        if call.target is None:
            return ServiceCall(None, "", where)
        return ServiceCall(self._endpoint(call.target), call.target.text, where)

    def _endpoint(self, target: Token) -> str | None:
        if target.kind == "iri":
            return _iri_value(target.text, self.base)
        if target.kind == "pname" and self.prefixes is not None:
            prefix, _, local = target.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        return None


_READINGS: TextMemo[str, QueryForm] = TextMemo(max_bytes=MEMO_BYTES, max_key_bytes=MEMO_MAX_TEXT)


def classify(query: str) -> QueryForm:
    """Read the query's form, update keywords, ``SERVICE`` calls and nesting; never runs it.

    Remembered per query text (a byte-bounded memo; long texts are read each time): reading a
    query with a long prologue takes a few hundred microseconds, more than answering a small
    lookup, and clients repeat their queries.
    """
    form = _READINGS.get(query)
    if form is None:
        form = _Reader(query).read()
        _READINGS.put(query, form)
    return form


def check(
    query: str, *, service_allowlist: tuple[str, ...] = (), max_depth: int = DEFAULT_MAX_DEPTH
) -> QueryForm:
    """Classify the query; refuse updates, ``SERVICE`` calls outside the allow-list, and
    nesting deeper than ``max_depth``."""
    form = classify(query)
    if form.update is not None:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL updates ({form.update} …) are not accepted"
        )
    for call in form.services:
        if call.endpoint is None or call.endpoint not in service_allowlist:
            raise QueryRefused(_service_refusal(call, service_allowlist), location=call.location)
    if form.depth > max_depth:
        raise QueryRefused(
            f"the query nests {form.depth} levels deep (brackets, and operators such as "
            f"OPTIONAL, UNION, / and + built one inside the other); the limit is {max_depth}",
            location=form.deepest,
        )
    return form


def _service_refusal(call: ServiceCall, allowlist: tuple[str, ...]) -> str:
    allowed = ", ".join(f"<{iri}>" for iri in allowlist) or "none"
    if call.endpoint is None and call.written.startswith("<"):
        what = f"{call.written} may hide a SERVICE call (write a comparison `<` with spaces)"
    elif call.endpoint is None:
        what = f"SERVICE {call.written} has no fixed endpoint IRI"
    else:
        what = f"SERVICE <{call.endpoint}> is not an allowed endpoint"
    return f"{what}; this endpoint makes no outbound calls except to: {allowed}"


def check_iri(value: str, parameter: str) -> str:
    """An absolute IRI from a request parameter (``default-graph-uri``…), or a ``RequestError``."""
    if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise RequestError(f"{parameter} must be an absolute IRI, not {value!r}")
    return value


def syntax_error(err: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's parser error as a ``QuerySyntaxError`` located at line and column."""
    text = str(err.args[0]) if err.args else str(err)
    match = _POSITION.match(text)
    message = _readable(match.group(3) if match else text)
    where = f"line {match.group(1)}, column {match.group(2)}" if match else None
    return QuerySyntaxError(message, location=where)


def _readable(message: str) -> str:
    """The parser's message without its character-class listings, and not too long."""
    message = " ".join(message.split())
    expected = _EXPECTED.fullmatch(message)
    if expected:
        items = [i.strip() for i in _EXPECTED_ITEM.findall(expected.group(1))]
        named = [i for i in items if i and not i.startswith("[")]
        if not named:
            return "unexpected character, or the query ended too early"
        more = ", …" if len(named) > _EXPECTED_LIMIT else ""
        message = "expected one of " + ", ".join(named[:_EXPECTED_LIMIT]) + more
    return message if len(message) <= _MESSAGE_LIMIT else message[:_MESSAGE_LIMIT] + "…"
