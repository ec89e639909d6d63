"""The release describes itself: ``ontology.ttl``, ``void.ttl`` and ``catalog.ttl`` (build side).

The server side is tested over HTTP in ``test_void.py``, ``test_dcat.py`` and
``test_ontology_page.py``; here, what the build writes.
"""

from __future__ import annotations

import hashlib
import json

import pyoxigraph as ox
import pytest

from kggraph.dataset.identity import CATALOG_FILE, ONTOLOGY_FILE, VOID_FILE
from kggraph.publish.build import MANIFEST, BuildResult

DESCRIPTIONS = (ONTOLOGY_FILE, VOID_FILE, CATALOG_FILE)


@pytest.mark.slow
def test_two_builds_write_the_same_descriptions(built: BuildResult, rebuilt: BuildResult) -> None:
    again = rebuilt
    assert again.release != built.release
    for name in DESCRIPTIONS:
        first, second = (built.release / name).read_bytes(), (again.release / name).read_bytes()
        assert first == second, name
        assert len(first) > 5_000, name


def test_the_manifest_lists_the_descriptions(built: BuildResult) -> None:
    manifest = json.loads((built.release / MANIFEST).read_text(encoding="utf-8"))
    for name in DESCRIPTIONS:
        data = (built.release / name).read_bytes()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["files"][name]["media_type"] == "text/turtle"


def test_descriptions_have_no_blank_nodes_and_no_build_time(built: BuildResult) -> None:
    stamp = str(built.manifest.as_json()["built_at"])
    for name in DESCRIPTIONS:
        text = (built.release / name).read_text(encoding="utf-8")
        assert stamp not in text and built.release.name not in text, name
        for quad in ox.parse(path=built.release / name, format=ox.RdfFormat.TURTLE):
            assert not isinstance(quad.subject, ox.BlankNode), name
            assert not isinstance(quad.object, ox.BlankNode), name


def test_the_catalog_states_the_checksum_of_every_dump_beside_it(built: BuildResult) -> None:
    text = (built.release / CATALOG_FILE).read_text(encoding="utf-8")
    dumps = [p for p in built.release.iterdir() if p.name.startswith("kggraph.")]
    assert len(dumps) == 8
    for path in dumps:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in text, path.name
        assert f'"{path.stat().st_size}"^^xsd:nonNegativeInteger' in text, path.name
