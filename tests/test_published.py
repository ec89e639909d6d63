"""``kggraph.web.publishing.context.Published``: release files parsed once, and dropped with the
release."""

from __future__ import annotations

from pathlib import Path

import pytest

from kggraph.core.errors import ReleaseDamaged
from kggraph.graph.release import Release
from kggraph.web.publishing.context import BODY_ENTRIES, Published, triples_of


def _release(folder: Path, text: str) -> Release:
    folder.mkdir()
    (folder / "void.ttl").write_text(text, encoding="utf-8")
    return Release(folder)


def test_a_file_is_read_once_per_release(tmp_path: Path) -> None:
    first = _release(tmp_path / "20260101T000000Z-aaaa", "one")
    second = _release(tmp_path / "20260102T000000Z-bbbb", "two")
    published = Published()
    reads: list[Path] = []

    def read(path: Path) -> str:
        reads.append(path)
        return path.read_text(encoding="utf-8")

    assert published.read(first, "void.ttl", read) == "one"
    assert published.read(first, "void.ttl", read) == "one"
    assert len(reads) == 1
    assert published.read(second, "void.ttl", read) == "two"
    assert len(reads) == 2 and published.version == second.version


def test_answers_are_kept_per_release_and_bounded(tmp_path: Path) -> None:
    first = _release(tmp_path / "r1", "x")
    second = _release(tmp_path / "r2", "x")
    published = Published()
    made: list[str] = []

    def make(name: str) -> bytes:
        made.append(name)
        return name.encode()

    for n in range(BODY_ENTRIES + 5):
        published.body(first, (str(n),), lambda n=n: make(str(n)))
    published.body(first, (str(BODY_ENTRIES + 4),), lambda: make("again"))
    assert "again" not in made
    published.body(first, ("0",), lambda: make("0 again"))
    assert "0 again" in made  # the oldest answers were let go
    published.body(second, ("1",), lambda: make("1 of the new release"))
    assert made[-1] == "1 of the new release"


def test_a_missing_file_says_how_to_get_it(tmp_path: Path) -> None:
    release = _release(tmp_path / "r1", "x")
    with pytest.raises(ReleaseDamaged, match="catalog.ttl is missing.*kggraph build"):
        Published().read(release, "catalog.ttl", lambda path: path.read_text())


def test_a_file_that_does_not_parse_is_damage_and_is_read_again(tmp_path: Path) -> None:
    release = _release(tmp_path / "r1", "x")
    (release.path / "void.ttl").write_text("not Turtle <<<", encoding="utf-8")
    published = Published()
    with pytest.raises(ReleaseDamaged, match="void.ttl is unreadable"):
        published.read(release, "void.ttl", triples_of)
    (release.path / "void.ttl").write_text("<http://a> <http://b> <http://c> .", encoding="utf-8")
    assert len(published.read(release, "void.ttl", triples_of)) == 1  # repaired in place
