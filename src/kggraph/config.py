"""Settings: one frozen object, built once (defaults < environment < CLI options) and passed down.

Every setting has a named default and a help text; ``tests/test_docs.py`` checks that each one
is documented in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kggraph.errors import ConfigError

ENV_PREFIX = "KGGRAPH_"

DEFAULT_ROOT = Path(".")
DEFAULT_OUTPUT = Path("dist")
DEFAULT_KEEP_RELEASES = 3


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """Where kggraph reads its inputs and writes its output."""

    root: Path = _setting(DEFAULT_ROOT, "Project folder holding ontology/, data/ and shapes/.")
    output: Path = _setting(
        DEFAULT_OUTPUT, "Folder of published builds, relative to root unless absolute."
    )
    keep_releases: int = _setting(
        DEFAULT_KEEP_RELEASES, "How many earlier published builds to keep beside the current one."
    )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def output_dir(self) -> Path:
        return self.output if self.output.is_absolute() else self.root / self.output

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given settings replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def setting_help() -> dict[str, str]:
    """Name → help text of every setting, for the CLI and the README check."""
    return {f.name: str(f.metadata["help"]) for f in fields(Settings)}


def _convert(name: str, raw: str, kind: Any) -> Any:
    if kind in ("Path", Path):
        return Path(raw)
    if kind in ("int", int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(
                f"{ENV_PREFIX}{name.upper()} must be a whole number, not {raw!r}"
            ) from None
    return raw


def load_settings(
    *, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build the settings from defaults, then ``KGGRAPH_*`` variables, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is not None:
            values[f.name] = _convert(f.name, raw, f.type)
    settings = Settings(**values).with_overrides(**(overrides or {}))
    if settings.keep_releases < 0:
        raise ConfigError(f"keep_releases must be 0 or more, not {settings.keep_releases}")
    return settings
