"""Where the CLI writes files (pictures, manifests): checked before any work, written whole.

A place that cannot be written (its parent is a file, a read-only folder) is a usage error
named before the stack is planned; a file appears complete or not at all (written beside
its destination, then renamed over it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputPathError(Exception):
    """An output path that cannot be written: a usage error."""


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists():
        if current.parent == current:
            break
        current = current.parent
    return current


def check_file_target(option: str, path: Path) -> None:
    """``path`` can be created or replaced as a file; raise ``OutputPathError`` otherwise."""
    if path.is_dir():
        raise OutputPathError(f"{option}: {path} is a folder; give a file name")
    _check_parent(option, path.parent)


def check_folder_target(option: str, path: Path) -> None:
    """``path`` is a folder, or can be created as one; raise ``OutputPathError`` otherwise."""
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{option}: {path} exists and is not a folder")
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputPathError(f"{option}: {path} is not writable")
        return
    _check_parent(option, path.parent)


def _check_parent(option: str, parent: Path) -> None:
    existing = _nearest_existing(parent)
    if not existing.is_dir():
        raise OutputPathError(f"{option}: cannot create {parent}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"{option}: {existing} is not writable")


def write_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole: into a temporary file beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_folder(out: Path, files: Iterable[tuple[str, bytes]]) -> list[Path]:
    """Write every file into ``out``: all of them are written in a temporary folder beside it
    first, so a failure leaves ``out`` as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staged = []
        for name, data in files:
            (staging / name).write_bytes(data)
            staged.append(name)
        if not out.exists():
            staging.chmod(0o755)
            os.replace(staging, out)
            return [out / name for name in staged]
        for name in staged:
            os.replace(staging / name, out / name)
        return [out / name for name in staged]
    finally:
        if staging.exists():
            for leftover in staging.iterdir():
                leftover.unlink()
            staging.rmdir()
