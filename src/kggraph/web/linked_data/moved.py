"""``/id/…`` of an identifier that moved or went, from the release's ``redirects.tsv``.

A moved identifier answers ``301`` with ``Location`` at its successor, in the same form it was
asked in: ``…/old`` goes to ``…/new``, ``…/old.ttl`` to ``…/new.ttl`` (the language choice of a
page is kept). A retired one answers ``410 Gone``: a page with the reason, in the reader's
language, and the ways to look for what it named (search, the index); one line of text for
other clients. The table is read once per release (release folders never change).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from starlette.responses import RedirectResponse, Response

from kggraph.core.errors import SourceError
from kggraph.validation.redirects import FILE, Redirect, read_redirects
from kggraph.web.http.errors import text_error
from kggraph.web.http.site import VARY, Site, html
from kggraph.web.runtime import Runtime


def moved(runtime: Runtime, name: str) -> Redirect | None:
    """The row for the identifier ``name`` (``org/old``) in the served release, if any."""
    return _table(runtime.release.path).get(name)


@lru_cache(maxsize=4)
def _table(release: Path) -> dict[str, Redirect]:
    try:
        return {r.path: r for r in read_redirects(release / FILE)}
    except SourceError:  # the build checked it; a damaged copy redirects nothing
        return {}


def moved_answer(
    site: Site, redirect: Redirect, *, extension: str | None, as_html: bool
) -> Response:
    """``301`` to the successor, or ``410`` with the reason and where to look instead."""
    headers = {"Vary": VARY, "Cache-Control": "no-cache"}
    if redirect.status == 301:
        suffix = f".{extension}" if extension else ""
        target = site.server + "/" + redirect.target.removeprefix(site_base(redirect)) + suffix
        location = site.keep_language(target) if as_html else target
        return RedirectResponse(location, status_code=301, headers=headers)
    if as_html:
        return html("ld_gone.html", site, status=410, headers=headers, gone=redirect)
    line = f"<{redirect.iri}> was withdrawn: {redirect.reason_en} (search {site.server}/search)"
    return text_error(410, line, headers=headers)


def site_base(redirect: Redirect) -> str:
    """The persistent base the target is written under (``https://w3id.org/kggraph/``)."""
    return redirect.iri[: len(redirect.iri) - len("id/" + redirect.path)]
