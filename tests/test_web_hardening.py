"""The web tier under hostile or broken conditions (issue 13: 11, 12), over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from kggraph.build import BuildResult
from kggraph.web.security import secured
from tests.conftest import Server


@pytest.mark.parametrize("header", [b"bytes=\xb2-", b"bytes=0-\xb9", b"bytes=\xb2-\xb3"])
def test_a_range_of_unicode_digits_is_ignored(
    server: Server, built: BuildResult, header: bytes
) -> None:
    """``²`` is a digit to ``str.isdigit`` but not to ``int``: this was a ``500``."""
    answer = httpx.get(
        server.url + "/dumps/kggraph.nt",
        headers={b"Range": header, b"Accept-Encoding": b"identity"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == (built.release / "kggraph.nt").read_bytes()


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TURTLE = {"Accept": "text/turtle"}


def _some_resource(built: BuildResult) -> str:
    """The path of a resource page the build publishes (``/id/…``)."""
    for line in (built.release / "kggraph.nt").read_text(encoding="utf-8").splitlines():
        subject = line.split(" ", 1)[0]
        if subject.startswith("<https://w3id.org/kggraph/id/"):
            return subject.strip("<>").removeprefix("https://w3id.org/kggraph")
    raise AssertionError("the build holds no resource under /id/")


def _walk(built: BuildResult) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of a request to every route family, pages and programs."""
    resource = _some_resource(built)
    return [
        ("GET", "/", BROWSER),
        ("GET", "/sparql", BROWSER),
        ("GET", "/sparql", TURTLE),  # the service description
        ("GET", "/sparql?query=ASK%7B%7D", {}),  # the fast path
        ("GET", "/sparql?query=SELEC", {}),  # the fast path's 400
        ("POST", "/sparql", {"Content-Type": "application/sparql-query"}),  # empty: 400
        ("GET", resource, BROWSER),
        ("GET", resource, TURTLE),
        ("GET", "/id/city/atlantis", BROWSER),  # the 404 page
        ("GET", "/search?q=a", BROWSER),
        ("GET", "/catalog", BROWSER),
        ("GET", "/catalog", TURTLE),
        ("GET", "/ontology", BROWSER),
        ("GET", "/ontology.svg", {}),
        ("GET", "/dumps/", BROWSER),
        ("GET", "/dumps/kggraph.nt", {}),
        ("GET", "/dumps/nothing.nt", {}),  # 404
        ("GET", "/.well-known/void", BROWSER),
        ("GET", "/queries", {}),
        ("GET", "/queries/no-such-query", {}),  # 404
        ("GET", "/network/stats", {}),
        ("GET", "/network/path?source=nobody&target=noone", {}),  # 4xx
        ("GET", "/explore/network", BROWSER),
        ("GET", "/explore/timeline", BROWSER),
        ("GET", "/docs", BROWSER),
        ("GET", "/openapi.json", {}),
        ("GET", "/robots.txt", {}),
        ("GET", "/health", {}),
        ("GET", "/no/such/page", BROWSER),  # the framework's 404
        ("POST", "/catalog", {}),  # 405
    ]


def test_every_answer_carries_the_security_headers(server: Server, built: BuildResult) -> None:
    """nosniff and a referrer policy everywhere; framing refused on every page; errors never
    stored by a cache (issue 13, 12)."""
    statuses = set()
    pages = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for method, path, headers in _walk(built):
            answer = client.request(method, path, headers=headers)
            where = f"{method} {path} {headers} -> {answer.status_code}"
            statuses.add(answer.status_code // 100)
            assert answer.headers.get("x-content-type-options") == "nosniff", where
            assert answer.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
            media = answer.headers.get("content-type", "").split(";")[0]
            if media in ("text/html", "image/svg+xml"):
                pages += 1
                assert answer.headers.get("x-frame-options") == "DENY", where
                policy = answer.headers.get("content-security-policy", "")
                framing = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
                assert framing == ["frame-ancestors 'none'"], where
            if answer.status_code >= 400:
                assert answer.headers.get("cache-control") == "no-store", where
    assert statuses == {2, 4}, "the walk reaches both answers and errors"
    assert pages >= 12, "the walk reaches the pages"


def test_a_gone_answer_keeps_its_caching_and_a_page_keeps_its_policy() -> None:
    gone = dict(secured(410, [(b"cache-control", b"public, max-age=60")]))
    assert gone[b"cache-control"] == b"public, max-age=60"
    stale = dict(secured(404, [(b"cache-control", b"public, max-age=60"), (b"expires", b"x")]))
    assert stale[b"cache-control"] == b"no-store" and b"expires" not in stale
    page = dict(
        secured(
            200,
            [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-security-policy", b"default-src 'self'; frame-ancestors 'self'"),
            ],
        )
    )
    assert page[b"content-security-policy"] == b"default-src 'self'; frame-ancestors 'none'"
    assert page[b"x-frame-options"] == b"DENY"
