"""``/dumps/``: the current build's graph dumps, for download.

``/dumps/`` lists them (JSON for programs, ``index.json``; a page for browsers, ``index.html``)
with name, size, SHA-256 and media type, and ``/dumps/SHA256SUMS`` is ready for
``sha256sum -c``. Each file (``/dumps/kggraph.ttl``, ``/dumps/kggraph.ttl.gz`` …) is sent by
Starlette's ``FileResponse``: ``Content-Length``, byte ranges (``206``, ``Accept-Ranges``,
``If-Range``) for resumable downloads; ``kggraph.web.http.transfer`` reads ``Range`` first, so an
invalid one is ignored and ``416`` comes with one line saying why. Validators are strong, from
the manifest (``ETag`` = the file's SHA-256, ``Last-Modified`` = the build time), and a
conditional ``GET`` gets ``304``. ``Repr-Digest`` (RFC 9530) carries the SHA-256 as well. A file
missing from the release, or of another size than the manifest lists, is ``503`` (the release
is damaged; logged), not a ``404``: the client asked for a file the build published.

A plain dump asked for by a client that accepts gzip is sent as its ``.gz`` twin with
``Content-Encoding: gzip`` (that file's ETag and length; ``Vary: Accept-Encoding``): the bytes
are already compressed, and the application's gzip middleware, which would otherwise compress
on the fly, drops ``Content-Length`` and keeps a strong ETag for different bytes, leaves an
encoded answer alone. Clients that do not ask for gzip (``curl``, ``wget``) get the file as is.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from kggraph.core.errors import NotFound
from kggraph.core.formats import HTML, Format
from kggraph.dataset.identity import CATALOG, Download, downloads, is_dump, location
from kggraph.query.negotiate import choose
from kggraph.web.http.conditional import not_modified, not_modified_response
from kggraph.web.http.errors import text_error
from kggraph.web.http.transfer import accepts_gzip, read_ranges
from kggraph.web.publishing.context import LOG, Context, ContextRoute, answer, damaged

JSON = Format("json", "application/json", HTML.kind, (), ("json",))
LISTING = (JSON, HTML)
SUMS = "SHA256SUMS"


def routes() -> list[ContextRoute]:
    return [
        ("/dumps/", listing),
        ("/dumps/index.{ext}", listing),
        (f"/dumps/{SUMS}", sums),
        ("/dumps/{name}", dump),
    ]


def files_of(context: Context) -> list[Download]:
    return downloads(context.runtime.manifest.files)


async def listing(context: Context) -> Response:
    ext = context.request.path_params.get("ext")
    if ext is None:
        fmt = choose(context.request.headers.get("accept"), LISTING, what="the list of downloads")
    elif ext in ("json", "html"):
        fmt = JSON if ext == "json" else HTML
    else:
        raise NotFound(f"there is no index.{ext}; try index.json or index.html")
    entries = [_entry(context, d) for d in files_of(context)]
    if fmt is HTML:
        body = context.body(("dumps-html",), lambda: _page(context, entries))
        media = "text/html; charset=utf-8"
    else:
        body = context.body(("dumps-json",), lambda: _json(context, entries))
        media = "application/json"
    headers = {"Vary": "Accept"} if ext is None else {}
    return answer(context, body, media, headers)


def _entry(context: Context, d: Download) -> dict[str, Any]:
    return {
        "name": d.name,
        "url": location(d.iri, context.server),
        "bytes": d.bytes,
        "sha256": d.sha256,
        "media_type": d.media_type,
        "format": d.kind.media_type,
        "encoding": "gzip" if d.compressed else None,
    }


def _json(context: Context, entries: list[dict[str, Any]]) -> bytes:
    document = {
        "version": context.runtime.version,
        "built_at": context.runtime.manifest.built_at_text,
        "sha256sums": f"{context.server}/dumps/{SUMS}",
        "catalog": location(CATALOG, context.server),
        "files": entries,
    }
    return bytes(JSONResponse(document).body)


def _page(context: Context, entries: list[dict[str, Any]]) -> bytes:
    return context.render(
        "pub_dumps.html",
        files=entries,
        built_at=context.runtime.manifest.built_at_text,
        sums=f"{context.server}/dumps/{SUMS}",
        listing_json=f"{context.server}/dumps/index.json",
    )


async def sums(context: Context) -> Response:
    """``<sha256>  <name>`` per file, the format ``sha256sum -c`` checks."""
    text = "".join(f"{d.sha256}  {d.name}\n" for d in files_of(context))
    return answer(context, text.encode("utf-8"), "text/plain; charset=utf-8")


async def dump(context: Context) -> Response:
    return _send(context, context.request.path_params["name"])


def _send(context: Context, name: str) -> Response:
    by_name = {d.name: d for d in files_of(context)}
    asked = by_name.get(name) if is_dump(name) else None
    if asked is None:
        listed = ", ".join(sorted(by_name)) or "none"
        raise NotFound(f"there is no dump {name!r} in this build; the files are: {listed}")
    sent, encoded = asked, False
    twin = by_name.get(name + ".gz")
    if not asked.compressed and twin is not None:
        if accepts_gzip(context.request.headers.get("accept-encoding")):
            sent, encoded = twin, True
    path = context.release.path / sent.name
    stat = _checked_stat(path, sent)
    headers = {
        **context.caching(),
        "Repr-Digest": "sha-256=:" + base64.b64encode(bytes.fromhex(sent.sha256)).decode() + ":",
        "Link": f'<{location(CATALOG, context.server)}>; rel="describedby"',
    }
    if twin is not None:
        headers["Vary"] = "Accept-Encoding"
    if encoded:
        headers["Content-Encoding"] = "gzip"
    found = context.validators(f'"{sent.sha256}"')
    headers.update(found.headers)
    if not_modified(context.request, found):
        return not_modified_response(headers)
    return _file(context, path, asked, headers, stat)


def _checked_stat(path: Path, listed: Download) -> os.stat_result:
    """The file's status; ``ReleaseDamaged`` (logged) if it is missing or its size is not the
    one the manifest lists (a file cut short or replaced since the build)."""
    try:
        stat = os.stat(path)
    except OSError as err:
        LOG.error("the published release is damaged: %s: %s", path, err)
        raise damaged(listed.name, "is missing") from None
    if stat.st_size != listed.bytes:
        LOG.error(
            "the published release is damaged: %s has %d bytes, the manifest lists %d",
            path,
            stat.st_size,
            listed.bytes,
        )
        raise damaged(listed.name, f"has {stat.st_size} bytes, not the {listed.bytes} listed")
    return stat


def _file(
    context: Context,
    path: Path,
    asked: Download,
    headers: dict[str, str],
    stat: os.stat_result,
) -> Response:
    response = _RangeCheckedFile(
        path,
        headers=headers,
        media_type=asked.media_type,
        filename=asked.name,
        stat_result=stat,
    )
    header = context.request.headers.get("range")
    if header is None:
        return response
    ranges = read_ranges(header, stat.st_size)
    if ranges is None:
        response.range_header = None
    elif not ranges.satisfiable:
        # no kggraph error stands for 416 (it carries the file's size in Content-Range), so the
        # route answers it itself, in the text shape of every error here
        return text_error(
            416,
            f"the range {header!r} is outside the file, which has {stat.st_size} bytes",
            headers={"Content-Range": f"bytes */{stat.st_size}", "Accept-Ranges": "bytes"},
        )
    else:
        response.range_header = ranges.header()
    return response


class _RangeCheckedFile(FileResponse):
    """A ``FileResponse`` that sees the ``Range`` header as ``kggraph.web.http.transfer`` read it:
    none when it was invalid, only its satisfiable ranges otherwise."""

    range_header: str | None = ""
    """``""``: the request's own header; ``None``: no range; else the header to use."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.range_header != "":
            kept = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
            if self.range_header is not None:
                kept.append((b"range", self.range_header.encode("latin-1")))
            scope = {**scope, "headers": kept}
        await super().__call__(scope, receive, send)
