"""The explore routes' data answers (the network API, the timeline's numbers and chart, the
map's ``map.json``) with the release's validators.

Each answer depends on the release and on its URL alone (path and query: the filters, the
agent, the format, the language), so its ``ETag`` is ``kggraph.web.http.conditional.validators``
of those and ``Last-Modified`` the build time. A client that names the tag in
``If-None-Match`` held this very answer and gets ``304`` before anything is computed; one that
sends ``If-None-Match: *`` or only ``If-Modified-Since`` gets it once the answer is known to
exist, so a bad filter or an unknown agent is still a ``400`` or ``404``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from kggraph.web.http.conditional import (
    Validators,
    holds,
    not_modified,
    not_modified_response,
    validators,
)
from kggraph.web.http.state import state_of
from kggraph.web.runtime import Runtime

Make = Callable[[Runtime], Awaitable[Response]]
"""Makes the full answer (or raises a ``400`` or ``404`` error) on the current runtime."""


def data_headers(runtime: Runtime) -> dict[str, str]:
    """What every data answer carries besides its validators."""
    return {
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        "Kggraph-Version": runtime.version,
    }


def _validators(request: Request, runtime: Runtime) -> Validators:
    return validators(runtime, "explore", request.url.path, request.url.query)


async def conditional(request: Request, make: Make) -> Response:
    """``make``'s answer with its validators and caching headers, or ``304`` if the client's
    copy is current."""
    runtime = state_of(request).runtime
    # read before the answer is made: should a new release come meanwhile, the tag is the
    # older one's, which the next request no longer holds (never a new tag on old numbers)
    found = _validators(request, runtime)
    headers = {**data_headers(runtime), **found.headers}
    if holds(request.headers.get("if-none-match"), found.etag):
        return not_modified_response(headers)
    answer = await make(runtime)
    if not_modified(request, found):
        return not_modified_response(headers)
    answer.headers.update(headers)
    return answer
