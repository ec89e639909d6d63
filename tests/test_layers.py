"""Imports flow one way: core → store → validation → query → publish/web → CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kggraph

PACKAGE = Path(kggraph.__file__).parent

LAYERS = {
    "errors": 0,
    "config": 0,
    "namespaces": 0,
    "eras": 0,
    "store": 1,
    "loader": 1,
    "derive": 1,
    "validate": 2,
    "redirects": 2,
    "editorial": 2,
    "release": 1,
    "formats": 3,
    "sparql": 3,
    "sparqltokens": 3,
    "sparqlreadings": 3,
    "memo": 0,
    "executor": 3,
    "results": 3,
    "sandbox": 3,
    "workers": 3,
    "workerstart": 3,
    "pool": 3,
    "cache": 3,
    "budgets": 3,
    "redisbudgets": 3,
    "negotiate": 3,
    "protocol": 3,
    "servicedesc": 3,
    "client": 3,
    "cannedqueries": 3,
    "bindings": 3,
    "valuesbinding": 3,
    "cannedclient": 3,
    "web": 4,
    "sourcefacts": 1,
    "netfacts": 3,
    "netnames": 3,
    "network": 3,
    "netanalysis": 3,
    "netexport": 3,
    "timeline": 3,
    "language": 0,
    "eratext": 0,
    "describe": 3,
    "browse": 3,
    "pagemodel": 3,
    "pagemarks": 3,
    "pageparts": 3,
    "datasetinfo": 3,
    "datasetfacts": 3,
    "dcat": 3,
    "void": 3,
    "ontologydoc": 3,
    "ontologydiagram": 3,
    "descriptions": 4,
    "summary": 4,
    "dumps": 4,
    "publish": 4,
    "build": 4,
    "cli": 5,
    "cli_network": 5,
    "cli_canned": 5,
    "__main__": 5,
    "__init__": 0,
}
"""Every module of the package and its layer; a module may import only from its layer or below."""


def _modules() -> list[str]:
    return sorted(
        p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        for p in PACKAGE.rglob("*.py")
    )


def _imports_of(source: str) -> set[str]:
    """The first-level kggraph modules that ``source`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kggraph"):
            found |= set(node.module.split(".")[1:2]) or {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("kggraph.")}
    return found


def test_every_module_has_a_layer() -> None:
    missing = [m for m in _modules() if m.split(".")[0] not in LAYERS]
    assert not missing, f"add these modules to LAYERS in {__file__}: {missing}"


@pytest.mark.parametrize("module", _modules())
def test_imports_flow_downwards(module: str) -> None:
    layer = LAYERS[module.split(".")[0]]
    source = (PACKAGE / (module.replace(".", "/") + ".py")).read_text()
    upward = {
        name: LAYERS.get(name, 99)
        for name in _imports_of(source)
        if name != "__version__" and LAYERS.get(name, 99) > layer
    }
    assert not upward, f"{module} (layer {layer}) imports from a higher layer: {upward}"


def test_checker_sees_every_import_form() -> None:
    source = "from kggraph.cli import app\nimport kggraph.build.x\nfrom kggraph import store\n"
    assert _imports_of(source) == {"cli", "build", "store"}
