"""Imports flow one way, from the ground up: core → graph → validation → query → features →
publish and web → cli. Each subpackage of ``kggraph`` is one concern and has one layer; a module
may import from a lower layer and from its own subpackage, never from a higher layer or from a
sibling of the same layer. Two rules of the style guide are stated as tests of their own: the
build and the web server never import each other, and the clients never import the store or
the web server (they run where neither is installed on the far side). Inside the web server,
helpers (``web.runtime``, ``web.http``) never import a view, and views (the route units) never
import each other; ``web.app`` puts them together.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import kggraph

PACKAGE = Path(kggraph.__file__).parent

LAYERS = {
    "__init__": 0,
    "core": 0,
    "graph": 1,
    "validation": 2,
    "query": 3,
    "budgets": 4,
    "canned": 4,
    "dataset": 4,
    "links": 4,
    "network": 4,
    "pages": 4,
    "publish": 5,
    "web": 5,
    "cli": 6,
    "__main__": 7,
}
"""Every subpackage (or top-level module) of ``kggraph`` and its layer."""

ALLOWED_UPWARD: set[tuple[str, str]] = set()
"""Imports that break the layering today and are known: each names the module and what it takes."""


def _modules() -> list[str]:
    return sorted(
        p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        for p in PACKAGE.rglob("*.py")
    )


def _unit(module: str) -> str:
    return module.split(".")[0]


def _imports_of(source: str, *, package: str = "") -> set[str]:
    """The kggraph modules (dotted, without ``kggraph.``) that ``source`` imports.

    ``from kggraph.x import y`` counts as importing ``x.y`` when ``x/y.py`` is a module, and
    ``x`` otherwise; ``package`` resolves relative imports (there should be none)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(["kggraph", *base, *([module] if module else [])])
            if module == "kggraph" or module.startswith("kggraph."):
                inner = module.removeprefix("kggraph").lstrip(".")
                for alias in node.names:
                    candidate = f"{inner}.{alias.name}".lstrip(".")
                    found.add(candidate if _is_module(candidate) else inner or alias.name)
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("kggraph.") for a in node.names if a.name.startswith("kggraph.")
            }
    return {name for name in found if name and name != "__version__"}


def _is_module(dotted: str) -> bool:
    path = PACKAGE / dotted.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@cache
def _direct(module: str) -> frozenset[str]:
    path = PACKAGE / (module.replace(".", "/") + ".py")
    if not path.is_file():
        path = PACKAGE / module.replace(".", "/") / "__init__.py"
    package = module.rpartition(".")[0]
    return frozenset(_imports_of(path.read_text(), package=package))


