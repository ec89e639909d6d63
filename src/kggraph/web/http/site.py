"""Rendering the linked-data pages: templates, the reader's language, and IRIs made into links.

The persistent IRI ``https://w3id.org/kggraph/X`` is served at ``{server}/X``, where
``{server}`` is ``KGGRAPH_PUBLIC_URL`` when set, else the scheme, host, port and root path the
request came in on (``kggraph.web.http.public_url``). So the links of a page work on
localhost, behind a proxy, and at the published address alike. Only the HTML links are
mapped; the RDF descriptions keep the persistent IRIs.

When the reader chose a language with ``?lang=``, links to other pages keep it, so the choice
holds while they browse; otherwise every page follows ``Accept-Language``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse

from kggraph.core import language
from kggraph.core.namespaces import BASE_IRI, ID_IRI
from kggraph.web.http.public_url import public_url
from kggraph.web.http.site_text import KINDS, LANGUAGE_NAMES, kind_name, say
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

STYLESHEET = "/static/kggraph/pages.css"
VARY = "Accept, Accept-Language"

_ENVIRONMENT = template_environment()


@dataclass(frozen=True)
class Site:
    """What every page needs to know about the request: where the server is, which language."""

    server: str
    choice: language.Choice
    version: str
    query: tuple[tuple[str, str], ...] = ()
    """The request's query parameters other than ``lang`` (kept by the language switch)."""

    @classmethod
    def of(cls, request: Request, runtime: Runtime) -> Site:
        choice = language.choose(
            request.query_params.get("lang"), request.headers.get("accept-language")
        )
        kept = tuple((k, v) for k, v in request.query_params.multi_items() if k != "lang")
        return cls(public_url(request, runtime), choice, runtime.version, kept)

    @property
    def lang(self) -> str:
        return self.choice.lang

    def url(self, iri: str) -> str:
        """Where ``iri`` is served: under this server if it is one of ours, else itself."""
        if not iri.startswith(BASE_IRI):
            return iri
        address = self.server + "/" + iri.removeprefix(BASE_IRI)
        return self.keep_language(address) if iri.startswith(ID_IRI) else address

    def path(self, path: str, params: dict[str, str] | None = None) -> str:
        """A URL of this server (``path`` starts with ``/``), keeping the chosen language."""
        query = f"?{urlencode(params)}" if params else ""
        return self.keep_language(self.server + path + query)

    def keep_language(self, address: str) -> str:
        if not self.choice.explicit:
            return address
        mark = "&" if "?" in address else "?"
        return f"{address}{mark}lang={self.lang}"

    def switch(self, lang: str) -> str:
        """A relative link to this same page in ``lang``."""
        return "?" + urlencode((*self.query, ("lang", lang)))

    def say(self, key: str) -> str:
        return say(key, self.lang)

    def kind_name(self, kind: str) -> str:
        return kind_name(kind, self.lang)


def render(template: str, site: Site, **context: Any) -> str:
    """The page ``template`` rendered for ``site``'s reader."""
    return _ENVIRONMENT.get_template(template).render(
        site=site,
        lang=site.lang,
        languages=LANGUAGE_NAMES,
        stylesheet=site.server + STYLESHEET,
        **context,
    )


def html(
    template: str, site: Site, *, status: int = 200, headers: dict[str, str], **context: Any
) -> HTMLResponse:
    """The rendered page as a response, with ``Content-Language`` and the given headers."""
    return HTMLResponse(
        render(template, site, **context),
        status_code=status,
        headers={**headers, "Content-Language": site.lang},
    )


def not_found_page(
    site: Site, *, asked: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The ``404`` page: what was asked, a search box, the way to the index, and to the list of
    the kind the identifier names if there is one (``/id/city`` is no resource; ``/id/city/``
    lists the cities)."""
    extra = {"Cache-Control": "no-cache", "Vary": VARY, **(headers or {})}
    kind = asked.removeprefix(ID_IRI).split("/")[0] if asked.startswith(ID_IRI) else ""
    return html(
        "ld_notfound.html",
        site,
        status=404,
        headers=extra,
        asked=asked,
        kind=kind if kind in KINDS else None,
    )
