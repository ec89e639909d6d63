"""The shipped reverse-proxy configuration, ``deploy/nginx.conf``, run as it is (its
placeholders filled in) by Debian's nginx on loopback in front of two ``kggraph serve``
processes (issue 16, part 3).

A repeated page comes from nginx's cache (the web processes see one request); once kggraph's
``max-age`` is over, nginx asks again with the ``ETag`` and keeps its copy on a ``304``; after a
new release is published the same question gets the new page (a new ``ETag``, a ``200``). The
upstream's work is read from ``X-Cache-Status`` (the configuration's own header) and from
nginx's access log, which names the web process that answered, or none for a cache hit.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.core.formats import BY_NAME, HTML
from kggraph.publish.build import build
from tests.conftest import (
    ROOT,
    Server,
    free_port,
    require,
    start_server,
    stop_server,
    write_small_project,
)

pytestmark = pytest.mark.slow

TEMPLATE = ROOT / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
MAX_AGE = 2
"""``KGGRAPH_CACHE_MAX_AGE`` of the web processes: how long nginx serves its copy unasked."""
EXPIRED_AFTER = MAX_AGE + 1.2
"""Seconds after which nginx's copy has expired for sure: nginx counts in whole seconds, and
a copy stays fresh through the second its ``max-age`` ends in."""
PAGE = "/id/country/testland"
INDEX = "/id/country/"
PAGE_HEADERS = {"Accept": HTML.media_type}
NEW_COUNTRY = """@prefix kg:   <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgid:country\\/newland a kg:Country ;
    rdfs:label "Newland"@en , "新しい国"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
"""What the next release adds: a country the country index then lists."""


def nginx_binary() -> str | None:
    """nginx, on the ``PATH`` or where Debian puts it (``/usr/sbin`` is not on every user's)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def render(template: str, **values: str) -> str:
    """The template with each ``{{NAME}}`` replaced by ``values[NAME]``; every one must be."""
    names = set(PLACEHOLDER.findall(template))
    assert names == set(values), f"the template's placeholders are {sorted(names)}"
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], template)


@dataclass
class Proxy:
    url: str
    prefix: Path
    process: subprocess.Popen[bytes]

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.get(self.url + path, headers=headers or {}, timeout=30)

    def log_lines(self, path: str) -> list[str]:
        """The access log's lines for ``GET path`` (written when an answer is done)."""
        text = (self.prefix / "access.log").read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if f'"GET {path} HTTP/' in line]

    def upstream_requests(self, path: str, *, expected: int) -> int:
        """How many ``GET path`` went to a web process, once the log has ``expected`` lines."""
        deadline = time.monotonic() + 5
        while len(lines := self.log_lines(path)) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        return sum(1 for line in lines if "upstream=-" not in line)


def start_nginx(binary: str, prefix: Path, webs: tuple[Server, Server]) -> Proxy:
    """nginx in the foreground on a free port, its files under ``prefix``."""
    port = free_port()
    config = render(
        TEMPLATE.read_text(encoding="utf-8"),
        LISTEN=f"127.0.0.1:{port}",
        WEB_1=webs[0].url.removeprefix("http://"),
        WEB_2=webs[1].url.removeprefix("http://"),
    )
    (prefix / "nginx.conf").write_text(config, encoding="utf-8")
    # started as root, nginx's workers would run as nobody, who may not enter pytest's folders
    directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    command = [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr",
               "-g", directives]  # fmt: skip
    with (prefix / "nginx.out").open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Proxy(f"http://127.0.0.1:{port}", prefix, process)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError((prefix / "nginx.out").read_text(errors="replace")) from None
            time.sleep(0.05)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The small project of this module (a test adds to it), built and published."""
    root = write_small_project(tmp_path_factory.mktemp("behind-nginx"))
    settings = Settings(root=root, output=root / "dist")
    build(settings)
    return settings


@pytest.fixture(scope="module")
def webs(project: Settings) -> Iterator[tuple[Server, Server]]:
    started: list[Server] = []
    try:
        for n in (1, 2):
            log = project.root / f"web-{n}.log"
            started.append(
                start_server(
                    project.output_dir,
                    log,
                    via_cli=True,
                    cache_max_age=str(MAX_AGE),
                    trusted_proxies="127.0.0.1",
                )
            )
        yield started[0], started[1]
    finally:
        for server in started:
            stop_server(server)


@pytest.fixture(scope="module")
def proxy(webs: tuple[Server, Server], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    binary = nginx_binary()
    require(binary is not None, "nginx is not installed (Debian: apt-get install nginx)")
    assert binary is not None
    running = start_nginx(binary, tmp_path_factory.mktemp("nginx"), webs)
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


def test_the_shipped_configuration_is_what_runs() -> None:
    """The template holds only the placeholders this module fills in, and nginx reads it."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert set(PLACEHOLDER.findall(text)) == {"LISTEN", "WEB_1", "WEB_2"}
    assert "proxy_cache_revalidate on;" in text and "$http_accept_language" in text


