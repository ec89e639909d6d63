"""Read a SPARQL query without running it: its form, any update, any ``SERVICE`` and its endpoint.

A small tokenizer that follows the SPARQL 1.1 grammar's terminals (strings, IRIs, prefixed
names, variables, comments) is enough to see keywords for what they are: ``ex:SERVICE``,
``?service``, ``"SERVICE"`` and ``# SERVICE`` are not the keyword. Where the grammar itself is
ambiguous (``<`` starts an IRI or is "less than"), the reading that could hide a ``SERVICE``
is refused: a guard must fail closed. The query workers also run without network access
(``kggraph.sandbox``), so this is the first of two locks, not the only one.

Syntax is checked by pyoxigraph's own parser when the query runs; ``syntax_error`` turns its
message into a ``QuerySyntaxError`` with line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from kggraph.errors import QueryRefused, QuerySyntaxError, RequestError

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_PN_PREFIX = r"(?:[^\W\d_](?:[\w.\-\u00B7]*[\w\-\u00B7])?)"
_PN_LOCAL = rf"(?:(?:[\w:]|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:_|{_PN_PREFIX})?:{_PN_LOCAL}?)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_HIDDEN_SERVICE = re.compile(r"\).*service", re.IGNORECASE | re.DOTALL)
"""An "IRI" that reads as ``… < … ) … SERVICE …`` if its ``<`` is a comparison."""
_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:\s*(.*)", re.DOTALL)
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_EXPECTED = re.compile(r"expected (?:one of )?(.*)", re.DOTALL)
_EXPECTED_ITEM = re.compile(r'"(?:\\.|[^"\\])*"|\[(?:\'(?:\\.|[^\'\\])*\'|[^\]\'])*\]|[^,\s][^,]*')
"""One item of an "expected one of" list: a quoted token, a character class, or a rule name."""
_MESSAGE_LIMIT = 300
_EXPECTED_LIMIT = 12


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class ServiceCall:
    """A ``SERVICE`` in the query: its endpoint IRI (``None`` if not a fixed IRI) and where."""

    endpoint: str | None
    written: str
    """The endpoint as written in the query (an IRI, a prefixed name or a variable)."""
    location: str


@dataclass(frozen=True)
class QueryForm:
    """What a query is, read without running it."""

    kind: str | None
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``; ``None`` if no form keyword is found."""
    update: str | None
    """The first update keyword (``INSERT``, ``DROP``…) if the text is an update."""
    services: tuple[ServiceCall, ...]


def tokens(query: str) -> list[Token]:
    """The query's tokens, without white space and comments."""
    found = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group(), match.start()))
    return found


def location(query: str, offset: int) -> str:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _iri_value(token: Token, base: str | None) -> str:
    text = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token.text[1:-1])
    return urljoin(base, text) if base else text


def _after(words: list[Token], index: int) -> Token | None:
    return words[index + 1] if index + 1 < len(words) else None


class _Reader:
    """Walks the tokens once, keeping BASE and PREFIX declarations to resolve endpoints."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokens(query)
        self.base: str | None = None
        self.prefixes: dict[str, str] = {}

    def read(self) -> QueryForm:
        kind = update = None
        services: list[ServiceCall] = []
        for i, token in enumerate(self.tokens):
            if token.kind == "iri" and self._may_hide_service(i):
                services.append(ServiceCall(None, token.text, self._where(token)))
            if token.kind != "word":
                continue
            word = token.text.upper()
            if word == "BASE":
                self._declare_base(i)
            elif word == "PREFIX":
                self._declare_prefix(i)
            elif word in FORMS and kind is None:
                kind = word
            elif word in UPDATES and update is None:
                update = word
            elif word == "SERVICE":
                services.append(self._service(i))
        return QueryForm(kind, update, tuple(services))

    def _may_hide_service(self, i: int) -> bool:
        """An IRI after an operand may be ``< … ) SERVICE …`` to the real parser."""
        before = self.tokens[i - 1] if i else None
        after_operand = before is not None and (before.kind != "other" or before.text in ")]")
        return after_operand and _HIDDEN_SERVICE.search(self.tokens[i].text) is not None

    def _where(self, token: Token) -> str:
        return location(self.query, token.offset)

    def _declare_base(self, i: int) -> None:
        iri = _after(self.tokens, i)
        if iri is not None and iri.kind == "iri":
            self.base = _iri_value(iri, self.base)

    def _declare_prefix(self, i: int) -> None:
        name, iri = _after(self.tokens, i), _after(self.tokens, i + 1)
        if name and iri and name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
            self.prefixes[name.text[:-1]] = _iri_value(iri, self.base)

    def _service(self, i: int) -> ServiceCall:
        target = _after(self.tokens, i)
        if target is not None and target.kind == "word" and target.text.upper() == "SILENT":
            target = _after(self.tokens, i + 1)
        where = self._where(self.tokens[i])
        if target is None:
            return ServiceCall(None, "", where)
        return ServiceCall(self._endpoint(target), target.text, where)

    def _endpoint(self, target: Token) -> str | None:
        if target.kind == "iri":
            return _iri_value(target, self.base)
        if target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            namespace = self.prefixes.get(prefix)
            return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        return None


@lru_cache(maxsize=4096)
def classify(query: str) -> QueryForm:
    """Read the query's form, update keywords and ``SERVICE`` calls; never runs it.

    Remembered per query text: reading a query with a long prologue takes a few hundred
    microseconds, more than answering a small lookup, and clients repeat their queries.
    """
    return _Reader(query).read()


def check(query: str, *, service_allowlist: tuple[str, ...] = ()) -> QueryForm:
    """Classify the query and refuse updates and ``SERVICE`` calls outside the allow-list."""
    form = classify(query)
    if form.update is not None:
        raise QueryRefused(
            f"this endpoint is read-only: SPARQL updates ({form.update} …) are not accepted"
        )
    for call in form.services:
        if call.endpoint is None or call.endpoint not in service_allowlist:
            raise QueryRefused(_service_refusal(call, service_allowlist), location=call.location)
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
