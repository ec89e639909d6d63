"""Settings: defaults, then KGGRAPH_* variables, then explicit overrides; bad values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kggraph.core.config import DEFAULT_KEEP_RELEASES, Settings, load_settings, setting_help
from kggraph.core.errors import ConfigError


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.keep_releases == DEFAULT_KEEP_RELEASES
    assert settings.output_dir == Path("dist")


def test_environment_then_overrides() -> None:
    env = {"KGGRAPH_ROOT": "/srv/kg", "KGGRAPH_KEEP_RELEASES": "7", "KGGRAPH_OUTPUT": "out"}
    settings = load_settings(environ=env)
    assert settings.root == Path("/srv/kg")
    assert settings.keep_releases == 7
    assert settings.output_dir == Path("/srv/kg/out")
    assert settings.data_dir == Path("/srv/kg/data")
    overridden = load_settings(
        environ=env, overrides={"keep_releases": 1, "output": Path("/tmp/elsewhere")}
    )
    assert overridden.keep_releases == 1
    assert overridden.output_dir == Path("/tmp/elsewhere")


def test_none_override_keeps_the_value() -> None:
    assert (
        load_settings(
            environ={"KGGRAPH_KEEP_RELEASES": "5"}, overrides={"keep_releases": None}
        ).keep_releases
        == 5
    )


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"KGGRAPH_KEEP_RELEASES": "many"}, "whole number"),
        ({"KGGRAPH_KEEP_RELEASES": "-1"}, "0 or more"),
    ],
)
def test_bad_values_are_refused_clearly(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(environ=env)


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().root = Path("/")  # type: ignore[misc]


def test_every_setting_has_help() -> None:
    assert all(text.strip() for text in setting_help().values())


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [n for n in setting_help() if f"KGGRAPH_{n.upper()}" not in readme]
    assert not missing, f"document these settings in README.md: {missing}"
