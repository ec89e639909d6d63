"""Headers every answer carries, added in one place: an ASGI middleware around the whole server.

``SecurityHeaders`` wraps the application as served (``create_server``: the ``/sparql`` fast
path in front of the framework), so every answer gets them whichever layer made it, including
the fast path's own answers and the framework's ``500`` for an unexpected exception.

- Every answer: ``X-Content-Type-Options: nosniff`` (a browser never reads a dump, a query
  answer or a text error as HTML or script) and
  ``Referrer-Policy: strict-origin-when-cross-origin``. That policy, not ``no-referrer``: our
  own pages keep telling this server where a reader came
  from (``/id/`` page to dump, query page to answer), while other sites get the origin alone,
  never a path or a ``?query=`` text; it is also what current browsers do by default, made
  explicit for those that do not.
- Pages (HTML and SVG, which browsers render as documents): ``X-Frame-Options: DENY`` and
  ``frame-ancestors 'none'`` in the ``Content-Security-Policy``. No page of ours frames another,
  so nothing may frame them (clickjacking). A page's own policy is kept and this directive
  added to it; a ``frame-ancestors`` it named is replaced, so framing is decided only here.
- Errors (``4xx``, ``5xx``): ``Cache-Control: no-store``, replacing whatever the route set. A
  ``404`` for a resource the next build adds, a ``503`` while a worker restarts, a ``413`` or a
  ``429`` belong to one moment, and a shared cache must not hand them to the next client. The
  exception is ``410 Gone``, permanent by definition and cacheable by default (RFC 9111
  §4.2.2): it keeps the route's caching headers.

Headers that ``secured`` made (a ``SecuredHeaders``) pass through as they are: the ``/sparql`` fast
path secures its answers' headers as it builds them (``secured_answer``, at once for an answer
that is neither an error nor a page), so the busiest route is not looked through twice.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

EVERY_ANSWER: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
FRAME_ANCESTORS = "frame-ancestors 'none'"
PAGE_TYPES = (b"text/html", b"application/xhtml+xml", b"image/svg+xml")
"""Media types a browser shows as a document, which another site could put in a frame."""
CACHEABLE_ERRORS = frozenset({410})
"""Error statuses whose answers keep the route's caching headers."""


class SecuredHeaders(list[tuple[bytes, bytes]]):
    """An answer's headers as ``secured`` made them for its status: ``SecurityHeaders`` sends
    them on unchanged, so an answer is secured once (again would add or remove nothing)."""


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP answer of ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        """The wrapped application's attributes (``state``, ``routes``) stay reachable."""
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # a coroutine function: servers tell an ASGI 3 application by it (this one is served)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        def send_with_headers(message: Message) -> Awaitable[None]:  # send's own awaitable
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                if type(headers) is not SecuredHeaders:
                    headers = secured(int(message["status"]), list(headers))
                    message = {**message, "headers": headers}
            return send(message)

        await self.app(scope, receive, send_with_headers)


def secured(status: int, headers: Headers) -> SecuredHeaders:
    """``headers`` of an answer with ``status``, with the headers this module adds."""
    names = {name.lower() for name, _ in headers}
    out = headers + [(n, v) for n, v in EVERY_ANSWER if n not in names]
    if status >= 400 and status not in CACHEABLE_ERRORS:
        out = [(n, v) for n, v in out if n.lower() not in (b"cache-control", b"expires")]
        out.append((b"cache-control", b"no-store"))
    if _is_page(out):
        out = _without_framing(out)
    return SecuredHeaders(out)


def secured_answer(
    status: int, headers: Sequence[tuple[bytes, bytes]], content_type: bytes | None
) -> SecuredHeaders:
    """``secured(status, headers)`` for headers that name none of those this module adds and
    whose ``Content-Type`` is ``content_type`` (``None``: they name none): an answer that is
    neither an error nor a page just gets ``EVERY_ANSWER`` at the end, without a look through."""
    if status < 400 and (content_type is None or not _is_page_type(content_type)):
        out = SecuredHeaders(headers)
        out.extend(EVERY_ANSWER)
        return out
    return secured(status, list(headers))


def _is_page(headers: Headers) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return _is_page_type(value)
    return False


@functools.lru_cache(maxsize=256)
def _is_page_type(content_type: bytes) -> bool:
    return content_type.split(b";", 1)[0].strip().lower() in PAGE_TYPES


def _without_framing(headers: Headers) -> Headers:
    """``X-Frame-Options: DENY`` and ``frame-ancestors 'none'`` (kept policies extended)."""
    out: Headers = []
    policy_seen = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"x-frame-options":
            continue
        if lowered == b"content-security-policy":
            value = _with_frame_ancestors(value.decode("latin-1")).encode("latin-1")
            policy_seen = True
        out.append((name, value))
    if not policy_seen:
        out.append((b"content-security-policy", FRAME_ANCESTORS.encode("latin-1")))
    out.append((b"x-frame-options", b"DENY"))
    return out


def _with_frame_ancestors(policy: str) -> str:
    """``policy`` with ``frame-ancestors 'none'``: in place of its own, else added at the end."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    framing = [d.split(None, 1)[0].lower() == "frame-ancestors" for d in directives]
    if not any(framing):
        return "; ".join([*directives, FRAME_ANCESTORS])
    first = framing.index(True)
    kept = [d for d, is_framing in zip(directives, framing, strict=True) if not is_framing]
    return "; ".join([*kept[:first], FRAME_ANCESTORS, *kept[first:]])
