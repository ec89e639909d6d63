"""Static files from ``node_modules/``, which may not be installed yet."""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles


class OptionalStaticFiles(StaticFiles):
    """Static files from a folder that may not exist yet (``node_modules/`` before
    ``make install``): answer ``404`` then, where ``StaticFiles`` would fail with a ``500``."""

    async def check_config(self) -> None:
        if self.directory is not None and Path(self.directory).is_dir():
            await super().check_config()
