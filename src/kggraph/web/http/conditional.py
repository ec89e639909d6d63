"""``ETag``, ``Last-Modified`` and ``304 Not Modified``: conditional requests.

``holds`` and ``matches`` compare ``If-None-Match`` with an answer's tag (every route that
answers ``304``). The rest is for the linked-data and publishing pages.

A page changes only when a new build is published, so its validators come from the release:
the ``ETag`` is a digest of the release version and of everything else the answer depends on
(the server's public URL, which the links are written with; the path and query; the format;
the language), and ``Last-Modified`` is the build time from the release's manifest. A client
that sends either back gets ``304`` without the query being run (RFC 9110 §13.2.2: when
``If-None-Match`` is present, ``If-Modified-Since`` is ignored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from kggraph.web.runtime import Runtime


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: dt.datetime | None

    @property
    def headers(self) -> dict[str, str]:
        found = {"ETag": self.etag}
        if self.last_modified is not None:
            found["Last-Modified"] = format_datetime(self.last_modified, usegmt=True)
        return found


def built_at(runtime: Runtime) -> dt.datetime:
    """When the current release was built (whole seconds, UTC), from its manifest."""
    return runtime.manifest.built_at.astimezone(dt.UTC).replace(microsecond=0)


def validators(runtime: Runtime, *parts: str) -> Validators:
    """Validators for an answer of the current release that depends on ``parts``."""
    digest = hashlib.blake2b(
        "\x1f".join((runtime.version, *parts)).encode("utf-8"), digest_size=16
    ).hexdigest()
    return Validators(f'W/"{digest}"', built_at(runtime))


def not_modified(request: Request, found: Validators) -> bool:
    """True if the client's copy is current (``If-None-Match``, else ``If-Modified-Since``)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return matches(if_none_match, found.etag)
    since = request.headers.get("if-modified-since")
    if since is None or found.last_modified is None:
        return False
    try:
        asked = parsedate_to_datetime(since)
    except (TypeError, ValueError):  # recovers: an unreadable date is ignored (RFC 9110)
        return False
    if asked.tzinfo is None:
        asked = asked.replace(tzinfo=dt.UTC)
    return found.last_modified <= asked


def holds(if_none_match: str | None, etag: str) -> bool:
    """The client names this answer's own tag, so it holds the answer (``304`` at once)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison; ``*`` matches any current answer."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def not_modified_response(headers: dict[str, str]) -> Response:
    """``304`` with the headers the full answer would carry (validators, ``Vary``, caching)."""
    kept = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return Response(status_code=304, headers=kept)
