"""Publish a finished build atomically, and never touch the last good one before that.

Layout of the output folder::

    dist/
      current -> releases/20261128T120000Z-1a2b3c4d    (symlink, swapped atomically)
      releases/20261128T120000Z-1a2b3c4d/...           (one folder per build)
      releases/.staging-.../                           (being written; removed on failure)

A build writes into a staging folder beside the releases, renames it into place, then points
``current`` at it with one ``os.replace`` of a symlink: a reader sees the old build or the new
one, never half of either. Older releases beyond ``keep`` are removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kggraph.core.errors import BuildError
from kggraph.graph.release import CURRENT, current_release

__all__ = ["CURRENT", "RELEASES", "current_release", "promote", "prune", "staging"]

RELEASES = "releases"
STAGING_PREFIX = ".staging-"


@contextmanager
def staging(output_dir: Path) -> Iterator[Path]:
    """A fresh folder to write a build into; removed if the block raises.

    An ``OSError`` of the block (a full disk, a file-size limit) is a ``BuildError``: the
    output could not be written (CLI exit 3), not a crash."""
    releases = output_dir / RELEASES
    try:
        releases.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=releases))
    except OSError as err:
        raise BuildError(
            f"cannot create the output folder: {err}", location=str(output_dir)
        ) from None
    try:
        yield folder
    except OSError as err:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(f"cannot write the build: {err}", location=str(output_dir)) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def promote(folder: Path, output_dir: Path, release_id: str, *, keep: int) -> Path:
    """Move a staged build into ``releases/<release_id>`` and make it ``current``."""
    target = _free_name(output_dir / RELEASES, release_id)
    try:
        folder.rename(target)
        _point_current(output_dir, target)
    except OSError as err:
        shutil.rmtree(folder, ignore_errors=True)
        raise BuildError(f"cannot publish the build: {err}", location=str(output_dir)) from None
    prune(output_dir, keep=keep)
    return target


def prune(output_dir: Path, *, keep: int, remove: Callable[[Path], None] = shutil.rmtree) -> None:
    """Remove releases older than the ``keep`` newest besides ``current``, and stale staging.

    ``current``'s target is never removed. It is compared as a resolved path: ``current_release``
    resolves the link, while ``iterdir`` names folders as ``output_dir`` is named (relative,
    or through a symlink), so a plain comparison never matched and counted ``current`` among
    the older releases (one fewer kept; with ``keep=0``, ``current`` itself deleted)."""
    releases = output_dir / RELEASES
    current = current_release(output_dir)
    for stale in releases.glob(STAGING_PREFIX + "*"):
        if stale.is_dir():
            remove(stale)
    older = sorted(
        (p for p in releases.iterdir() if p.is_dir() and p.resolve() != current),
        key=lambda p: p.name,
        reverse=True,
    )
    for old in older[keep:]:
        remove(old)


def _free_name(releases: Path, release_id: str) -> Path:
    candidate, n = releases / release_id, 1
    while candidate.exists():
        n += 1
        candidate = releases / f"{release_id}.{n}"
    return candidate


def _point_current(output_dir: Path, target: Path) -> None:
    link = output_dir / CURRENT
    temporary = output_dir / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target.relative_to(output_dir))
    os.replace(temporary, link)
