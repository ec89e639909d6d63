"""``/robots.txt`` and ``/sitemap.xml``: crawlers find every entity page and only those.

The expected pages are the subject IRIs under ``…/id/`` of the session build, asked of its
store by SPARQL.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import ID_IRI
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from tests.conftest import PUBLIC_URL, Server

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _xml(data: bytes | str) -> ET.Element:
    """Parse an answer of our own test server on 127.0.0.1 (not untrusted input)."""
    return ET.fromstring(data)  # noqa: S314


@pytest.fixture(scope="module")
def entity_pages(built: BuildResult, server: Server) -> set[str]:
    store = Release(built.release).open_store()
    solutions = store.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_IRI}")) }}'
    )
    assert isinstance(solutions, ox.QuerySolutions)
    pages = {f"{server.url}/id/{row[0].value.removeprefix(ID_IRI)}.html" for row in solutions}
    assert len(pages) > 300
    return pages


@pytest.fixture(scope="module")
def sitemap(server: Server) -> httpx.Response:
    answer = httpx.get(server.url + "/sitemap.xml", timeout=30)
    assert answer.status_code == 200
    return answer


def test_robots_points_to_the_sitemap(server: Server) -> None:
    robots = httpx.get(server.url + "/robots.txt", timeout=30)
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    lines = robots.text.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {server.url}/sitemap.xml" in lines
    assert "Disallow: /sparql" in lines
    sitemap_url = next(line.split(": ", 1)[1] for line in lines if line.startswith("Sitemap:"))
    assert httpx.get(sitemap_url, timeout=30).status_code == 200


def test_sitemap_is_valid_xml_listing_exactly_the_entity_pages(
    sitemap: httpx.Response, entity_pages: set[str], built: BuildResult
) -> None:
    assert sitemap.headers["content-type"].startswith("application/xml")
    root = _xml(sitemap.content)
    assert root.tag == SITEMAP + "urlset"
    urls = root.findall(SITEMAP + "url")
    locations = [u.findtext(SITEMAP + "loc") for u in urls]
    assert len(locations) == len(set(locations))
    assert set(locations) == entity_pages
    built_day = built.manifest.built_at.date()
    assert {u.findtext(SITEMAP + "lastmod") for u in urls} == {built_day.isoformat()}
    assert all(child.tag == SITEMAP + "url" for child in root)


def test_sitemap_pages_answer_as_html(sitemap: httpx.Response) -> None:
    root = _xml(sitemap.content)
    locations = sorted(u.findtext(SITEMAP + "loc") or "" for u in root.iter(SITEMAP + "url"))
    sample = locations[:: max(1, len(locations) // 8)]
    for url in sample:
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html"), url


def test_robots_and_sitemap_have_validators_and_304(server: Server) -> None:
    for path in ("/robots.txt", "/sitemap.xml"):
        first = httpx.get(server.url + path, timeout=30)
        assert first.headers["etag"] and first.headers["last-modified"], path
        again = httpx.get(
            server.url + path, headers={"If-None-Match": first.headers["etag"]}, timeout=30
        )
        assert again.status_code == 304, path
        since = httpx.get(
            server.url + path,
            headers={"If-Modified-Since": first.headers["last-modified"]},
            timeout=30,
        )
        assert since.status_code == 304, path


@pytest.mark.slow
def test_sitemap_follows_the_public_url(published: Server) -> None:
    public = PUBLIC_URL.rstrip("/")
    text = httpx.get(published.url + "/sitemap.xml", timeout=30).content
    robots = httpx.get(published.url + "/robots.txt", timeout=30).text
    locations = [u.text or "" for u in _xml(text).iter(SITEMAP + "loc")]
    assert locations and all(url.startswith(public + "/id/") for url in locations)
    assert f"Sitemap: {public}/sitemap.xml" in robots.splitlines()
