"""``/dumps/``: every dump of the build downloadable, checkable and resumable, over real HTTP.

Expected sizes and checksums are computed here from the files of the session build, not read
from what the server lists.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from kggraph.publish.build import BuildResult
from tests.conftest import Server

IDENTITY = {"Accept-Encoding": "identity"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
MEDIA = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".gz": "application/gzip",
}


def _dump_files(built: BuildResult) -> dict[str, bytes]:
    """The graph dumps in the release folder: kggraph.<format>[.gz]."""
    return {
        p.name: p.read_bytes()
        for p in sorted(built.release.iterdir())
        if p.name.startswith("kggraph.")
    }


@pytest.fixture(scope="module")
def files(built: BuildResult) -> dict[str, bytes]:
    found = _dump_files(built)
    assert {"kggraph.ttl", "kggraph.nt", "kggraph.jsonld"} <= set(found)
    return found


def _get(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers={**IDENTITY, **headers}, timeout=30)


def test_index_lists_every_dump_with_size_and_checksum(
    server: Server, files: dict[str, bytes]
) -> None:
    listing = httpx.get(server.url + "/dumps/", timeout=30)
    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("application/json")
    entries = {e["name"]: e for e in listing.json()["files"]}
    assert set(entries) == set(files)
    for name, data in files.items():
        entry = entries[name]
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["media_type"] == MEDIA[Path(name).suffix]
        assert entry["url"] == f"{server.url}/dumps/{name}"
        assert (entry["encoding"] == "gzip") == name.endswith(".gz")


def test_every_dump_downloads_whole_with_its_headers(
    server: Server, files: dict[str, bytes]
) -> None:
    for name, data in files.items():
        answer = _get(server, f"/dumps/{name}")
        assert answer.status_code == 200, name
        assert answer.content == data, name
        assert hashlib.sha256(answer.content).hexdigest() == hashlib.sha256(data).hexdigest()
        assert int(answer.headers["content-length"]) == len(data)
        assert answer.headers["content-type"].startswith(MEDIA[Path(name).suffix])
        assert answer.headers["accept-ranges"] == "bytes"
        assert answer.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
        assert parsedate_to_datetime(answer.headers["last-modified"]).year >= 2024
        assert "content-encoding" not in answer.headers


def test_gzip_versions_decompress_to_the_plain_ones(
    server: Server, files: dict[str, bytes]
) -> None:
    packed = [name for name in files if name.endswith(".gz")]
    assert len(packed) == len(files) // 2
    for name in packed:
        plain = _get(server, "/dumps/" + name.removesuffix(".gz")).content
        assert gzip.decompress(_get(server, f"/dumps/{name}").content) == plain


def test_a_client_that_accepts_gzip_gets_the_packed_file_encoded(
    server: Server, files: dict[str, bytes]
) -> None:
    packed = files["kggraph.ttl.gz"]
    with httpx.Client(timeout=30) as client:  # httpx asks for gzip and decodes it
        answer = client.get(server.url + "/dumps/kggraph.ttl")
    assert answer.headers["content-encoding"] == "gzip"
    assert int(answer.headers["content-length"]) == len(packed)
    assert answer.headers["etag"] == f'"{hashlib.sha256(packed).hexdigest()}"'
    assert "accept-encoding" in answer.headers["vary"].lower()
    assert answer.content == files["kggraph.ttl"]


def test_a_range_gives_206_and_exactly_those_bytes(server: Server, files: dict[str, bytes]) -> None:
    data = files["kggraph.nt"]
    answer = _get(server, "/dumps/kggraph.nt", Range="bytes=100-199")
    assert answer.status_code == 206
    assert answer.content == data[100:200]
    assert answer.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert int(answer.headers["content-length"]) == 100
    tail = _get(server, "/dumps/kggraph.nt", Range="bytes=-50")
    assert tail.status_code == 206 and tail.content == data[-50:]
    beyond = _get(server, "/dumps/kggraph.nt", Range=f"bytes={len(data) - 10}-{len(data) + 500}")
    assert beyond.status_code == 206 and beyond.content == data[-10:]


def test_an_interrupted_download_resumes(server: Server, files: dict[str, bytes]) -> None:
    data = files["kggraph.jsonld.gz"]
    cut = len(data) // 3
    first = _get(server, "/dumps/kggraph.jsonld.gz", Range=f"bytes=0-{cut - 1}")
    assert first.status_code == 206
    etag = first.headers["etag"]
    rest = _get(server, "/dumps/kggraph.jsonld.gz", Range=f"bytes={cut}-", **{"If-Range": etag})
    assert rest.status_code == 206
    whole = first.content + rest.content
    assert hashlib.sha256(whole).hexdigest() == hashlib.sha256(data).hexdigest()
    changed = _get(
        server,
        "/dumps/kggraph.jsonld.gz",
        Range=f"bytes={cut}-",
        **{"If-Range": '"another-version"'},
    )
    assert changed.status_code == 200 and changed.content == data


def test_a_range_outside_the_file_gets_416(server: Server, files: dict[str, bytes]) -> None:
    size = len(files["kggraph.ttl"])
    answer = _get(server, "/dumps/kggraph.ttl", Range=f"bytes={size}-")
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{size}"
    assert answer.text.count("\n") == 1 and str(size) in answer.text


def test_an_unreadable_range_is_ignored(server: Server, files: dict[str, bytes]) -> None:
    for header in ("bytes=abc", "bytes=20-10", "lines=1-2"):
        answer = _get(server, "/dumps/kggraph.ttl", Range=header)
        assert answer.status_code == 200, header
        assert answer.content == files["kggraph.ttl"]


def test_conditional_get_gets_304(server: Server) -> None:
    first = _get(server, "/dumps/kggraph.nt.gz")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = _get(server, "/dumps/kggraph.nt.gz", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = _get(server, "/dumps/kggraph.nt.gz", **{"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = _get(server, "/dumps/kggraph.nt.gz", **{"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_head_tells_the_size_without_the_body(server: Server, files: dict[str, bytes]) -> None:
    answer = httpx.head(server.url + "/dumps/kggraph.ttl", headers=IDENTITY, timeout=30)
    assert answer.status_code == 200
    assert int(answer.headers["content-length"]) == len(files["kggraph.ttl"])
    assert answer.content == b""


def test_sha256sums_checks_with_sha256sum(
    server: Server, files: dict[str, bytes], tmp_path: Path
) -> None:
    sums = _get(server, "/dumps/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["content-type"].startswith("text/plain")
    listed = dict(reversed(line.split("  ")) for line in sums.text.splitlines())
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    for name in files:
        (tmp_path / name).write_bytes(_get(server, f"/dumps/{name}").content)
    (tmp_path / "SHA256SUMS").write_text(sums.text, encoding="utf-8")
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(files)


def test_the_page_for_browsers_links_every_file(server: Server, files: dict[str, bytes]) -> None:
    page = httpx.get(server.url + "/dumps/", headers=BROWSER, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for name, data in files.items():
        assert f'href="{server.url}/dumps/{name}"' in page.text
        assert hashlib.sha256(data).hexdigest() in page.text
    assert page.headers["vary"].startswith("Accept")
    assert httpx.get(server.url + "/dumps/index.html", timeout=30).text == page.text


def test_listing_has_validators_and_304(server: Server) -> None:
    first = httpx.get(server.url + "/dumps/index.json", timeout=30)
    assert first.headers["etag"] and first.headers["last-modified"]
    again = httpx.get(
        server.url + "/dumps/index.json",
        headers={"If-None-Match": first.headers["etag"]},
        timeout=30,
    )
    assert again.status_code == 304


def test_an_unknown_file_is_a_404_line(server: Server) -> None:
    for path in ("/dumps/manifest.json", "/dumps/nothing.ttl", "/dumps/index.xml"):
        answer = httpx.get(server.url + path, timeout=30)
        assert answer.status_code == 404, path
        assert answer.text.count("\n") == 1
