"""The files of a built frontend, with the content type and cache policy each one needs."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
HASHED_DIRS = ("static", "assets")
"""Folders where Create React App (``static/``) and Vite (``assets/``) put fingerprinted files."""
HASHED_NAME = re.compile(r"[.-](?=[A-Za-z0-9_]*[0-9])[A-Za-z0-9_]{8,}\.[A-Za-z0-9]+$")

_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
}


@dataclass(frozen=True)
class SiteFile:
    key: str
    path: Path
    content_type: str
    cache_control: str


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed == "text/html" else guessed


def cache_control(key: str) -> str:
    """Fingerprinted assets never change: cache them for a year. Everything else
    (index.html above all) is revalidated on every request."""
    if key.endswith(".html"):
        return NO_CACHE
    if key.split("/", 1)[0] in HASHED_DIRS or HASHED_NAME.search(key.rsplit("/", 1)[-1]):
        return IMMUTABLE
    return NO_CACHE


def site_files(directory: Path) -> list[SiteFile]:
    """Every file under ``directory``, sorted by key; empty when the folder does not exist."""
    if not directory.is_dir():
        return []
    files = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        key = path.relative_to(directory).as_posix()
        files.append(SiteFile(key, path, content_type(path), cache_control(key)))
    return files
