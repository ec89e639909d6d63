"""``/docs``: Swagger UI from this server's own files, describing the API's real routes."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Server


def test_the_docs_page_loads_swagger_ui_from_this_server_only(server: Server) -> None:
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200, page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    hosts = set(re.findall(r"(?:https?:)?//([\w.-]+)", page.text))
    assert hosts <= {"127.0.0.1"}, hosts
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:
        fetched = httpx.get(server.url + asset)
        assert fetched.status_code == 200, asset
        assert fetched.content, asset


def test_the_described_api_names_the_canned_queries_and_the_network(server: Server) -> None:
    spec = httpx.get(server.url + "/openapi.json").json()
    paths = set(spec["paths"])
    assert "/queries" in paths
    assert any(p.startswith("/queries/") for p in paths)
    assert "/redoc" not in paths and "/docs" not in paths  # pages, not API routes
    assert httpx.get(server.url + "/redoc").status_code == 404
