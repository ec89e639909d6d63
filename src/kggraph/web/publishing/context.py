"""What the publishing routes share: the current release's files, their pages, and validators.

The ontology, the VoID description, the catalog and the sitemap are read from files of the
current release, parsed once per release and kept in ``Published`` (one per application, made by the
publishing router: no module-level state), so a request only serialises or renders. Everything
here changes only with a new build, so every answer carries ``Last-Modified`` (the build time
of the release, from its manifest) and an ``ETag``, and a client that sends either back gets
``304 Not Modified``. Documents get weak ETags (a digest of the body, which the gzip middleware
may re-encode); dump files get strong ones (``kggraph.web.publishing.downloads``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import ReleaseDamaged
from kggraph.graph.release import Release
from kggraph.web.http.conditional import Validators, built_at, not_modified, not_modified_response
from kggraph.web.http.public_url import public_url
from kggraph.web.http.state import state_of
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

STYLESHEET = "/static/kggraph/publishing.css"
BODY_ENTRIES = 64
"""Rendered answers kept per release (each is one document in one format for one server)."""

_ENVIRONMENT = template_environment()
LOG = logging.getLogger("kggraph.web")


@dataclass
class Published:
    """Files of the current release, parsed once, and recent answers made from them."""

    version: str = ""
    _parsed: dict[str, Any] = field(default_factory=dict)
    _bodies: OrderedDict[tuple[str, ...], bytes] = field(default_factory=OrderedDict)
    _damaged: set[str] = field(default_factory=set)

    def _follow(self, release: Release) -> None:
        if release.version != self.version:
            self.version = release.version
            self._parsed.clear()
            self._bodies.clear()
            self._damaged.clear()

    def read(self, release: Release, name: str, parse: Callable[[Path], Any]) -> Any:
        """``parse(path)`` of the release's file ``name``, kept until the release changes.

        A file that is missing or does not parse is ``ReleaseDamaged`` (``503``): a release of
        the current format holds every one (``kggraph serve`` rebuilds older ones), so the
        release was damaged after it was published. It is logged once per release and file,
        and read again on the next request (a restored file is served)."""
        self._follow(release)
        if name not in self._parsed:
            path = release.path / name
            try:
                self._parsed[name] = parse(path)
            except (OSError, SyntaxError, ValueError) as err:
                raise self._damage(release, name, err) from None
        return self._parsed[name]

    def _damage(self, release: Release, name: str, err: Exception) -> ReleaseDamaged:
        if name not in self._damaged:
            self._damaged.add(name)
            LOG.error("the published release %s is damaged: %s: %s", release.path, name, err)
        return damaged(
            name, "is missing" if isinstance(err, FileNotFoundError) else "is unreadable"
        )

    def body(self, release: Release, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """The answer ``key`` of this release, made once and kept (a bounded number of them)."""
        self._follow(release)
        found = self._bodies.get(key)
        if found is None:
            found = self._bodies[key] = make()
            if len(self._bodies) > BODY_ENTRIES:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(key)
        return found


def damaged(name: str, what: str) -> ReleaseDamaged:
    """The one line a client gets for a damaged release (the log has the details)."""
    return ReleaseDamaged(
        f"the published release is damaged: its file {name} {what}; "
        "the operator must publish a new build (`kggraph build`)"
    )


def triples_of(path: Path) -> list[ox.Triple]:
    """The triples of a Turtle file of the release."""
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    ]


@dataclass(frozen=True)
class Context:
    """A request to a publishing route: the runtime, the current release, the server's URL."""

    request: Request
    runtime: Runtime
    published: Published
    server: str

    @classmethod
    def of(cls, request: Request, published: Published) -> Context:
        runtime = state_of(request).runtime
        return cls(request, runtime, published, public_url(request, runtime))

    @property
    def release(self) -> Release:
        return self.runtime.release

    def read(self, name: str, parse: Callable[[Path], Any] = triples_of) -> Any:
        return self.published.read(self.release, name, parse)

    def body(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        return self.published.body(self.release, (self.server, *key), make)

    def validators(self, etag: str) -> Validators:
        return Validators(etag, built_at(self.runtime))

    def caching(self) -> dict[str, str]:
        return {"Cache-Control": f"public, max-age={self.runtime.settings.cache_max_age}"}

    def render(self, template: str, **values: Any) -> bytes:
        page = _ENVIRONMENT.get_template(template).render(
            server=self.server,
            stylesheet=self.server + STYLESHEET,
            version=self.runtime.version,
            **values,
        )
        return page.encode("utf-8")


ContextHandler = Callable[[Context], Awaitable[Response]]
"""A publishing route's handler: it answers a ``Context``."""
ContextRoute = tuple[str, ContextHandler]
"""A path and the handler of its ``GET``."""


def weak_etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def answer(
    context: Context, body: bytes, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """``body`` with validators and caching headers, or ``304`` if the client has it."""
    found = context.validators(weak_etag(body))
    sent = {**context.caching(), **(headers or {}), **found.headers}
    if not_modified(context.request, found):
        return not_modified_response(sent)
    return Response(body, media_type=media_type, headers=sent)
