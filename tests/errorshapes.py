"""What an error answer of the server looks like, by route family (``kggraph.web.http.errors``):
one line of text, ``STATUS Phrase: message``, or an RFC 9457 problem document. Each check
returns the message, for the test to look into."""

from __future__ import annotations

import json
import re
from http import HTTPStatus

import httpx

TEXT_LINE = re.compile(r"(\d{3}) ([A-Za-z][A-Za-z' -]+): ([^\n]+)\n")
PROBLEM_KEYS: dict[str, type] = {
    "type": str,
    "title": str,
    "status": int,
    "detail": str,
    "instance": str,
}


def text_message(status: int, content_type: str, body: str) -> str:
    """The message of a one-line text error with ``status``."""
    assert content_type.startswith("text/plain"), f"an error as {content_type!r}: {body[:300]!r}"
    found = TEXT_LINE.fullmatch(body)
    assert found is not None, f"an error that is not one line of text: {body[:300]!r}"
    assert (int(found[1]), found[2]) == (status, HTTPStatus(status).phrase), body
    return found[3]


def problem_detail(status: int, content_type: str, body: str, *, instance: str) -> str:
    """The ``detail`` of a problem document for ``status`` about the path ``instance``."""
    assert content_type.startswith("application/problem+json"), f"an error as {content_type!r}"
    document = json.loads(body)
    assert isinstance(document, dict) and set(document) == set(PROBLEM_KEYS), document
    for key, kind in PROBLEM_KEYS.items():
        assert isinstance(document[key], kind), (key, document)
    assert document["type"] == "about:blank", document
    assert document["status"] == status and document["title"] == HTTPStatus(status).phrase
    assert document["instance"] == instance, document
    detail: str = document["detail"]
    assert detail.strip() and "\n" not in detail, document
    return detail


def text_of(answer: httpx.Response) -> str:
    """``text_message`` of an httpx answer."""
    return text_message(answer.status_code, answer.headers["content-type"], answer.text)


def problem_of(answer: httpx.Response) -> str:
    """``problem_detail`` of an httpx answer, about the path it was asked for."""
    content_type = answer.headers["content-type"]
    return problem_detail(
        answer.status_code, content_type, answer.text, instance=answer.request.url.path
    )