def _reach(module: str) -> set[str]:
    """Every kggraph module ``module`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for found in _direct(todo.pop()):
            if found not in seen and _is_module(found):
                seen.add(found)
                todo.append(found)
    return seen


def test_every_subpackage_has_a_layer() -> None:
    missing = sorted({_unit(m) for m in _modules()} - set(LAYERS))
    assert not missing, f"give these a layer in LAYERS of {__file__}: {missing}"


@pytest.mark.parametrize("module", _modules())
def test_imports_flow_downwards(module: str) -> None:
    unit = _unit(module)
    wrong = {
        name
        for name in _direct(module)
        if _unit(name) != unit
        and LAYERS.get(_unit(name), 99) >= LAYERS[unit]
        and (module, name) not in ALLOWED_UPWARD
    }
    assert not wrong, (
        f"{module} (layer {LAYERS[unit]}, {unit}) imports from its own layer or above: "
        + ", ".join(f"{n} ({_unit(n)}, layer {LAYERS.get(_unit(n), '?')})" for n in sorted(wrong))
    )


def test_known_exceptions_are_still_needed() -> None:
    stale = {pair for pair in ALLOWED_UPWARD if pair[1] not in _direct(pair[0])}
    assert not stale, f"remove from ALLOWED_UPWARD, the import is gone: {stale}"


def test_build_and_web_never_import_each_other() -> None:
    for module in _modules():
        if _unit(module) in ("publish", "web"):
            other = "web" if _unit(module) == "publish" else "publish"
            crossing = {n for n in _reach(module) if _unit(n) == other}
            assert not crossing, f"{module} reaches {other}: {sorted(crossing)}"


@pytest.mark.parametrize("client", ["query.client", "canned.client"])
def test_clients_never_import_the_store_or_the_web(client: str) -> None:
    reached = _reach(client)
    assert "graph.store" not in reached, f"{client} reaches the store"
    assert not {n for n in reached if _unit(n) == "web"}, f"{client} reaches the web server"


WEB_HELPERS = ("web.runtime", "web.http")
"""What every web route may use: the runtime and the HTTP helpers. They never import a view."""
WEB_VIEWS = (
    "web.sparql",
    "web.fastpath",
    "web.health",
    "web.graphs",
    "web.canned",
    "web.query_page",
    "web.openapi",
    "web.linked_data",
    "web.publishing",
    "web.explore",
)
"""The route units of the web server (a module, or a package whose modules work together). A
view imports helpers, never another view."""
WEB_ASSEMBLY = ("web.__init__", "web.app")
"""What puts the views together: it may import every one."""


def _web_unit(module: str) -> str:
    """The helper, view or assembly ``module`` (``web.…``) belongs to."""
    for unit in (*WEB_HELPERS, *WEB_VIEWS):
        if module == unit or module.startswith(unit + "."):
            return unit
    return module


def _web_modules(units: tuple[str, ...]) -> list[str]:
    return [m for m in _modules() if _unit(m) == "web" and _web_unit(m) in units]


def test_every_web_module_is_a_helper_a_view_or_the_assembly() -> None:
    known = (*WEB_HELPERS, *WEB_VIEWS, *WEB_ASSEMBLY)
    stray = [m for m in _modules() if _unit(m) == "web" and _web_unit(m) not in known]
    assert not stray, f"name these in WEB_HELPERS, WEB_VIEWS or WEB_ASSEMBLY: {stray}"


@pytest.mark.parametrize("module", _web_modules(WEB_HELPERS))
def test_web_helpers_never_import_views(module: str) -> None:
    views = sorted(n for n in _direct(module) if _web_unit(n) in WEB_VIEWS + WEB_ASSEMBLY)
    assert not views, f"{module} is a helper and imports the views {views}: move what they share"


@pytest.mark.parametrize("module", _web_modules(WEB_VIEWS))
def test_web_views_never_import_each_other(module: str) -> None:
    own = _web_unit(module)
    others = sorted(
        n
        for n in _direct(module)
        if _web_unit(n) in WEB_VIEWS + WEB_ASSEMBLY and _web_unit(n) != own
    )
    assert not others, f"{module} imports the views {others}: move what they share to web.http"


def test_the_web_rules_see_a_view_import() -> None:
    """The checker reads a helper importing a view, and a view another, as such."""
    assert _web_unit("web.http.site") == "web.http"
    assert _web_unit("web.explore.views") == "web.explore"
    assert _web_unit("web.sparql") == "web.sparql"
    imports = _imports_of("from kggraph.web.sparql import sparql\nfrom kggraph.web import canned\n")
    assert {_web_unit(n) for n in imports} == {"web.sparql", "web.canned"}


def test_checker_sees_every_import_form() -> None:
    source = (
        "from kggraph.cli.app import app\nimport kggraph.publish.build\n"
        "from kggraph.graph import store\nfrom kggraph import __version__\n"
        "from kggraph.core.errors import NotFound\n"
    )
    assert _imports_of(source) == {"cli.app", "publish.build", "graph.store", "core.errors"}


def test_reach_follows_imports_through_other_modules() -> None:
    assert "core.errors" in _reach("cli.app")
    assert "graph.store" in _reach("publish.build")
