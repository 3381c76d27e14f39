"""Durable file steps shared by the publish and its download set (plain Python): a rename is
atomic but not durable until its folder is fsynced, and a written file until it is."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Make the renames and new names in a folder durable (a rename is atomic, not durable)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (no copy) where the file system allows it, else a durable copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
        fsync(target)
