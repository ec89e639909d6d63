"""The architecture page and the other docs stay true to the code.

``docs/architecture.md`` gives every subpackage of ``kggraph`` a paragraph that names its layer,
names each package of ``web/``, lists which subpackage imports which (a Mermaid block) and
draws the middlewares a request passes through; each of these is compared with the code here.
Every path under ``src/kggraph/`` and every dotted ``kggraph.…`` name that a doc cites must
exist, and the README must link the architecture page and the contributors' guide.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import kggraph
from kggraph.core.config import Settings
from kggraph.web.app import create_server
from tests.test_layers import LAYERS, _direct, _modules, _unit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(kggraph.__file__).parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
CONTRIBUTING = ROOT / "CONTRIBUTING.md"
README = ROOT / "README.md"
DOCS = sorted([README, CONTRIBUTING, *(ROOT / "docs").glob("*.md")])

CITED_PATH = re.compile(r"src/kggraph/[\w./-]*")
SHORT_PATH = re.compile(r"(?<![\w./<-])(?:[a-z_]+/)+[a-z_]+\.py\b")
"""A path such as ``web/http/security.py``: relative to the package or to the repository."""
DOTTED = re.compile(r"\bkggraph(?:\.[A-Za-z_]\w*)+")
FILE_SUFFIXES = {"nt", "nq", "ttl", "jsonld", "rdf", "gz", "trig", "html", "svg", "csv", "json"}
"""``kggraph.nt`` and the like are the dumps' file names, not Python names."""
MERMAID = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
EDGE = re.compile(r"^\s*(\w+) --> (\w+)\s*$", re.MULTILINE)
PARAGRAPH = re.compile(r"^\*\*`(\w+)/`\*\* \(layer (\d+)\)", re.MULTILINE)


def _subpackages(folder: Path) -> list[str]:
    return sorted(p.parent.name for p in folder.glob("*/__init__.py"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_docs_exist() -> None:
    assert ARCHITECTURE.is_file() and CONTRIBUTING.is_file()
    assert len(_subpackages(PACKAGE)) >= 10 and len(_subpackages(PACKAGE / "web")) >= 4


def test_every_subpackage_has_its_paragraph_with_its_layer() -> None:
    paragraphs = {name: int(layer) for name, layer in PARAGRAPH.findall(_text(ARCHITECTURE))}
    expected = {name: LAYERS[name] for name in _subpackages(PACKAGE)}
    assert paragraphs == expected, "one **`name/`** (layer N) paragraph per subpackage"


@pytest.mark.parametrize("name", _subpackages(PACKAGE / "web"))
def test_every_web_subpackage_is_named(name: str) -> None:
    assert f"`src/kggraph/web/{name}/`" in _text(ARCHITECTURE)


def test_the_import_diagram_is_the_imports() -> None:
    drawn = set(EDGE.findall("\n".join(MERMAID.findall(_text(ARCHITECTURE)))))
    subpackages = set(_subpackages(PACKAGE))
    actual = {
        (_unit(module), _unit(imported))
        for module in _modules()
        for imported in _direct(module)
        if _unit(module) in subpackages and _unit(imported) in subpackages - {"core", _unit(module)}
    }
    assert drawn == actual, (
        f"draw these in {ARCHITECTURE.name}: {sorted(actual - drawn)}; "
        f"remove these: {sorted(drawn - actual)}"
    )


def test_the_request_passes_the_middlewares_drawn(tmp_path: Path) -> None:
    """The server as uvicorn gets it, taken apart layer by layer, in the order of the drawing."""
    release = tmp_path / "releases" / "empty"
    release.mkdir(parents=True)
    (tmp_path / "current").symlink_to(release)
    layer: object = create_server(Settings(root=ROOT, output=tmp_path))
    outer: list[str] = []
    while "app" in vars(layer):
        outer.append(type(layer).__name__)
        layer = vars(layer)["app"]
    inner = [m.cls.__name__ for m in getattr(layer, "user_middleware")]  # noqa: B009
    request = _section(_text(ARCHITECTURE), "A request")
    positions = [request.find(name) for name in outer]
    assert len(outer) >= 3 and -1 not in positions, f"name each of {outer}"
    assert positions == sorted(positions), f"draw them in this order: {outer}"
    assert " -> ".join(inner) in request, f"the application's middlewares are {inner}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_cited_package_path_exists(doc: Path) -> None:
    cited = {match.rstrip(".") for match in CITED_PATH.findall(_text(doc))}
    missing = sorted(path for path in cited if not (ROOT / path).exists())
    assert not missing, f"{doc.name} cites paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", [ARCHITECTURE, CONTRIBUTING], ids=lambda p: p.name)
def test_every_short_path_exists(doc: Path) -> None:
    cited = set(SHORT_PATH.findall(_text(doc)))
    missing = sorted(p for p in cited if not (PACKAGE / p).exists() and not (ROOT / p).exists())
    assert cited and not missing, f"{doc.name} cites paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_dotted_name_exists(doc: Path) -> None:
    names = {
        name for name in DOTTED.findall(_text(doc)) if not FILE_SUFFIXES & set(name.split(".")[1:])
    }
    missing = sorted(name for name in names if not _resolves(name))
    assert not missing, f"{doc.name} names what does not exist: {missing}"


def _resolves(dotted: str) -> bool:
    """``dotted`` is a module of kggraph, or a name defined in one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_a_missing_name_or_path_is_seen() -> None:
    assert _resolves("kggraph.web.app.create_server")
    assert not _resolves("kggraph.web.endpoint")
    assert not _resolves("kggraph.web.app.create_everything")
    assert SHORT_PATH.findall("see web/http/security.py, not queries/<slug>.rq") == [
        "web/http/security.py"
    ]


def test_the_readme_links_both_and_lists_the_subpackages() -> None:
    readme = _text(README)
    assert "](docs/architecture.md)" in readme and "](CONTRIBUTING.md)" in readme
    row = next(line for line in readme.splitlines() if line.startswith("| `src/kggraph/` |"))
    missing = [name for name in _subpackages(PACKAGE) if f"`{name}/`" not in row]
    assert not missing, f"name these in the README's row for src/kggraph/: {missing}"
