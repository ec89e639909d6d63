"""The web tier under hostile or broken conditions (issue 13: 11, 12), over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from kggraph.build import BuildResult
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
