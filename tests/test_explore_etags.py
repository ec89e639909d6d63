"""The network API's answers and the timeline's numbers carry the release's validators, as
``/explore/map.json`` does (issue 16: a proxy in front of several web processes revalidates
them instead of fetching them again after ``max-age``).

On the session's real server: each answer has a weak ``ETag`` and ``Last-Modified``; the tag
sent back in ``If-None-Match`` gets ``304`` with no body and the same caching headers; another
filter or format is another answer with another tag; ``If-Modified-Since`` gets ``304`` too;
and a conditional request never hides an error: a bad filter is still ``400`` and an unknown
agent ``404``.
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.slow

CITY = "org/kitakyushu-city-government"
ANSWERS = [
    "/network",
    "/network/stats?top=3",
    f"/network/path?from=jica&to={CITY}",
    "/network/ego?agent=jica&radius=1",
    "/network/ego/org/jica",
    "/network/export.gexf",
    "/network/export.nodes.csv?kind=agreement",
    "/explore/timeline.json",
    "/explore/timeline.csv",
    "/explore/timeline.svg?lang=ja",
]
OTHERS = {
    "/network": "/network?kind=agreement",
    "/network/stats?top=3": "/network/stats?top=4",
    f"/network/path?from=jica&to={CITY}": f"/network/path?from=jica&to={CITY}&all=true",
    "/network/ego?agent=jica&radius=1": "/network/ego?agent=jica&radius=2",
    "/network/ego/org/jica": f"/network/ego/{CITY}",
    "/network/export.gexf": "/network/export.graphml",
    "/network/export.nodes.csv?kind=agreement": "/network/export.nodes.csv",
    "/explore/timeline.json": "/explore/timeline.csv",
    "/explore/timeline.csv": "/explore/timeline.json",
    "/explore/timeline.svg?lang=ja": "/explore/timeline.svg",
}
"""For each answer, another one (filter, format, language) that must have another tag."""
CACHING = ("ETag", "Last-Modified", "Cache-Control", "Kggraph-Version")


def _get(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers=headers, timeout=60)


@pytest.mark.parametrize("path", ANSWERS)
def test_an_answer_is_revalidated_with_its_etag(server: Server, path: str) -> None:
    first = _get(server, path)
    assert first.status_code == 200, first.text
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Last-Modified"]
    assert "public" in first.headers["Cache-Control"]
    held = _get(server, path, **{"If-None-Match": tag})
    assert held.status_code == 304 and held.content == b""
    for header in CACHING:
        assert held.headers[header] == first.headers[header], header
    listed = _get(server, path, **{"If-None-Match": f'"other", {tag.removeprefix("W/")}'})
    assert listed.status_code == 304
    other = _get(server, OTHERS[path], **{"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag and other.content


def test_an_answer_not_modified_since_the_build_is_304(server: Server) -> None:
    first = _get(server, "/network/stats")
    since = first.headers["Last-Modified"]
    assert _get(server, "/network/stats", **{"If-Modified-Since": since}).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    again = _get(server, "/network/stats", **{"If-Modified-Since": earlier})
    assert again.status_code == 200 and again.json() == first.json()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/network?from_year=2020&to_year=2010", 400),
        ("/network/stats?country=atlantis", 400),
        ("/network/ego?agent=Nobody%20Inc.", 404),
        ("/network/path?from=jica&to=j-fils&to_year=2010", 404),
    ],
)
def test_a_conditional_request_does_not_hide_an_error(
    server: Server, path: str, status: int
) -> None:
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    for condition in ({"If-None-Match": "*"}, {"If-Modified-Since": later}):
        answer = _get(server, path, **condition)
        assert answer.status_code == status, (condition, answer.text)
        assert "ETag" not in answer.headers