def test_a_repeated_page_is_served_by_the_proxy(proxy: Proxy) -> None:
    first = proxy.get(PAGE, PAGE_HEADERS)
    assert first.status_code == 200, first.text
    assert first.headers["X-Cache-Status"] == "MISS"
    again = proxy.get(PAGE, PAGE_HEADERS)
    assert again.headers["X-Cache-Status"] == "HIT"
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    held = proxy.get(PAGE, {**PAGE_HEADERS, "If-None-Match": first.headers["ETag"]})
    assert held.status_code == 304 and held.headers["X-Cache-Status"] == "HIT"
    assert proxy.upstream_requests(PAGE, expected=3) == 1
    # the page's links name the proxy, whose Host nginx passed on, not a web process
    assert f"{proxy.url}{PAGE}" in first.text


def test_each_format_and_language_is_kept_apart(proxy: Proxy) -> None:
    turtle = {"Accept": BY_NAME["turtle"].media_type}
    japanese = {**PAGE_HEADERS, "Accept-Language": "ja"}
    english = proxy.get(PAGE, PAGE_HEADERS).text
    for headers in (turtle, japanese):
        first = proxy.get(PAGE, headers)
        assert first.status_code == 200 and first.text != english
        assert proxy.get(PAGE, headers).content == first.content
    assert proxy.get(PAGE, turtle).headers["Content-Type"].startswith(turtle["Accept"])
    assert 'lang="ja"' in proxy.get(PAGE, japanese).text


def test_errors_and_per_process_answers_are_not_kept(proxy: Proxy) -> None:
    """An error (``no-store``), ``/health`` (no caching headers) and the query page
    (``no-cache``) go to a web process every time; so does a query sent with ``POST``."""
    for path in ("/id/country/nowhere", "/health", "/"):
        for _ in range(2):
            answer = proxy.get(path, PAGE_HEADERS)
            assert answer.headers["X-Cache-Status"] == "MISS", path
        assert proxy.upstream_requests(path, expected=2) == 2
    for _ in range(2):
        posted = httpx.post(proxy.url + "/sparql", data={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert posted.status_code == 200, posted.text
        assert "X-Cache-Status" not in posted.headers  # the cache is not even looked in


def test_both_web_processes_answer(proxy: Proxy, webs: tuple[Server, Server]) -> None:
    for n in range(4):  # four different queries: no answer from the cache
        query = urlencode({"query": f"ASK {{ ?s ?p ?o FILTER(?o != {n}) }}"})
        assert proxy.get(f"/sparql?{query}").status_code == 200
    text = (proxy.prefix / "access.log").read_text(encoding="utf-8")
    for web in webs:
        assert "upstream=" + web.url.removeprefix("http://") in text


def test_an_expired_page_is_revalidated_with_its_etag(proxy: Proxy) -> None:
    path = "/.well-known/void"
    first = proxy.get(path)
    assert first.headers["X-Cache-Status"] == "MISS"
    time.sleep(EXPIRED_AFTER)
    later = proxy.get(path)
    assert later.headers["X-Cache-Status"] == "REVALIDATED"  # kggraph answered 304
    assert later.content == first.content and later.headers["ETag"] == first.headers["ETag"]
    assert proxy.upstream_requests(path, expected=2) == 2
    assert "upstream_status=304" in proxy.log_lines(path)[-1]


def test_a_new_release_replaces_the_kept_page(
    proxy: Proxy, project: Settings, webs: tuple[Server, Server]
) -> None:
    before = proxy.get(INDEX, PAGE_HEADERS)
    assert before.status_code == 200 and "Newland" not in before.text
    assert proxy.get(INDEX, PAGE_HEADERS).headers["X-Cache-Status"] == "HIT"
    asked_at = time.monotonic()
    old = version_of(webs[0])
    (project.data_dir / "newland.ttl").write_text(NEW_COUNTRY, encoding="utf-8")
    version = build(project).release.name
    assert version != old
    deadline = time.monotonic() + 60
    while not all(version_of(web) == version for web in webs):
        assert time.monotonic() < deadline, "the web processes did not follow the new release"
        time.sleep(0.2)
    time.sleep(max(0.0, asked_at + EXPIRED_AFTER - time.monotonic()))
    after = proxy.get(INDEX, PAGE_HEADERS)
    assert after.headers["X-Cache-Status"] == "EXPIRED"  # asked again: a 200, not a 304
    assert "Newland" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    kept = proxy.get(INDEX, PAGE_HEADERS)
    assert kept.headers["X-Cache-Status"] == "HIT" and kept.content == after.content


def version_of(web: Server) -> str:
    """The release a web process serves (asked directly, not through the proxy)."""
    return str(httpx.get(web.url + "/health", timeout=10).json()["version"])
